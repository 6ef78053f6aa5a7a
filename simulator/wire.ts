// The wire formats of the simulated services: AWS query protocol (form in, XML out) for STS
// and IAM, AWS JSON 1.1 for Organizations, and SigV4 request signing checked for real.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An error the way the service reports it, thrown by handlers. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

const XML_SPECIAL = /[&<>"]/g;
const XML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** Escapes text for XML; most names need nothing, and are returned as they are. */
export const xmlEscape = (s: string) => s.replace(XML_SPECIAL, (c) => XML_ENTITY[c]);

export function xmlReply(action: string, namespace: string, result: string): Reply {
  const body = `<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

export function xmlError(namespace: string, error: ServiceError): Reply {
  const body = `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status: error.status, headers: { 'content-type': 'text/xml' }, body };
}

export function jsonReply(value: unknown): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(value),
  };
}

/** A REST JSON (restJson1) answer, as Security Hub gives it. */
export function restJsonReply(value: unknown): Reply {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

export function jsonError(error: ServiceError): Reply {
  return {
    status: error.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message, Message: error.message }),
  };
}

export interface SignedBy {
  accessKeyId: string;
  service: string;
  region: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Reads who signed a request from its Authorization header. */
export function readSignature(
  headers: IncomingHttpHeaders,
): (SignedBy & { date: string; signedHeaders: string[]; signature: string }) | undefined {
  const m = AUTH.exec(String(headers.authorization ?? ''));
  if (!m) return undefined;
  return {
    accessKeyId: m[1],
    date: m[2],
    region: m[3],
    service: m[4],
    signedHeaders: m[5].split(';'),
    signature: m[6],
  };
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Recomputes the SigV4 signature of a request with the secret the simulator issued. */
export function verifySignature(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  secret: string,
): boolean {
  const sig = readSignature(headers);
  if (!sig) return false;
  const [path, query = ''] = url.split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) =>
      p
        .split('=')
        .map((x) => encodeURIComponent(decodeURIComponent(x.replaceAll('+', ' '))))
        .join('='),
    )
    .sort()
    .join('&');
  const canonicalHeaders = sig.signedHeaders
    .map(
      (h) =>
        `${h}:${String(headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = String(headers['x-amz-content-sha256'] ?? sha256(body));
  const canonical = [
    method,
    path || '/',
    canonicalQuery,
    canonicalHeaders,
    sig.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const amzDate = String(headers['x-amz-date'] ?? '');
  const scope = `${sig.date}/${sig.region}/${sig.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, sig.date), sig.region), sig.service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === sig.signature;
}
