// The deployed path does not grow with the organization: 100 and 400 simulated accounts through
// the synthesized state machine in aws-local-stepfunctions. Every account lands in
// collection_runs exactly once, and neither the largest state payload nor the S3 requests per
// account grow from the one size to the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../lake/s3-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET, Simulator } from '../../simulator/simulator.ts';
import { type CountingProxy, type S3Requests, startCountingProxy } from '../helpers/counting-proxy.ts';
import { deployPipeline, runDeployed } from '../helpers/deployed-pipeline.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';
import { PAYLOAD_LIMIT_BYTES, type RunReport } from '../helpers/step-functions.ts';

const DT = new Date().toISOString().slice(0, 10);
const SIZES = [100, 400];

let s3: S3Server;
let proxy: CountingProxy;
const results = new Map<
  number,
  { report: RunReport; requests: S3Requests; planned: number; runs: string[] }
>();

beforeAll(async () => {
  s3 = await startS3Server(
    SIZES.map((n) => `credlake-scale-${n}`),
    [{ accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET }],
  );
  proxy = await startCountingProxy(s3.endpoint);
  for (const accounts of SIZES) {
    const bucket = `credlake-scale-${accounts}`;
    const store = new S3Store(s3.client, bucket, '');
    const sim = await Simulator.start({
      accounts,
      seed: 7,
      date: DT,
      usersPerAccount: 4,
      athena: { store, bucket, workgroup: 'credlake', database: 'credlake', queueMs: 5 },
    });
    try {
      const deployment = await deployPipeline(sim, s3, bucket, undefined, {
        context: { concurrency: accounts },
        s3Endpoint: proxy.endpoint,
      });
      proxy.reset();
      const report = await runDeployed(deployment, s3);
      const requests = { ...proxy.counts };
      const engine = await DuckDbEngine.openStore(store);
      const runs = (await engine.run('SELECT account_id FROM collection_runs ORDER BY account_id')).rows.map(
        (r) => String(r.account_id),
      );
      engine.close();
      const planned = sim.org.accounts.length;
      expect(runs.sort()).toEqual(sim.org.accounts.map((a) => a.id).sort());
      results.set(accounts, { report, requests, planned, runs });
    } finally {
      await sim.close();
    }
  }
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await s3?.close();
});

describe('the deployed path at 100 and 400 accounts', () => {
  it('runs to the end with every account in collection_runs exactly once', () => {
    for (const [size, r] of results) {
      expect(r.report.status, `${size}: ${JSON.stringify(r.report.error)}`).toBe('SUCCEEDED');
      expect(new Set(r.runs).size, String(size)).toBe(r.runs.length);
      expect(r.runs.length).toBe(r.planned);
    }
  });

  it('keeps the largest state payload flat and far under 256 KiB', () => {
    const [small, large] = SIZES.map((n) => results.get(n)!.report.largestPayload);
    expect(large.bytes).toBeLessThan(PAYLOAD_LIMIT_BYTES / 100);
    // A few more digits in the counts at most.
    expect(large.bytes, `${small.state} ${small.bytes}, ${large.state} ${large.bytes}`).toBeLessThanOrEqual(
      small.bytes + 16,
    );
  });

  it('makes no more S3 requests per account at 400 accounts than at 100', () => {
    const perAccount = (n: number) => {
      const r = results.get(n)!;
      const total = r.requests.get + r.requests.put + r.requests.list + r.requests.head;
      return total / r.planned;
    };
    const [small, large] = SIZES.map(perAccount);
    expect(small).toBeGreaterThan(5);
    expect(large).toBeLessThanOrEqual(small * 1.02);
    const lists = SIZES.map((n) => results.get(n)!.requests.list / results.get(n)!.planned);
    expect(lists[1]).toBeLessThanOrEqual(lists[0] * 1.02);
  });
});
