// A pass-through HTTP proxy in front of the S3 server that counts the requests the pipeline's
// functions make, by kind (GET object, PUT, LIST, HEAD), as S3 would bill them.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3Requests {
  get: number;
  put: number;
  list: number;
  head: number;
  other: number;
}

export interface CountingProxy {
  readonly endpoint: string;
  readonly counts: S3Requests;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const counts: S3Requests = { get: 0, put: 0, list: 0, head: 0, other: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const objectPath = url.pathname.split('/').filter(Boolean).length > 1;
    if (req.method === 'GET' && (url.searchParams.has('list-type') || !objectPath)) counts.list++;
    else if (req.method === 'GET') counts.get++;
    else if (req.method === 'PUT') counts.put++;
    else if (req.method === 'HEAD') counts.head++;
    else counts.other++;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    reset: () => Object.assign(counts, { get: 0, put: 0, list: 0, head: 0, other: 0 }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
