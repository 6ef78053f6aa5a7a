import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../lake/local-store.ts';
import { S3Store } from '../../lake/s3-store.ts';
import type { ObjectStore } from '../../lake/store.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3Server(['lake-bucket']);
});
afterAll(async () => {
  await s3?.close();
});

const stores: [string, () => Promise<ObjectStore>][] = [
  ['local folder', async () => new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-store-')))],
  [
    'S3 (s3rver on loopback)',
    async () => new S3Store(s3.client, 'lake-bucket', `prefix-${Math.random().toString(16).slice(2)}`),
  ],
];

describe.each(stores)('%s store', (_name, open) => {
  it('writes, reads back and lists objects by prefix in key order', async () => {
    const store = await open();
    await store.put('raw/b/dt=2024-05-02/x.csv', 'two');
    await store.put('raw/b/dt=2024-05-01/x.csv', new TextEncoder().encode('one'));
    await store.put('curated/c/data.parquet', 'other');
    expect(await store.list('raw/b/')).toEqual(['raw/b/dt=2024-05-01/x.csv', 'raw/b/dt=2024-05-02/x.csv']);
    expect(new TextDecoder().decode(await store.get('raw/b/dt=2024-05-01/x.csv'))).toBe('one');
    expect(await store.get('raw/missing.csv')).toBeUndefined();
    expect(await store.list('nothing/here/')).toEqual([]);
  });

  it('lists past one page (S3 returns at most 1,000 keys a request)', async () => {
    const store = await open();
    const keys = Array.from({ length: 1_205 }, (_, i) => `raw/many/k=${String(i).padStart(5, '0')}.json`);
    for (let i = 0; i < keys.length; i += 100)
      await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, '1')));
    expect(await store.list('raw/many/')).toEqual(keys);
  });

  it('never overwrites an object written with ifAbsent', async () => {
    const store = await open();
    expect(await store.put('raw/evidence.csv', 'first', { ifAbsent: true })).toBe(true);
    expect(await store.put('raw/evidence.csv', 'second', { ifAbsent: true })).toBe(false);
    expect(new TextDecoder().decode(await store.get('raw/evidence.csv'))).toBe('first');
    expect(await store.exists('raw/evidence.csv')).toBe(true);
  });

  it('replaces objects written without ifAbsent and deletes them', async () => {
    const store = await open();
    await store.put('curated/t/data.parquet', 'v1');
    await store.put('curated/t/data.parquet', 'v2');
    expect(new TextDecoder().decode(await store.get('curated/t/data.parquet'))).toBe('v2');
    await store.delete('curated/t/data.parquet');
    expect(await store.exists('curated/t/data.parquet')).toBe(false);
  });
});

describe('local store', () => {
  it('refuses keys that climb out of the lake', async () => {
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-store-')));
    await expect(store.put('../escape.txt', 'x')).rejects.toThrow(/invalid lake key/);
  });

  it('writes into a folder removed since its last write there', async () => {
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-store-')));
    await store.put('raw/a/one.txt', '1');
    // Another process (or a person) clears the lake between two writes of a long-lived store.
    await rm(join(store.root, 'raw'), { recursive: true });
    await store.put('raw/a/two.txt', '2');
    expect(await store.list('raw/')).toEqual(['raw/a/two.txt']);
    await store.put('raw/a/three.txt', '3', { ifAbsent: true });
    await rm(join(store.root, 'raw'), { recursive: true });
    expect(await store.put('raw/a/three.txt', '3', { ifAbsent: true })).toBe(true);
  });
});

describe("the tests' S3 server", () => {
  it("answers a bucket's CORS configuration as last set, though it reads it from disk once", async () => {
    const preflight = async () =>
      (
        await fetch(`${s3.endpoint}/lake-bucket/any-key`, {
          method: 'OPTIONS',
          headers: { origin: 'https://reports.example', 'access-control-request-method': 'GET' },
        })
      ).status;
    const configured = () =>
      s3.client.send(new GetBucketCorsCommand({ Bucket: 'lake-bucket' })).then(
        (r) => r.CORSRules?.map((rule) => rule.AllowedOrigins),
        (e: Error) => e.name,
      );
    expect(await configured()).toBe('NoSuchCORSConfiguration');
    expect(await preflight()).toBe(403);
    await s3.client.send(
      new PutBucketCorsCommand({
        Bucket: 'lake-bucket',
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: ['https://reports.example'], AllowedMethods: ['GET'] }],
        },
      }),
    );
    expect(await configured()).toEqual([['https://reports.example']]);
    expect(await preflight()).toBe(200);
    await s3.client.send(new DeleteBucketCorsCommand({ Bucket: 'lake-bucket' }));
    expect(await configured()).toBe('NoSuchCORSConfiguration');
    expect(await preflight()).toBe(403);
  });
});
