// A real S3-compatible server (s3rver) on 127.0.0.1 for the tests; nothing reaches AWS.
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface S3Server {
  readonly endpoint: string;
  readonly client: S3Client;
  close(): Promise<void>;
}

/** s3rver's account registry: extra key pairs let clients signing with other credentials in. */
const require = createRequire(import.meta.url);
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as {
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
};

export async function startS3Server(
  buckets: string[],
  extraKeys: { accessKeyId: string; secretAccessKey: string }[] = [],
): Promise<S3Server> {
  for (const k of extraKeys) DUMMY_ACCOUNT.createKeyPair(k.accessKeyId, k.secretAccessKey);
  const directory = await mkdtemp(join(tmpdir(), 'credlake-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  answerConditionalWrites(server);
  rememberBucketConfigs(server);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

/**
 * S3's conditional writes, which s3rver lacks: a PUT with `If-None-Match: *` on a key that exists
 * is refused with 412 PreconditionFailed, as S3 answers it, and two such PUTs of one key are
 * decided one after the other, as S3 decides them.
 */
function answerConditionalWrites(server: S3rver): void {
  const app = server as unknown as {
    middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
    store: { existsObject(bucket: string, key: string): Promise<boolean> };
  };
  const queues = new Map<string, Promise<void>>();
  app.middleware.unshift(async (ctx, next) => {
    const [bucket, ...rest] = ctx.path.split('/').filter(Boolean).map(decodeURIComponent);
    const key = rest.join('/');
    if (ctx.method !== 'PUT' || ctx.get('if-none-match') !== '*' || !key) return next();
    const id = `${bucket}/${key}`;
    const before = queues.get(id) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    queues.set(id, mine);
    await before;
    try {
      if (await app.store.existsObject(bucket, key)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';
        return;
      }
      await next();
    } finally {
      done();
      if (queues.get(id) === mine) queues.delete(id);
    }
  });
}

/**
 * s3rver reads a bucket's CORS and website configuration from disk for every request (two file
 * opens that fail, a sixth of the deployed-path tests' CPU in a profile). A bucket's
 * configuration changes only through the store's own methods, so it is read once and read again
 * after any of them changes it.
 */
function rememberBucketConfigs(server: S3rver): void {
  type Store = {
    getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
    putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
    deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
    putBucket(bucket: string): Promise<unknown>;
    deleteBucket(bucket: string): Promise<unknown>;
    reset(): void;
  };
  const store = (server as unknown as { store: Store }).store;
  const read = new Map<string, Promise<unknown>>();
  const forget = (bucket: string) => {
    for (const id of read.keys()) if (id.startsWith(`${bucket}/`)) read.delete(id);
  };
  const get = store.getSubresource.bind(store);
  store.getSubresource = (bucket, key, type) => {
    if (key !== undefined) return get(bucket, key, type);
    const id = `${bucket}/${type}`;
    let config = read.get(id);
    if (!config) {
      config = get(bucket, key, type);
      read.set(id, config);
      config.catch(() => read.delete(id));
    }
    return config;
  };
  const wrap =
    <A extends unknown[]>(method: (...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      forget(args[0] as string);
      try {
        return await method(...args);
      } finally {
        forget(args[0] as string);
      }
    };
  store.putSubresource = wrap(store.putSubresource.bind(store)) as Store['putSubresource'];
  store.deleteSubresource = wrap(store.deleteSubresource.bind(store)) as Store['deleteSubresource'];
  store.putBucket = wrap(store.putBucket.bind(store));
  store.deleteBucket = wrap(store.deleteBucket.bind(store));
  const reset = store.reset.bind(store);
  store.reset = () => {
    read.clear();
    reset();
  };
}

interface KoaContext {
  method: string;
  path: string;
  status: number;
  type: string;
  body: unknown;
  get(header: string): string;
}
