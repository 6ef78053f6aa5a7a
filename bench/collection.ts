// Collection: credlake's collector and the fixed-poll baseline on the same simulated
// organization and the same latency draws, and the true lower bound from those draws. The
// report-generation wait holds no concurrency slot (the limiter bounds API calls in flight), so
// the bound is the larger of the slowest account's critical path and the total service time of
// the calls every account needs (the first call of each action and every further page of a
// paginated read, never a repeated poll or a retried attempt) spread over the slots.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkAccountAccess } from '../collector/aws/account-access.ts';
import { createClients } from '../collector/aws/clients.ts';
import { sdkOrgApi } from '../collector/aws/org-api.ts';
import { collectRun, DEFAULT_CONCURRENCY } from '../collector/collect-run.ts';
import { discoverAccounts, withAccountTags } from '../collector/discover.ts';
import { DEFAULT_RETRY } from '../collector/retry.ts';
import { LocalStore } from '../lake/local-store.ts';
import { parseFaultSpec } from '../simulator/faults.ts';
import { Simulator } from '../simulator/simulator.ts';
import { collectLikeBaseline } from './baseline-collector.ts';

export interface CollectionFigures {
  accounts: number;
  concurrency: number;
  wall_s: number;
  /** The slowest account's critical path: its first calls and its report's generation. */
  critical_path_s: number;
  /** Every account's required API calls' service time (further pages included) over the slots. */
  service_bound_s: number;
  /** The larger of the two: no collector of this design can finish sooner. */
  lower_bound_s: number;
  ratio_to_lower_bound: number;
  /**
   * The service time of every call the accounts made (throttled attempts and repeated polls
   * included) divided by the concurrency: how close the run kept its slots busy, apart from what
   * throttling and polling added to the work. The organization's listing and tags, on limiters
   * of their own, are not in it.
   */
  work_bound_s: number;
  ratio_to_work_bound: number;
  report_calls_per_account: number;
  baseline_wall_s: number;
  speedup_vs_fixed_poll: number;
  /** Organizations ListTagsForResource calls per account (account-level owners). */
  account_tag_calls_per_account: number;
  /** How long reading every account's tags takes (alongside collection in a local run). */
  account_tags_s: number;
}

const OPTIONS = {
  seed: 42,
  date: '2026-01-15',
  latency: 'realistic' as const,
  faults: parseFaultSpec('throttle=0.02'),
};

async function withSim<T>(accounts: number, work: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await Simulator.start({ ...OPTIONS, accounts });
  try {
    return await work(sim);
  } finally {
    await sim.close();
  }
}

function access(sim: Simulator) {
  const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
  const clients = createClients(connection);
  return {
    connection,
    clients,
    access: sdkAccountAccess(connection, clients.sts, {
      roleName: sim.roleName,
      sessionName: 'credlake-bench',
    }),
  };
}

export async function benchCollection(
  accounts: number,
  log: (s: string) => void,
): Promise<CollectionFigures> {
  const concurrency = DEFAULT_CONCURRENCY;
  const ours = await withSim(accounts, async (sim) => {
    const { clients, access: a } = access(sim);
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-bench-collect-')));
    const started = performance.now();
    const result = await collectRun({
      store,
      dt: sim.date,
      access: await a,
      org: sdkOrgApi(clients.organizations, DEFAULT_RETRY),
      concurrency,
      now: () => sim.now(),
    });
    const wall = (performance.now() - started) / 1000;
    const collected = result.outcomes.filter((o) => o.status === 'collected');
    const calls =
      (sim.stats.calls.get('GenerateCredentialReport') ?? 0) +
      (sim.stats.calls.get('GetCredentialReport') ?? 0);
    const timings = collected.map((o) => sim.stats.timings.get(o.accountId)!);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const criticalPath = Math.max(...timings.map((t) => sum(t.firstCallMs) + t.generationMs)) / 1000;
    const firstCalls = sum(timings.map((t) => sum(Object.values(t.firstByAction)))) / concurrency / 1000;
    const serviceBound = sum(timings.map((t) => t.requiredMs)) / concurrency / 1000;
    log(`  first call of each action only / ${concurrency} slots: ${firstCalls.toFixed(1)} s`);
    const lower = Math.max(criticalPath, serviceBound);
    // The accounts' calls only: the organization's own (its listing, four at a time, and the
    // accounts' tags, eight at a time) go through limiters of their own, not the run's slots.
    const accountTimings = [...sim.stats.timings].filter(([id]) => id !== 'organization').map(([, t]) => t);
    const workBound =
      Math.max(criticalPath * 1000, sum(accountTimings.map((t) => t.serviceMs)) / concurrency) / 1000;
    log(
      `  credlake: ${collected.length} accounts in ${wall.toFixed(1)} s (lower bound ${lower.toFixed(1)} s: critical path ${criticalPath.toFixed(1)} s, service time / ${concurrency} slots ${serviceBound.toFixed(1)} s; every account call made / ${concurrency} slots ${workBound.toFixed(1)} s), ${(calls / collected.length).toFixed(2)} report calls per account`,
    );
    return {
      wall,
      criticalPath,
      serviceBound,
      lower,
      workBound,
      callsPerAccount: calls / collected.length,
      ids: collected.map((o) => o.accountId),
    };
  });
  // The cost of owners: account tags are one Organizations call per account, read after the
  // organization is listed (locally while the accounts are collected; the deployed plan step
  // waits for them); user tags ride on the authorization details already read.
  const tags = await withSim(accounts, async (sim) => {
    const { clients } = access(sim);
    const org = sdkOrgApi(clients.organizations, DEFAULT_RETRY);
    const started = performance.now();
    const { snapshot } = await discoverAccounts(org, sim.date, sim.now());
    const listed = performance.now();
    await withAccountTags(org, snapshot);
    const tagged = performance.now();
    const calls = sim.stats.calls.get('ListTagsForResource') ?? 0;
    log(
      `  account tags: ${calls} ListTagsForResource calls for ${accounts} accounts in ${((tagged - listed) / 1000).toFixed(1)} s, after ${((listed - started) / 1000).toFixed(1)} s of organization listing`,
    );
    return { perAccount: calls / accounts, seconds: (tagged - listed) / 1000 };
  });
  const baseline = await withSim(accounts, async (sim) => {
    const { access: a } = access(sim);
    const started = performance.now();
    const n = await collectLikeBaseline(await a, ours.ids);
    const wall = (performance.now() - started) / 1000;
    log(`  fixed 1 s poll, 10 at a time: ${n} accounts in ${wall.toFixed(1)} s`);
    return wall;
  });
  return {
    accounts,
    concurrency,
    wall_s: round(ours.wall),
    critical_path_s: round(ours.criticalPath),
    service_bound_s: round(ours.serviceBound),
    lower_bound_s: round(ours.lower),
    ratio_to_lower_bound: round(ours.wall / ours.lower, 3),
    work_bound_s: round(ours.workBound),
    ratio_to_work_bound: round(ours.wall / ours.workBound, 3),
    report_calls_per_account: round(ours.callsPerAccount, 2),
    baseline_wall_s: round(baseline),
    speedup_vs_fixed_poll: round(baseline / ours.wall, 2),
    account_tag_calls_per_account: round(tags.perAccount, 2),
    account_tags_s: round(tags.seconds, 2),
  };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
