// The steps of a collection run, one implementation for both drivers: the deployed state machine
// runs them as Lambda tasks (collector/handler.ts), `credlake collect` runs them in this process
// (collect-run.ts). Plan a run, collect one account (or record why its invocation failed),
// finalize. SDK-free: AWS reaches it through the adapters passed in. Nothing here returns a value
// that grows with the organization: the plan's accounts and every outcome live in the lake.
import { curatedKey, manifestKey, runItemsKey, runMapResultsPrefix } from '../lake/keys.ts';
import { getJson, type ObjectStore } from '../lake/store.ts';
import { TABLES, type TableDef } from '../transforms/schema.ts';
import type { AccountAccess, OrgApi } from './api.ts';
import { collectAccount, completePosture, DEFAULT_POLL, type PollPolicy } from './collect-account.ts';
import {
  type AccountFilters,
  discoverAccounts,
  type PlannedAccount,
  planAccounts,
  snapshotFromList,
  withAccountTags,
} from './discover.ts';
import { ApiError, PlanInputError } from './errors.ts';
import { type EvidenceRecord, evidenceOf, withVersion } from './evidence.ts';
import { readOutcomes, standingOutcomes, writeManifest, writeOutcome } from './journal.ts';
import { Limiter } from './limiter.ts';
import { readAccountsSnapshot, type SnapshotUse, storeAccountsSnapshot } from './org-snapshot.ts';
import {
  type AccountInfo,
  type AccountOutcome,
  type AccountsSnapshot,
  newRunId,
  outcomeWithoutReport,
} from './outcome.ts';
import { writeAccountPosture } from './posture.ts';
import { DEFAULT_RETRY, type RetryPolicy, retryPolicyForAccount } from './retry.ts';
import { writeAccounts, writeCollectionRuns } from './write-day-tables.ts';

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
  /** The bucket key of a lake key (the lake may sit under a prefix); identity by default. */
  readonly objectKey?: (key: string) => string;
  /**
   * Bounds API calls in flight. A Lambda collects one account with its own (one call at a time);
   * the local driver shares one across all accounts, so waits between polls hold no slot.
   */
  readonly calls?: Limiter;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
  /** Told when an account starts and stops waiting for its report (progress display). */
  readonly onWaiting?: (accountId: string, waiting: boolean) => void;
  /**
   * How long the plan may spend reading account tags before the rest are recorded as unknown:
   * the deployed plan step has a Lambda timeout, and Organizations throttles (one call per account).
   */
  readonly accountTagsDeadlineMs?: number;
}

/** One account to collect: an item of the Distributed Map. */
export interface AccountItem {
  readonly runId: string;
  readonly dt: string;
  readonly accountId: string;
  readonly accountName: string | null;
  /**
   * Whether the organization manages root credentials centrally, read once by the plan (null:
   * not known). Absent in items of plans that did not read it: the account's step reads it.
   */
  readonly centralizedRootAccess?: boolean | null;
  /** Why the plan could not read it. */
  readonly centralizedRootAccessError?: string;
}

/**
 * Whether the organization manages root credentials centrally: read once per run (IAM answers the
 * management account and IAM's delegated administrator; anyone else, or IAM's trusted access off,
 * is null: unknown). A failure to read it is kept, never turned into a guess.
 */
async function readCentralizedRootAccess(
  access: AccountAccess,
): Promise<{ centralizedRootAccess: boolean | null; centralizedRootAccessError?: string }> {
  return (access.centralizedRootAccess?.() ?? Promise.resolve(null)).then(
    (value) => ({ centralizedRootAccess: value }),
    (error: unknown) => ({
      centralizedRootAccess: null,
      centralizedRootAccessError: error instanceof Error ? error.message : String(error),
    }),
  );
}

export interface PlanOutput {
  readonly runId: string;
  readonly dt: string;
  readonly startedAt: string;
  /** Bucket key of the JSON array of AccountItem the Distributed Map reads. */
  readonly itemsKey: string;
  /** Bucket prefix the Distributed Map writes its children's results under. */
  readonly resultsPrefix: string;
  readonly accounts: number;
  readonly skipped: number;
  /** The organization snapshot this run stands on. */
  readonly accountsKey: string;
  /** Whether the run took the day's first snapshot, kept an identical one, or took a new one. */
  readonly organization: SnapshotUse;
}

export async function planRun(
  deps: PipelineDeps,
  input: { dt?: string; runId?: string } = {},
): Promise<PlanOutput> {
  const { output, snapshot } = await startPlan(deps, input);
  const stored = await snapshot;
  return { ...output, accountsKey: stored.key, organization: stored.use };
}

/**
 * The plan in two parts: the accounts to collect (listed, filtered, skips recorded, items
 * written), returned as soon as they are known; and the organization snapshot, stored once the
 * accounts' tags in Organizations are read (one call per account). The local driver starts
 * collecting while the tags are read; the deployed plan step waits for both.
 */
