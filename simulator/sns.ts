// The simulated SNS: Publish from the caller's identity, each message kept with its string
// attributes (what subscription filter policies match), a malformed attribute refused as SNS does.
import type { Identity } from './services.ts';
import { ServiceError } from './wire.ts';

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
  /** String message attributes, by name. */
  readonly attributes: Record<string, string>;
}

/** Keeps the message and returns the body of Publish's result. */
export function publish(identity: Identity, form: URLSearchParams, published: PublishedMessage[]): string {
  if (!identity.isCaller)
    throw new ServiceError(403, 'AuthorizationError', `${identity.arn} may not publish`);
  const attributes: Record<string, string> = {};
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
    const name = form.get(`MessageAttributes.entry.${i}.Name`)!;
    const type = form.get(`MessageAttributes.entry.${i}.Value.DataType`);
    const value = form.get(`MessageAttributes.entry.${i}.Value.StringValue`);
    if (type !== 'String' || value === null)
      throw new ServiceError(
        400,
        'ParameterValueInvalid',
        `The message attribute '${name}' must have a DataType and a value.`,
      );
    attributes[name] = value;
  }
  published.push({
    topicArn: form.get('TopicArn') ?? '',
    subject: form.get('Subject') ?? '',
    message: form.get('Message') ?? '',
    attributes,
  });
  return `<MessageId>${crypto.randomUUID()}</MessageId>`;
}
