// A collection run over an organization: snapshot, plan, every account as an outcome, then the
// manifest and the run tables, written even when accounts fail or the run is interrupted.
import { curatedKey, rawAccountsKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import type { AccountAccess, OrgApi } from './api.ts';
import { collectAccount, completePosture, DEFAULT_POLL, type PollPolicy } from './collect-account.ts';
import { writeAccounts, writeCollectionRuns } from './curate.ts';
import {
  type AccountFilters,
  discoverAccounts,
  type PlannedAccount,
  planAccounts,
  snapshotFromList,
} from './discover.ts';
import { ApiError } from './errors.ts';
import { readOutcomes, standingOutcomes, writeManifest, writeOutcome } from './journal.ts';
import { Limiter } from './limiter.ts';
import { type AccountOutcome, type AccountsSnapshot, newRunId, outcomeWithoutReport } from './outcome.ts';
import { writeAccountPosture } from './posture.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';

export interface CollectOptions {
  readonly store: ObjectStore;
  readonly dt: string;
  readonly access: AccountAccess;
  /** Organizations access; without it, `filters.accounts` is the list to collect. */
  readonly org?: OrgApi;
  readonly filters?: AccountFilters;
  /** API calls in flight at once, across accounts. */
  readonly concurrency?: number;
  readonly reportTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly poll?: PollPolicy;
  readonly signal?: AbortSignal;
  readonly runId?: string;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly outcome?: AccountOutcome;
}

export interface RunResult {
  readonly runId: string;
  readonly dt: string;
  readonly outcomes: AccountOutcome[];
  readonly snapshot: AccountsSnapshot;
  readonly manifestKey: string;
  readonly interrupted: boolean;
}

export const DEFAULT_CONCURRENCY = 20;
export const DEFAULT_REPORT_TIMEOUT_MS = 300_000;

export async function collectRun(options: CollectOptions): Promise<RunResult> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  // Run ids come from the wall clock even on a simulated one: they order real executions.
  const runId = options.runId ?? newRunId(Date.now());
  const { store, dt } = options;
  const { snapshot, planned } = await plan(options, now());
  // The day's org snapshot is raw evidence too: the first one of the day stands.
  await store.put(rawAccountsKey(dt), JSON.stringify(snapshot, null, 2), {
    ifAbsent: true,
    contentType: 'application/json',
  });
  await writeAccounts(store, dt);

  const earlier = standingOutcomes(await readOutcomes(store, dt));
  const calls = new Limiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  const job = {
    store,
    dt,
    runId,
    access: options.access,
    calls,
    retry: options.retry ?? DEFAULT_RETRY,
    poll: options.poll ?? DEFAULT_POLL,
    reportTimeoutMs: options.reportTimeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS,
    signal: options.signal,
    now,
    random: options.random,
    centralizedRootAccess: (await options.access.centralizedRootAccess?.()) ?? null,
  };
  const toCollect = planned.filter((p) => !p.skip);
  const progress = { total: planned.length, done: 0, failed: 0, inFlight: 0 };
  const record = async (outcome: AccountOutcome) => {
    await writeOutcome(store, dt, outcome);
    progress.done++;
    if (outcome.status === 'failed') progress.failed++;
    options.onProgress?.({ ...progress, inFlight: progress.inFlight, outcome });
    return outcome;
  };
  const outcomes: AccountOutcome[] = [];
  for (const p of planned.filter((x) => x.skip)) outcomes.push(await record(skipped(p, runId)));
  outcomes.push(
    ...(await Promise.all(
      toCollect.map(async ({ account }) => {
        const before = earlier.get(account.accountId);
        if (before?.status === 'collected' && (await isStillInLake(store, dt, before))) {
          if (!before.postureFailed) return record(alreadyCollected(before, runId));
          // The report stands; only the posture is still missing.
          return record(await completePosture(job, account, before));
        }
        progress.inFlight++;
        const outcome = await collectAccount(job, account);
        progress.inFlight--;
        return record(outcome);
      }),
    )),
  );
  outcomes.sort((a, b) => a.accountId.localeCompare(b.accountId));
  const interrupted = options.signal?.aborted ?? false;
  const manifestKey = await writeManifest(store, {
    runId,
    dt,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(now()).toISOString(),
    interrupted,
    outcomes,
  });
  await writeCollectionRuns(store, dt);
  await writeAccountPosture(store, dt);
  return { runId, dt, outcomes, snapshot, manifestKey, interrupted };
}

/** Discovers (or lists) the accounts of a run and decides which it collects. */
export async function plan(
  options: Pick<CollectOptions, 'org' | 'filters' | 'dt'>,
  now: number,
): Promise<{ snapshot: AccountsSnapshot; planned: PlannedAccount[] }> {
  const filters = options.filters ?? {};
  if (options.org) {
    try {
      const { snapshot, ouIdsByAccount } = await discoverAccounts(options.org, options.dt, now);
      return { snapshot, planned: planAccounts(snapshot, filters, ouIdsByAccount) };
    } catch (error) {
      const denied = error instanceof ApiError && error.kind === 'access_denied';
      if (!denied || !filters.accounts) throw error;
    }
  }
  if (!filters.accounts?.length) {
    throw new Error(
      'no Organizations access and no account list: give the accounts to collect with --accounts',
    );
  }
  const snapshot = snapshotFromList(filters.accounts, options.dt, now);
  return { snapshot, planned: planAccounts(snapshot, { ...filters, accounts: undefined }) };
}

/** An account collected earlier today keeps its report: nothing is fetched or rewritten. */
export async function isStillInLake(
  store: ObjectStore,
  dt: string,
  outcome: AccountOutcome,
): Promise<boolean> {
  if (!outcome.rawKey) return false;
  return (
    (await store.exists(outcome.rawKey)) &&
    (await store.exists(curatedKey('credential_report', dt, outcome.accountId)))
  );
}

export function alreadyCollected(before: AccountOutcome, runId: string): AccountOutcome {
  return {
    ...before,
    runId,
    reason: 'already_collected',
    message: `collected earlier today by run ${before.runId}; kept as it was`,
    attempts: 0,
    durationMs: 0,
  };
}

export function skipped(p: PlannedAccount, runId: string): AccountOutcome {
  return outcomeWithoutReport({
    accountId: p.account.accountId,
    accountName: p.account.name,
    status: 'skipped',
    reason: p.skip!.reason,
    message: p.skip!.message,
    runId,
  });
}