export async function startPlan(
  deps: PipelineDeps,
  input: { dt?: string; runId?: string } = {},
  /**
   * Called with each account to collect as soon as its part of the organization is listed (the
   * local driver starts it there and then), when the run has no account filters to check
   * against the whole organization first. Every item it is not called with is in the items file.
   */
  onItem?: (item: AccountItem) => void,
): Promise<{
  output: Omit<PlanOutput, 'accountsKey' | 'organization'>;
  snapshot: Promise<{ key: string; use: SnapshotUse }>;
}> {
  const now = deps.now?.() ?? Date.now();
  const dt = input.dt ?? new Date(now).toISOString().slice(0, 10);
  // Run ids come from the wall clock even on a simulated one: they order real executions.
  const runId = input.runId ?? newRunId(Date.now());
  // Root access is read once for the run, alongside the listing: every item carries it.
  const reading = readCentralizedRootAccess(await deps.access());
  const itemOf = (account: AccountInfo, centralized: Awaited<typeof reading>): AccountItem => ({
    runId,
    dt,
    accountId: account.accountId,
    accountName: account.name,
    ...centralized,
  });
  const streamed = new Set<string>();
  const stream =
    onItem && deps.org && !hasFilters(deps.filters)
      ? (accounts: readonly AccountInfo[]) =>
          void reading.then((centralized) => {
            for (const { account, skip } of planAccounts({ accounts }, {})) {
              if (skip) continue;
              streamed.add(account.accountId);
              onItem(itemOf(account, centralized));
            }
          })
      : undefined;
  const { snapshot: listed, planned } = await plan(
    { org: deps.org, filters: deps.filters, dt, onListed: stream },
    now,
  );
  const centralized = await reading;
  const snapshot = (async () => {
    const tagged =
      deps.org && listed.source === 'organizations'
        ? await withAccountTags(deps.org, listed, { deadlineMs: deps.accountTagsDeadlineMs })
        : listed;
    const organization = await storeAccountsSnapshot(deps.store, dt, runId, {
      ...tagged,
      centralizedRootAccess: centralized.centralizedRootAccess,
    });
    await writeAccounts(deps.store, dt);
    await deps.registerPartitions?.(TABLES.accounts, [[dt]]);
    await deps.registerPartitions?.(TABLES.account_tags, [[dt]]);
    return { key: organization.key, use: organization.use };
  })();
  // Whoever awaits the snapshot sees its failure; until then it must not be an unhandled one.
  snapshot.catch(() => undefined);
  const skips = planned.filter((p) => p.skip);
  for (const p of skips) await writeOutcome(deps.store, dt, skipped(p, runId));
  const items: AccountItem[] = planned.filter((p) => !p.skip).map((p) => itemOf(p.account, centralized));
  const key = runItemsKey(dt, runId);
  await deps.store.put(key, JSON.stringify(items), { contentType: 'application/json' });
  if (onItem) for (const item of items) if (!streamed.has(item.accountId)) onItem(item);
  return {
    output: {
      runId,
      dt,
      startedAt: new Date(now).toISOString(),
      itemsKey: deps.objectKey?.(key) ?? key,
      resultsPrefix: deps.objectKey?.(runMapResultsPrefix(dt, runId)) ?? runMapResultsPrefix(dt, runId),
      accounts: items.length,
      skipped: skips.length,
    },
    snapshot,
  };
}

