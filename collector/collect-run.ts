// `credlake collect` and `credlake run`: a local driver of exactly the steps the deployed state
// machine runs (run-steps.ts): plan, collect every planned account, finalize. Accounts run at
// once, and one limiter bounds the API calls in flight across them, so waits between polls hold
// no slot; Ctrl-C finishes the accounts in flight and the run record says it was interrupted.

import { COLLECTOR_DEFAULTS } from '../common/defaults.ts';
import type { ObjectStore } from '../lake/store.ts';
import type { AccountAccess, OrgApi } from './api.ts';
import type { PollPolicy } from './collect-account.ts';
import type { AccountFilters } from './discover.ts';
import { Limiter } from './limiter.ts';
import { readAccountsSnapshot, type SnapshotUse } from './org-snapshot.ts';
import type { AccountOutcome, AccountsSnapshot } from './outcome.ts';
import { type RetryPolicy, retryPolicyForRun } from './retry.ts';
import { type AccountItem, closeRun, collectOne, type PipelineDeps, startPlan } from './run-steps.ts';

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
  /** Accounts waiting for IAM to generate their report, and the longest wait so far. */
  readonly waiting?: { readonly accounts: number; readonly longestMs: number; readonly deadlineMs: number };
  readonly outcome?: AccountOutcome;
}

export interface RunResult {
  readonly runId: string;
  readonly dt: string;
  readonly outcomes: AccountOutcome[];
  readonly snapshot: AccountsSnapshot;
  /** The organization snapshot the run stands on, and whether it took it or kept the day's. */
  readonly organization: { readonly key: string; readonly use: SnapshotUse };
  readonly manifestKey: string;
  readonly interrupted: boolean;
}

export const DEFAULT_CONCURRENCY = COLLECTOR_DEFAULTS.concurrency;
export const DEFAULT_REPORT_TIMEOUT_MS = COLLECTOR_DEFAULTS.reportTimeoutSeconds * 1000;

export async function collectRun(options: CollectOptions): Promise<RunResult> {
  const { store, dt } = options;
  const reportTimeoutMs = options.reportTimeoutMs ?? DEFAULT_REPORT_TIMEOUT_MS;
  const waitingSince = new Map<string, number>();
  const waiting = () => {
    const now = performance.now();
    const longestMs = Math.max(0, ...[...waitingSince.values()].map((t) => now - t));
    return { accounts: waitingSince.size, longestMs, deadlineMs: reportTimeoutMs };
  };
  const deps: PipelineDeps = {
    store,
    org: options.org,
    access: async () => options.access,
    filters: options.filters ?? {},
    reportTimeoutMs,
    now: options.now,
    poll: options.poll,
    retry: retryPolicyForRun(options.retry),
    calls: new Limiter(options.concurrency ?? DEFAULT_CONCURRENCY),
    signal: options.signal,
    random: options.random,
    onWaiting: (accountId, isWaiting) => {
      if (isWaiting) waitingSince.set(accountId, performance.now());
      else waitingSince.delete(accountId);
      options.onProgress?.({ ...progress, waiting: waiting() });
    },
  };
  const progress = { total: 0, done: 0, failed: 0, inFlight: 0 };
  const running: Promise<void>[] = [];
  const start = (item: AccountItem) => {
    // Until the listing ends, the total is what has been listed so far.
    progress.total++;
    progress.inFlight++;
    running.push(
      collectOne(deps, item).then((outcome) => {
        progress.inFlight--;
        progress.done++;
        if (outcome.status === 'failed') progress.failed++;
        options.onProgress?.({ ...progress, waiting: waiting(), outcome });
      }),
    );
  };
  // Each account starts as soon as its part of the organization is listed; the organization
  // snapshot (with the accounts' tags) is stored meanwhile, and the run closes only once it is.
  const { output: plan, snapshot: stored } = await startPlan(deps, { dt, runId: options.runId }, start);
  progress.total = plan.accounts + plan.skipped;
  progress.done += plan.skipped;
  options.onProgress?.({ ...progress });
  await Promise.all(running);
  const organization = await stored;
  const interrupted = options.signal?.aborted ?? false;
  const closed = await closeRun(deps, { runId: plan.runId, dt, startedAt: plan.startedAt, interrupted });
  const snapshot = (await readAccountsSnapshot(store, dt))!.snapshot;
  return {
    runId: plan.runId,
    dt,
    outcomes: closed.outcomes,
    snapshot,
    organization,
    manifestKey: closed.output.manifestKey,
    interrupted,
  };
}
