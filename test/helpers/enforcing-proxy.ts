// A proxy in front of the S3 server that says no where S3 would: each request a deployed function
// makes (marked by request-identity.ts) is decided by the IAM engine as that function's role,
// against its identity policies and the bucket policy, and a refusal is S3's own answer (403
// AccessDenied, XML body, none for HEAD). A GET or HEAD of a missing key is 404 only for a caller
// allowed s3:ListBucket on the bucket, 403 otherwise, and a grant of s3:ListBucket conditioned on
// s3:prefix does not count for it (the stricter reading of what S3 documents). Requests without a
// function's mark (the tests' own set-up and reads) pass as the bucket owner's.
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessRequest, IamWorld } from './iam-world.ts';
import { FUNCTION_HEADER } from './request-identity.ts';

export interface Refusal {
  readonly functionId: string;
  readonly method: string;
  readonly path: string;
  readonly action: string;
  readonly resource: string;
}

export interface EnforcingProxy {
  readonly endpoint: string;
  /** Every request refused, in order. */
  readonly refusals: Refusal[];
  /** Decides the requests on `bucket` with this world (one per deployment). */
  govern(bucket: string, world: IamWorld): void;
  close(): Promise<void>;
}

/** The IAM actions an S3 REST request needs, on which resources. */
export function s3Actions(
  method: string,
  url: URL,
  partition = 'aws',
): { bucket: string; key: string; asks: AccessRequest[] } {
  const [bucket, ...rest] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const key = rest.join('/');
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const object = `${bucketArn}/${key}`;
  const q = url.searchParams;
  if (!key) {
    if (method === 'GET' && q.has('location'))
      return { bucket, key, asks: [{ action: 's3:GetBucketLocation', resource: bucketArn }] };
    const prefix = q.get('prefix');
    return {
      bucket,
      key,
      asks: [
        {
          action: q.has('versions') ? 's3:ListBucketVersions' : 's3:ListBucket',
          resource: bucketArn,
          context: prefix !== null ? { 's3:prefix': prefix } : {},
        },
      ],
    };
  }
  const versioned = q.has('versionId');
  if (method === 'GET' || method === 'HEAD')
    return {
      bucket,
      key,
      asks: [{ action: versioned ? 's3:GetObjectVersion' : 's3:GetObject', resource: object }],
    };
  // A multipart upload (start, each part, completion) needs what a PutObject needs; giving one up
  // needs s3:AbortMultipartUpload.
  if (method === 'PUT' || (method === 'POST' && (q.has('uploads') || q.has('uploadId'))))
    return { bucket, key, asks: [{ action: 's3:PutObject', resource: object }] };
  if (method === 'DELETE' && q.has('uploadId'))
    return { bucket, key, asks: [{ action: 's3:AbortMultipartUpload', resource: object }] };
  if (method === 'DELETE')
    return {
      bucket,
      key,
      asks: [{ action: versioned ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: object }],
    };
  return { bucket, key, asks: [{ action: `s3:Unmodelled${method}`, resource: object }] };
}

function accessDenied(res: import('node:http').ServerResponse, method: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${message}</Message><RequestId>credlake-test</RequestId></Error>`;
  res.writeHead(403, {
    'content-type': 'application/xml',
    ...(method === 'HEAD' ? {} : { 'content-length': Buffer.byteLength(body) }),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

export async function startEnforcingProxy(target: string): Promise<EnforcingProxy> {
  const upstream = new URL(target);
  const worlds = new Map<string, IamWorld>();
  const refusals: Refusal[] = [];
  const forward = (
    req: IncomingMessage,
    res: import('node:http').ServerResponse,
    onMissing?: () => Promise<boolean>,
  ) => {
    const headers = { ...req.headers };
    delete headers[FUNCTION_HEADER];
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      async (reply) => {
        if (reply.statusCode === 404 && onMissing && !(await onMissing())) {
          reply.resume();
          return;
        }
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  };
  const server: Server = createServer(async (req, res) => {
    const fn = req.headers[FUNCTION_HEADER] as string | undefined;
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy');
    const bucket = decodeURIComponent(url.pathname.split('/').filter(Boolean)[0] ?? '');
    const world = worlds.get(bucket);
    if (!fn || !world) return forward(req, res);
    const { key, asks } = s3Actions(method, url, world.partition);
    const bucketArn = `arn:${world.partition}:s3:::${bucket}`;
    if (method === 'PUT' && req.headers['x-amz-object-lock-mode'])
      asks.push({ action: 's3:PutObjectRetention', resource: `${bucketArn}/${key}` });
    // A copy reads its source with the caller's permissions too.
    const copySource = req.headers['x-amz-copy-source'];
    if (method === 'PUT' && typeof copySource === 'string') {
      const source = decodeURIComponent(copySource.replace(/^\//, '').split('?')[0]);
      asks.push({ action: 's3:GetObject', resource: `arn:${world.partition}:s3:::${source}` });
    }
    for (const ask of asks) {
      const decision = await world.authorize(fn, ask);
      if (!decision.allowed) {
        refusals.push({
          functionId: fn,
          method,
          path: url.pathname + url.search,
          action: ask.action,
          resource: ask.resource,
        });
        req.resume();
        return accessDenied(
          res,
          method,
          `User: ${world.sessionArn(fn)} is not authorized to perform: ${ask.action} on resource: "${ask.resource}" because no identity-based policy allows the ${ask.action} action`,
        );
      }
    }
    // A missing object is only a 404 to a caller that may list the bucket.
    const onMissing =
      key && (method === 'GET' || method === 'HEAD')
        ? async () => {
            const list = { action: 's3:ListBucket', resource: bucketArn };
            if ((await world.authorize(fn, list)).allowed) return true;
            refusals.push({
              functionId: fn,
              method,
              path: url.pathname,
              action: 's3:ListBucket (404 hidden)',
              resource: list.resource,
            });
            accessDenied(
              res,
              method,
              `User: ${world.sessionArn(fn)} is not authorized to perform: s3:ListBucket on resource: "${list.resource}"`,
            );
            return false;
          }
        : undefined;
    forward(req, res, onMissing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    refusals,
    govern: (bucket, world) => {
      worlds.set(bucket, world);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