export async function collectOne(deps: PipelineDeps, item: AccountItem): Promise<AccountOutcome> {
  const earlier = standingOutcomes(
    await readOutcomes(deps.store, item.dt, { accountId: item.accountId }),
  ).get(item.accountId);
  // A late invocation, after Finalize wrote the run's manifest and the day's tables, changes
  // nothing: the run's record stands as Finalize closed it.
  if ((await deps.store.list(manifestKey(item.dt, item.runId))).length > 0) {
    return (
      (await recordedOutcome(deps.store, item)) ??
      outcomeWithoutReport({
        accountId: item.accountId,
        accountName: item.accountName,
        status: 'failed',
        reason: 'lost',
        message: `invoked after run ${item.runId} was finalized: nothing collected or recorded`,
        runId: item.runId,
      })
    );
  }
  const access = await deps.access();
  // Whether root is managed centrally decides root findings: the plan read it once for the run
  // (an item of an older plan has it read here). A failure to read it marks the account's posture
  // failed (its posture checks not evaluated), never a silent "unknown".
  const centralized =
    'centralizedRootAccess' in item
      ? {
          centralizedRootAccess: item.centralizedRootAccess ?? null,
          centralizedRootAccessError: item.centralizedRootAccessError,
        }
      : await readCentralizedRootAccess(access);
  const job = {
    ...centralized,
    store: deps.store,
    dt: item.dt,
    runId: item.runId,
    access,
    calls: deps.calls ?? new Limiter(1),
    retry: retryPolicyForAccount(deps.retry ?? DEFAULT_RETRY),
    poll: deps.poll ?? DEFAULT_POLL,
    reportTimeoutMs: deps.reportTimeoutMs,
    now: deps.now ?? Date.now,
    signal: deps.signal,
    random: deps.random,
    onWaiting: deps.onWaiting,
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
  // Step Functions invokes at least once: another invocation of this item may have recorded a
  // collected outcome meanwhile, and a worse one never replaces it.
  if (outcome.status !== 'collected') {
    const recorded = await recordedOutcome(deps.store, item);
    if (recorded?.status === 'collected') return recorded;
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
    await deps.registerPartitions?.(TABLES.user_tags, [[item.dt, item.accountId]]);
  }
  return outcome;
}

/** The outcome this run has recorded for the item's account so far, if any. */
async function recordedOutcome(store: ObjectStore, item: AccountItem): Promise<AccountOutcome | undefined> {
  const mine = await readOutcomes(store, item.dt, { accountId: item.accountId, runId: item.runId });
  return standingOutcomes(mine).get(item.accountId);
}

/** What Step Functions hands the failure step when a collect invocation ends in an error. */
export interface FailedItem {
  readonly item: AccountItem;
  readonly error: { readonly Error?: string; readonly Cause?: string };
}

/**
 * Journals the failure of an account whose collect invocation threw, timed out or could not be
 * invoked. An outcome the collect step already wrote for this run stands.
 */
export async function recordFailure(deps: PipelineDeps, failed: FailedItem): Promise<AccountOutcome> {
  const { item, error } = failed;
  const mine = await readOutcomes(deps.store, item.dt, { accountId: item.accountId, runId: item.runId });
  if (mine.length) return mine[mine.length - 1];
  const outcome = outcomeWithoutReport({
    accountId: item.accountId,
    accountName: item.accountName,
    status: 'failed',
    reason: 'error',
    message: `collect step failed: ${error.Error ?? 'unknown error'}: ${causeText(error.Cause)}`.slice(
      0,
      500,
    ),
    runId: item.runId,
  });
  await writeOutcome(deps.store, item.dt, outcome);
  return outcome;
}

function causeText(cause: string | undefined): string {
  if (!cause) return '';
  try {
    // Lambda errors arrive as a JSON document with errorMessage.
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

const NOTICE_ACCOUNTS = 100;

export interface FinalizeInput {
  readonly runId: string;
  readonly dt: string;
  readonly startedAt: string;
  /** The local driver stopped early (Ctrl-C): the manifest says so. */
  readonly interrupted?: boolean;
}

export interface FinalizeOutput {
  readonly runId: string;
  readonly dt: string;
  readonly collected: number;
  readonly failed: number;
  readonly skipped: number;
  /** Planned accounts that ended with no outcome at all, recorded as failed (reason `lost`). */
  readonly lost: number;
  readonly manifestKey: string;
}

/**
 * Closes a run: reconciles the plan's account list against the outcomes journaled in the lake,
 * so every planned account ends in the manifest and `collection_runs` whatever happened to its
 * invocation, then rebuilds the day's run tables and notifies when accounts failed.
 */
export async function finalizeRun(deps: PipelineDeps, input: FinalizeInput): Promise<FinalizeOutput> {
  return (await closeRun(deps, input)).output;
}

/** finalizeRun, also handing the local driver the run's outcomes (a Lambda returns only the summary). */
export async function closeRun(
  deps: PipelineDeps,
  input: FinalizeInput,
): Promise<{ output: FinalizeOutput; outcomes: AccountOutcome[] }> {
  const items = (await getJson<AccountItem[]>(deps.store, runItemsKey(input.dt, input.runId))) ?? [];
  const outcomes = await readOutcomes(deps.store, input.dt, { runId: input.runId });
  const seen = new Set(outcomes.map((o) => o.accountId));
  let lost = 0;
  for (const item of items) {
    if (seen.has(item.accountId)) continue;
    const outcome = outcomeWithoutReport({
      accountId: item.accountId,
      accountName: item.accountName,
      status: 'failed',
      reason: 'lost',
      message:
        'planned, but no outcome was recorded: its collect step ended without one (see the execution history)',
      runId: input.runId,
    });
    await writeOutcome(deps.store, input.dt, outcome);
    outcomes.push(outcome);
    lost++;
  }
  outcomes.sort((a, b) => a.accountId.localeCompare(b.accountId));
  const manifestKey = await writeManifest(deps.store, {
    runId: input.runId,
    dt: input.dt,
    startedAt: input.startedAt,
    finishedAt: new Date(deps.now?.() ?? Date.now()).toISOString(),
    interrupted: input.interrupted ?? false,
    outcomes,
    evidence: await runEvidence(deps.store, input.dt, outcomes),
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
    lost,
    manifestKey,
  };
  if (failed.length && deps.notify) {
    // SNS takes 256 KB: name the first accounts, count the rest (the run record has them all).
    const lines = failed
      .slice(0, NOTICE_ACCOUNTS)
      .map((o) => `${o.accountId} ${o.accountName ?? ''}: ${o.reason} ${o.message ?? ''}`);
    if (failed.length > NOTICE_ACCOUNTS) lines.push(`... and ${failed.length - NOTICE_ACCOUNTS} more`);
    await deps.notify(
      `credlake ${input.dt}: ${failed.length} account(s) not collected`,
      `Run ${input.runId} for ${input.dt}: ${out.collected} collected, ${out.failed} failed, ${out.skipped} skipped.\n\n${lines.join('\n')}`,
    );
  }
  return { output: out, outcomes };
}

/** The chain of custody of a run: every raw object its outcomes rest on, and the org snapshot. */
async function runEvidence(
  store: ObjectStore,
  dt: string,
  outcomes: AccountOutcome[],
): Promise<EvidenceRecord[]> {
  const records = new Map<string, EvidenceRecord>();
  for (const o of outcomes) for (const e of o.evidence ?? []) records.set(e.key, e);
  const current = await readAccountsSnapshot(store, dt);
  const snapshot = current && (await store.get(current.key));
  if (current && snapshot)
    records.set(current.key, await withVersion(store, evidenceOf(current.key, snapshot)));
  return [...records.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Whether any account filter is set: then the whole organization is checked before any starts. */
function hasFilters(filters: AccountFilters): boolean {
  return !!(filters.accounts?.length || filters.excludeAccounts?.length || filters.ous?.length);
}

/** Discovers (or lists) the accounts of a run and decides which it collects. */
export async function plan(
  options: {
    org?: OrgApi;
    filters?: AccountFilters;
    dt: string;
    /** Each batch of accounts as the listing finds them (one OU's at a time). */
    onListed?: (accounts: readonly AccountInfo[]) => void;
  },
  now: number,
): Promise<{ snapshot: AccountsSnapshot; planned: PlannedAccount[] }> {
  const filters = options.filters ?? {};
  if (options.org) {
    try {
      const { snapshot, ouIdsByAccount } = await discoverAccounts(
        options.org,
        options.dt,
        now,
        options.onListed,
      );
      checkFilters(filters, snapshot, ouIdsByAccount);
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

/**
 * Every account and OU a filter names must exist in the organization: a mistyped id would
 * otherwise quietly exclude every account, or skip nothing.
 */
function checkFilters(
  filters: AccountFilters,
  snapshot: AccountsSnapshot,
  ouIdsByAccount: Map<string, string[]>,
): void {
  const accounts = new Set(snapshot.accounts.map((a) => a.accountId));
  const ous = new Set([...ouIdsByAccount.values()].flat());
  const where = `organization ${snapshot.organizationId ?? ''}`.trim();
  const problems = [
    ...(filters.accounts ?? []).filter((id) => !accounts.has(id)).map((id) => `account ${id} (to collect)`),
    ...(filters.excludeAccounts ?? [])
      .filter((id) => !accounts.has(id))
      .map((id) => `account ${id} (to exclude)`),
    ...(filters.ous ?? []).filter((id) => !ous.has(id)).map((id) => `OU ${id}`),
  ];
  if (problems.length) {
    throw new PlanInputError(
      `${problems.join(', ')} ${problems.length === 1 ? 'is' : 'are'} not in the ${where}: expected ids of its accounts and of its root or OUs (OU ids look like ou-ab12-cdef3456)`,
    );
  }
}

/** An account collected earlier today keeps its report: nothing is fetched or rewritten. */
async function isStillInLake(store: ObjectStore, dt: string, outcome: AccountOutcome): Promise<boolean> {
  if (!outcome.rawKey) return false;
  return (
    (await store.exists(outcome.rawKey)) &&
    (await store.exists(curatedKey('credential_report', dt, outcome.accountId)))
  );
}

function alreadyCollected(before: AccountOutcome, runId: string): AccountOutcome {
  return {
    ...before,
    runId,
    reason: 'already_collected',
    message: `collected earlier today by run ${before.runId}; kept as it was`,
    attempts: 0,
    durationMs: 0,
  };
}

function skipped(p: PlannedAccount, runId: string): AccountOutcome {
  return outcomeWithoutReport({
    accountId: p.account.accountId,
    accountName: p.account.name,
    status: 'skipped',
    reason: p.skip!.reason,
    message: p.skip!.message,
    runId,
  });
}
