// The simulator's transport: what a request is (protocol, service, action, form), who signed it
// (SigV4 checked against the simulated identities, session tokens included), and how a refusal
// goes back in the request's own protocol. The services behind it know nothing of HTTP.
import type { IncomingMessage } from 'node:http';
import type { Identity } from './services.ts';
import { jsonError, type Reply, readSignature, ServiceError, verifySignature, xmlError } from './wire.ts';

/** The XML namespaces of the query-protocol services. */
export const NS = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
};

const JSON_SERVICES = ['AWSOrganizationsV20161128', 'AWSGlue', 'AmazonAthena'];

export interface SimRequest {
  /** The JSON protocol's X-Amz-Target service prefix (`AWSGlue`), empty for the query protocol. */
  readonly service: string;
  /** The service named by the request's signature (`iam`, `sts`, `securityhub`, ...). */
  readonly signedService: string | undefined;
  readonly region: string | undefined;
  readonly isJson: boolean;
  readonly action: string;
  /** The query protocol's form (empty for JSON requests). */
  readonly form: URLSearchParams;
  /** The JSON protocols' body (empty for query requests). */
  readonly input: Record<string, unknown>;
  /** The action as counted in the simulator's statistics. */
  readonly counted: string;
}

export function readRequest(req: IncomingMessage, body: Buffer): SimRequest {
  const target = String(req.headers['x-amz-target'] ?? '');
  const service = target.split('.')[0];
  const sig = readSignature(req.headers);
  const isJson = JSON_SERVICES.includes(service) || sig?.service === 'securityhub';
  const form = isJson ? new URLSearchParams() : new URLSearchParams(body.toString());
  const input = isJson ? (JSON.parse(body.toString() || '{}') as Record<string, unknown>) : {};
  const action = isJson ? target.split('.')[1] : (form.get('Action') ?? '');
  const counted = sig?.service === 'securityhub' ? `securityhub ${req.method} ${req.url}` : action;
  return { service, signedService: sig?.service, region: sig?.region, isJson, action, form, input, counted };
}

/** The identity whose credentials signed the request, or the refusal AWS gives. */
export function authenticate(
  identities: ReadonlyMap<string, Identity>,
  req: IncomingMessage,
  body: Buffer,
): Identity {
  const sig = readSignature(req.headers);
  const identity = sig ? identities.get(sig.accessKeyId) : undefined;
  const invalidToken = () =>
    new ServiceError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  if (!sig || !identity) throw invalidToken();
  if (!verifySignature(req.method ?? 'POST', req.url ?? '/', req.headers, body, identity.secret))
    throw new ServiceError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  if (identity.sessionToken !== undefined && req.headers['x-amz-security-token'] !== identity.sessionToken)
    throw invalidToken();
  return identity;
}

/** A refusal in the request's protocol and, for the query protocol, its service's namespace. */
export function errorReply(request: SimRequest, error: ServiceError): Reply {
  if (request.isJson) return jsonError(error);
  const ns = request.signedService === 'sts' ? NS.sts : request.signedService === 'sns' ? NS.sns : NS.iam;
  return xmlError(ns, error);
}
