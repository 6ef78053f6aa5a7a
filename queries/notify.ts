// Where a digest goes: an SNS topic (e-mail, chat and pager subscribers) or a webhook URL (a
// JSON POST whose `text` field Slack and Teams-style incoming webhooks show as the message).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Digest } from './digest.ts';
import { QueryInputError } from './errors.ts';

export type NotifyTarget = { kind: 'sns'; topicArn: string } | { kind: 'webhook'; url: string };

export function parseNotifyTarget(value: string): NotifyTarget {
  if (/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(value))
    return { kind: 'sns', topicArn: value };
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // Plain http only to this machine (a local relay or a test); anything else must be TLS.
  const local = url && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url && (url.protocol === 'https:' || (url.protocol === 'http:' && local)))
    return { kind: 'webhook', url: url.toString() };
  throw new QueryInputError(
    `--notify takes an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>) or an https:// webhook URL, got ${JSON.stringify(value)}`,
  );
}

/** The `owner` message attribute of the full digest. */
export const ALL_OWNERS = 'all';

/** `--notify-owner OWNER=TARGET`: where one owner's part goes. */
export function parseOwnerRoute(value: string): { owner: string; target: NotifyTarget } {
  const at = value.indexOf('=');
  if (at <= 0)
    throw new QueryInputError(
      `--notify-owner takes OWNER=TARGET (a webhook URL or an SNS topic ARN), got ${JSON.stringify(value)}`,
    );
  return { owner: value.slice(0, at), target: parseNotifyTarget(value.slice(at + 1)) };
}

/** The webhook body: `text` for chat tools, the figures for anything that parses JSON. */
export function webhookPayload(digest: Digest) {
  return {
    text: `*${digest.subject}*\n\`\`\`\n${digest.text}\`\`\``,
    subject: digest.subject,
    dt: digest.dt,
    owner: digest.owner ?? null,
    new_findings: digest.newFindings,
    reopened_findings: digest.reopenedFindings,
    resolved_findings: digest.resolvedFindings,
    by_owner: digest.byOwner,
    counts: digest.counts,
    not_collected: digest.notCollected,
  };
}

export async function sendDigest(target: NotifyTarget, digest: Digest, sns: () => SNSClient): Promise<void> {
  if (target.kind === 'sns') {
    // SNS subjects stop at 100 characters; the message carries everything. The `owner`
    // attribute (`all` for the full digest) lets a subscription filter policy route each owner's
    // part to its team: {"owner": ["team-payments"]}.
    await sns().send(
      new PublishCommand({
        TopicArn: target.topicArn,
        Subject: digest.subject.slice(0, 99),
        Message: digest.text,
        MessageAttributes: { owner: { DataType: 'String', StringValue: digest.owner ?? ALL_OWNERS } },
      }),
    );
    return;
  }
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(webhookPayload(digest)),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok)
    throw new Error(
      `the webhook answered ${response.status} ${response.statusText}: the digest was not delivered`,
    );
}
