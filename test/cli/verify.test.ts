// `credlake verify` passes on an untouched lake and fails, naming the object, when raw evidence is
// altered, deleted or added behind the runs' backs, or a curated partition is not built from the
// raw report its run names: on a local folder and on an S3 lake.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutcomes, standingOutcomes } from '../../collector/journal.ts';
import { curatedKey, outcomeKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { S3Store } from '../../lake/s3-store.ts';
import type { ObjectStore } from '../../lake/store.ts';
import { runCli } from '../helpers/cli.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';

const DT = '2024-05-01';
let s3: S3Server;
const s3env = () => ({
  AWS_ENDPOINT_URL_S3: s3.endpoint,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
});

beforeAll(async () => {
  s3 = await startS3Server(['credlake-verify']);
});
afterAll(async () => {
  await s3?.close();
});

interface Lake {
  readonly name: string;
  readonly url: string;
  readonly store: ObjectStore;
  readonly env: Record<string, string>;
}

function lakeAt(kind: 'local' | 's3', place: string): Lake {
  return kind === 'local'
    ? { name: 'local', url: place, store: new LocalStore(place), env: {} }
    : {
        name: 's3',
        url: `s3://credlake-verify/${place}`,
        store: new S3Store(s3.client, 'credlake-verify', place),
        env: s3env(),
      };
}

/** One lake per kind, collected by the CLI once; each test verifies a copy of it, object by object. */
const collectedLakes = new Map<string, Promise<Lake>>();

async function makeLake(kind: 'local' | 's3', tag: string): Promise<Lake> {
  let original = collectedLakes.get(kind);
  if (!original) {
    original = (async () => {
      const lake = lakeAt(
        kind,
        kind === 'local' ? await mkdtemp(join(tmpdir(), 'credlake-verify-')) : 'collected',
      );
      const r = await runCli(
        [
          'collect',
          '--simulate',
          '--accounts',
          '5',
          '--seed',
          '4',
          '--date',
          DT,
          '--lake',
          lake.url,
          '--quiet',
        ],
        lake.env,
      );
      expect(r.code, r.stderr).toBe(0);
      return lake;
    })();
    collectedLakes.set(kind, original);
  }
  const source = await original;
  const lake = lakeAt(kind, kind === 'local' ? await mkdtemp(join(tmpdir(), 'credlake-verify-')) : tag);
  for (const key of await source.store.list('')) await lake.store.put(key, (await source.store.get(key))!);
  return lake;
}

const verify = (lake: Lake) => runCli(['verify', '--lake', lake.url], lake.env);

async function collected(lake: Lake) {
  return [...standingOutcomes(await readOutcomes(lake.store, DT)).values()].filter(
    (o) => o.status === 'collected',
  );
}

describe.each(['local', 's3'] as const)('credlake verify on a %s lake', (kind) => {
  it('passes on an untouched lake', async () => {
    const lake = await makeLake(kind, 'untouched');
    const r = await verify(lake);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /2024-05-01: \d+ raw objects in 1 run manifest\(s\), \d+ curated partitions, 1 waivers file\(s\) applied: ok/,
    );
  });

  it('names an altered raw report', async () => {
    const lake = await makeLake(kind, 'altered');
    const [first] = await collected(lake);
    const bytes = (await lake.store.get(first.rawKey!))!;
    await lake.store.put(first.rawKey!, new Uint8Array([...bytes.slice(0, -2), 0x0a]));
    const r = await verify(lake);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`altered\\s+${first.rawKey!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: recorded \\d+ bytes`),
    );
  });

  it('names the waivers file a day was judged by when it was changed after the fact', async () => {
    const lake = await makeLake(kind, 'waivers');
    const [key] = await lake.store.list(`raw/waivers/dt=${DT}/`);
    expect(key).toBeDefined();
    const text = new TextDecoder().decode((await lake.store.get(key))!);
    await lake.store.put(key, text.replace(/expires: \d{4}-\d{2}-\d{2}/, 'expires: 2099-12-31'));
    const r = await verify(lake);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `altered\\s+${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: recorded SHA-256 [0-9a-f]{64}, found`,
      ),
    );
  });

  it('names a deleted raw report and an object no run recorded', async () => {
    const lake = await makeLake(kind, 'deleted');
    const [first] = await collected(lake);
    await lake.store.delete(first.rawKey!);
    const extra = `raw/credential_report/dt=${DT}/account_id=000000000999/generated_at=2024-05-01T05-00-00Z.csv`;
    await lake.store.put(extra, 'user,arn\n');
    const r = await verify(lake);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`missing          ${first.rawKey}: named by a run manifest, not in the lake`);
    expect(r.stdout).toContain(`unrecorded       ${extra}: in the lake, named by no run manifest`);
  });

  it('names a curated partition not built from the raw report its run names', async () => {
    const lake = await makeLake(kind, 'curated');
    const [a, b] = await collected(lake);
    const other = (await lake.store.get(curatedKey('credential_report', DT, b.accountId)))!;
    await lake.store.put(curatedKey('credential_report', DT, a.accountId), other);
    const r = await verify(lake);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `curated_mismatch curated/credential_report/dt=${DT}/account_id=${a.accountId}/`,
    );
    expect(r.stdout).not.toContain(`account_id=${b.accountId}/: holds`);
  });

  it('names an outcome whose raw key is not a report key, instead of skipping it', async () => {
    const lake = await makeLake(kind, 'badkey');
    const [a] = await collected(lake);
    await lake.store.put(
      outcomeKey(DT, a.runId, a.accountId),
      JSON.stringify({ ...a, rawKey: 'raw/credential_report/not-a-report.csv' }),
    );
    const r = await verify(lake);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`unreadable_key +raw/credential_report/not-a-report.csv: run ${a.runId} names it`),
    );
  });
});
