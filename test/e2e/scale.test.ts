// The deployed path does not grow with the organization: 100 and 400 simulated accounts through
// the synthesized state machine in aws-local-stepfunctions. Every account lands in
// collection_runs exactly once, and neither the largest state payload nor the S3 requests per
// account grow from the one size to the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET } from '../../simulator/simulator.ts';
import { type CountingProxy, type S3Requests, startCountingProxy } from '../helpers/counting-proxy.ts';
import { runSimulatedOrganization } from '../helpers/deployed-pipeline.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';
import { PAYLOAD_LIMIT_BYTES, type RunReport } from '../helpers/step-functions.ts';

const SIZES = [100, 400];

let s3: S3Server;
let proxy: CountingProxy;
const results = new Map<
  number,
  { report: RunReport; requests: S3Requests; planned: number; runs: string[] }
>();

beforeAll(async () => {
  s3 = await startS3Server([], [{ accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET }]);
  proxy = await startCountingProxy(s3.endpoint);
  for (const accounts of SIZES) {
    const run = await runSimulatedOrganization(s3, proxy, { accounts, seed: 7, concurrency: accounts });
    expect([...run.runs].sort()).toEqual([...run.accounts].sort());
    results.set(accounts, {
      report: run.report,
      requests: run.requests,
      planned: run.accounts.length,
      runs: run.runs,
    });
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
