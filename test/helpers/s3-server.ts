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
