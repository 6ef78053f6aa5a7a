// Commands on an s3:// lake: a query fetches only the snapshot it reads, no temporary copy
// survives the command, errors name the lake as the user gave it, and --region is honoured.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../lake/s3-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { runSavedQuery } from '../../queries/run-query.ts';
import { runCli } from '../helpers/cli.ts';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';

const BUCKET = 'credlake-s3-lake';
let s3: S3Server;
let proxy: CountingProxy;
// The commands get a temporary folder of their own: other test files running beside this one
// stage their own copies in the shared one.
let ownTmp: string;
const env = () => ({
  TMPDIR: ownTmp,
  AWS_ENDPOINT_URL_S3: proxy.endpoint,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: '',
  AWS_DEFAULT_REGION: '',
});
const stagingFolders = async () =>
  (await readdir(ownTmp)).filter((d) => d.startsWith('credlake-stage-')).sort();

beforeAll(async () => {
  ownTmp = await mkdtemp(join(tmpdir(), 'credlake-s3-lake-test-'));
  s3 = await startS3Server([BUCKET]);
  proxy = await startCountingProxy(s3.endpoint);
  // Three daily snapshots, written through the CLI as a user would (with --region, no AWS_REGION).
  const r = await runCli(
    [
      'run',
      '--simulate',
      '--accounts',
      '6',
      '--days',
      '3',
      '--date',
      '2024-05-03',
      '--lake',
      `s3://${BUCKET}/lake`,
      '--region',
      'eu-west-1',
      '--quiet',
    ],
    { ...env(), NODE_OPTIONS: '--openssl-legacy-provider' },
  );
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  if (ownTmp) await rm(ownTmp, { recursive: true, force: true });
});

describe('an s3:// lake', () => {
  it('answers a latest-snapshot query from that snapshot only, and leaves no temporary folder', async () => {
    const before = await stagingFolders();
    expect(before).toEqual([]);
    const store = new S3Store(s3.client, BUCKET, 'lake');
    const newest = (await store.list('curated/')).filter((k) => k.includes('/dt=2024-05-03/'));
    const all = await store.list('curated/');
    proxy.reset();
    const r = await runCli(
      ['query', 'stale_access_keys', '--format', 'json', '--lake', `s3://${BUCKET}/lake`],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).every((row: { dt: string }) => row.dt === '2024-05-03')).toBe(true);
    expect(proxy.counts.get).toBeLessThanOrEqual(newest.length);
    expect(proxy.counts.get).toBeLessThan(all.length);
    expect(await stagingFolders()).toEqual(before);
  });

  it('fetches only what it reads, in the engine itself', async () => {
    const engine = await DuckDbEngine.openStore(new S3Store(s3.client, BUCKET, 'lake'));
    try {
      await runSavedQuery(engine, 'console_users_without_mfa');
      const one = engine.bytesFetched;
      expect(one).toBeGreaterThan(0);
      await runSavedQuery(engine, 'findings_trend');
      expect(engine.bytesFetched).toBeGreaterThan(one);
    } finally {
      engine.close();
    }
  });

  it('names the lake as given in errors, and removes its copy when the command fails', async () => {
    const before = await stagingFolders();
    const r = await runCli(
      ['query', 'stale_access_keys', '--date', '2023-01-01', '--lake', `s3://${BUCKET}/lake`],
      env(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no snapshot for 2023-01-01 in s3://${BUCKET}/lake`);
    expect(await stagingFolders()).toEqual(before);
  });
});
