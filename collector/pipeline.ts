// The deployed pipeline's three steps, as the Step Functions state machine runs them: plan a
// run, collect one account, finalize. SDK-free: AWS reaches it through the adapters passed in.
import { curatedKey, rawAccountsKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { TABLES, type TableDef } from '../transforms/schema.ts';
import type { AccountAccess, OrgApi } from './api.ts';
import { collectAccount, completePosture, DEFAULT_POLL, type PollPolicy } from './collect-account.ts';
import { alreadyCollected, isStillInLake, plan, skipped } from './collect-run.ts';
import { writeAccounts, writeCollectionRuns } from './curate.ts';
import type { AccountFilters } from './discover.ts';
import { readOutcomes, standingOutcomes, writeManifest, writeOutcome } from './journal.ts';
import { Limiter } from './limiter.ts';
import { type AccountOutcome, newRunId, outcomeWithoutReport } from './outcome.ts';
import { writeAccountPosture } from './posture.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';

export interface PipelineDeps {
  readonly store: ObjectStore;
  readonly org?: OrgApi;
  readonly access: () => Promise<AccountAccess>;
  readonly filters: AccountFilters;
  readonly reportTimeoutMs: number;
  readonly registerPartitions?: (table: TableDef, partitions: string[][]) => Promise<void>;
  readonly notify?: (subject: string, message: string) => Promise<void>;
  readonly now?: () => number;
  readonly poll?: PollPolicy;
  readonly retry?: RetryPolicy;
}

/** One account to collect: an item of the Distributed Map. */
export interface AccountItem {
  readonly runId: string;
  readonly dt: string;
  readonly accountId: string;
  readonly accountName: string | null;
}

export interface PlanOutput {
  readonly runId: string;
  readonly dt: string;
  readonly startedAt: string;
  readonly items: AccountItem[];
  readonly skipped: number;
}

export async function planRun(deps: PipelineDeps, input: { dt?: string } = {}): Promise<PlanOutput> {
  const now = deps.now?.() ?? Date.now();
  const dt = input.dt ?? new Date(now).toISOString().slice(0, 10);
  const runId = newRunId(Date.now());
  const { snapshot, planned } = await plan({ org: deps.org, filters: deps.filters, dt }, now);
  await deps.store.put(rawAccountsKey(dt), JSON.stringify(snapshot, null, 2), {
    ifAbsent: true,
    contentType: 'application/json',
  });
  await writeAccounts(deps.store, dt);
  await deps.registerPartitions?.(TABLES.accounts, [[dt]]);
  const skips = planned.filter((p) => p.skip);
  for (const p of skips) await writeOutcome(deps.store, dt, skipped(p, runId));
  const items = planned
    .filter((p) => !p.skip)
    .map((p) => ({ runId, dt, accountId: p.account.accountId, accountName: p.account.name }));
  return { runId, dt, startedAt: new Date(now).toISOString(), items, skipped: skips.length };
}

export async function collectOne(deps: PipelineDeps, item: AccountItem): Promise<AccountOutcome> {
  const earlier = standingOutcomes(await readOutcomes(deps.store, item.dt)).get(item.accountId);
  const access = await deps.access();
  const job = {
    centralizedRootAccess: (await access.centralizedRootAccess?.()) ?? null,
    store: deps.store,
    dt: item.dt,
    runId: item.runId,
    access,
    calls: new Limiter(1),
    retry: deps.retry ?? DEFAULT_RETRY,
    poll: deps.poll ?? DEFAULT_POLL,
    reportTimeoutMs: deps.reportTimeoutMs,
    now: deps.now ?? Date.now,
  };
  const account = {
    accountId: item.accountId,
    name: item.accountName,
    email: null,
    state: 'ACTIVE',
    ouPath: null,
    joinedAt: null,
  };
  let outcome: AccountOutcome;
  if (
    earlier?.status === 'collected' &&
    earlier.runId !== item.runId &&
    (await isStillInLake(deps.store, item.dt, earlier))
  ) {
    // The report stands; a posture that could not be read earlier is read now.
    outcome = earlier.postureFailed
      ? await completePosture(job, account, earlier)
      : alreadyCollected(earlier, item.runId);
  } else {
    outcome = await collectAccount(job, account);
  }
  await writeOutcome(deps.store, item.dt, outcome);
  if (
    outcome.status === 'collected' &&
    (await deps.store.exists(curatedKey('credential_report', item.dt, item.accountId)))
  ) {
    await deps.registerPartitions?.(TABLES.credential_report, [[item.dt, item.accountId]]);
  }
  if (
    outcome.postureFailed === false &&
    (await deps.store.exists(curatedKey('user_privileges', item.dt, item.accountId)))
  ) {
    await deps.registerPartitions?.(TABLES.user_privileges, [[item.dt, item.accountId]]);
  }
  return outcome;
}

export interface FinalizeInput {
  readonly runId: string;
  readonly dt: string;
  readonly startedAt: string;
  /** The Map's results: an outcome per item, or the error of an item whose Lambda failed. */
  readonly results: readonly (AccountOutcome | { accountId?: string; Error?: string; Cause?: string })[];
}

export interface FinalizeOutput {
  readonly runId: string;
  readonly dt: string;
  readonly collected: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failedAccounts: { accountId: string; reason: string | null; message: string | null }[];
  readonly manifestKey: string;
}

export async function finalizeRun(deps: PipelineDeps, input: FinalizeInput): Promise<FinalizeOutput> {
  const journaled = (await readOutcomes(deps.store, input.dt)).filter((o) => o.runId === input.runId);
  const outcomes = [...journaled];
  // A Lambda that died before journaling its account still leaves a record here.
  for (const r of input.results) {
    if ('status' in r || !r.accountId || outcomes.some((o) => o.accountId === r.accountId)) continue;
    const lost = outcomeWithoutReport({
      accountId: r.accountId,
      accountName: null,
      status: 'failed',
      reason: 'error',
      message: `${r.Error ?? 'Lambda error'}: ${r.Cause ?? ''}`.slice(0, 500),
      runId: input.runId,
    });
    await writeOutcome(deps.store, input.dt, lost);
    outcomes.push(lost);
  }
  outcomes.sort((a, b) => a.accountId.localeCompare(b.accountId));
  const manifestKey = await writeManifest(deps.store, {
    runId: input.runId,
    dt: input.dt,
    startedAt: input.startedAt,
    finishedAt: new Date(deps.now?.() ?? Date.now()).toISOString(),
    interrupted: false,
    outcomes,
  });
  await writeCollectionRuns(deps.store, input.dt);
  await deps.registerPartitions?.(TABLES.collection_runs, [[input.dt]]);
  await writeAccountPosture(deps.store, input.dt);
  await deps.registerPartitions?.(TABLES.account_posture, [[input.dt]]);
  const failed = outcomes.filter((o) => o.status === 'failed');
  const out: FinalizeOutput = {
    runId: input.runId,
    dt: input.dt,
    collected: outcomes.filter((o) => o.status === 'collected').length,
    failed: failed.length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failedAccounts: failed.map((o) => ({ accountId: o.accountId, reason: o.reason, message: o.message })),
    manifestKey,
  };
  if (failed.length && deps.notify) {
    const lines = failed.map((o) => `${o.accountId} ${o.accountName ?? ''}: ${o.reason} ${o.message ?? ''}`);
    await deps.notify(
      `credlake ${input.dt}: ${failed.length} account(s) not collected`,
      `Run ${input.runId} for ${input.dt}: ${out.collected} collected, ${out.failed} failed, ${out.skipped} skipped.\n\n${lines.join('\n')}`,
    );
  }
  return out;
}
