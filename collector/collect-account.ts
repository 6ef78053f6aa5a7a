// One account, start to finish: credentials, report generation, polling, fetch, raw evidence,
// curated partition. Always ends as an outcome value; nothing here throws for an account's fault.

import { writeCurated } from '../curation/curated-object.ts';
import { curateReport, notesLine } from '../curation/report.ts';
import { RAW_ZONES } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import type { AccountAccess, CallWrapper, FetchedReport, ReportApi } from './api.ts';
import { ApiError, InterruptedError } from './errors.ts';
import { type EvidenceRecord, storeRawReport } from './evidence.ts';
import type { Limiter } from './limiter.ts';
import {
  type AccountInfo,
  type AccountOutcome,
  type FailureReason,
  outcomeWithoutReport,
} from './outcome.ts';
import { type PostureRecord, readPostureRecord, storePosture } from './posture.ts';
import { type AttemptCounter, type RetryPolicy, sleep, withRetry } from './retry.ts';

export interface PollPolicy {
  /** First wait after asking IAM for a report. */
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** Plus or minus this fraction of each wait, so accounts do not poll in lockstep. */
  readonly jitter: number;
}

/** IAM usually needs 1 to 5 s: the first look comes at 2.5 s, then every 1.5 s growing to 5 s. */
export const DEFAULT_POLL: PollPolicy = { initialMs: 2_500, factor: 1.25, maxMs: 5_000, jitter: 0.2 };

export interface AccountJob {
  readonly store: ObjectStore;
  readonly dt: string;
  readonly runId: string;
  readonly access: AccountAccess;
  /** Bounds the API calls in flight across all accounts; waits between polls hold no slot. */
  readonly calls: Limiter;
  readonly retry: RetryPolicy;
  readonly poll: PollPolicy;
  readonly reportTimeoutMs: number;
  readonly signal?: AbortSignal;
  readonly now: () => number;
  readonly random?: () => number;
  /** The organization manages root credentials centrally (null: unknown). */
  readonly centralizedRootAccess?: boolean | null;
  /** Why whether root is managed centrally could not be read (the caller's own IAM call failed). */
  readonly centralizedRootAccessError?: string;
  /** Told when an account starts and stops waiting for IAM to generate its report. */
  readonly onWaiting?: (accountId: string, waiting: boolean) => void;
}

/** The limiter's priority of an account's first calls: ahead of every ticket. */
const URGENT = 0;
/**
 * The priority of the authorization-details pages: after every account's first calls, ahead of
 * every ticket. They are the run's longest chains (each page asked once the one before is
 * answered, a dozen pages or more for an account of many users); in ticket order, the chain of a
 * large account begun late started late, and the run ended on its pages read one by one.
 */
const CHAINS = 0.5;

/**
 * Call wrappers of one account at a given limiter priority, with the job's retries counted on the
 * account. A slot is held only while a call is in flight: backoff sleeps between attempts hold none.
 */
function callerAt(job: AccountJob, counter: AttemptCounter) {
  return (priority: number): CallWrapper =>
    (fn) =>
      withRetry(() => job.calls.run(fn, priority), counter, job.retry, job.signal, job.random);
}

export async function collectAccount(job: AccountJob, account: AccountInfo): Promise<AccountOutcome> {
  const started = performance.now();
  const counter: AttemptCounter = { attempts: 0 };
  const base = { accountId: account.accountId, accountName: account.name, runId: job.runId };
  const finish = (
    fields: Partial<AccountOutcome> & Pick<AccountOutcome, 'status' | 'reason' | 'message'>,
  ): AccountOutcome =>
    outcomeWithoutReport({
      ...base,
      attempts: counter.attempts,
      durationMs: Math.round(performance.now() - started),
      ...fields,
    });
  // The order the limiter serves calls in. An account's first calls (credentials and the report
  // request) go ahead of everything, so IAM starts building every report as early as it can;
  // its later calls (fetches, posture pages) go in the order the accounts started, so begun
  // accounts finish first. In arrival order, each of an account's later calls queued behind the
  // whole backlog, and a run ended on its last accounts' calls read one by one.
  const order = job.calls.ticket();
  // The posture is read while IAM builds the report, when there is a wait: the account's calls
  // then fill slots the wait would leave to other accounts, and the first look at the report comes
  // once they are done, when the report is more often ready. What was read is stored only beside
  // a collected report, as when it was read after it; an outcome is returned only once the reads
  // have ended, so no call of the account outlives it.
  const callAt = callerAt(job, counter);
  const call = callAt(order);
  const startCall = callAt(URGENT);
  const chainCall = callAt(CHAINS);
  let posture: Promise<PostureRead> | undefined;
  const postureOnce = (api: ReportApi) =>
    (posture ??= readPosture(job, api, call, account, job.now(), chainCall));
  const failed = async (
    fields: Partial<AccountOutcome> & Pick<AccountOutcome, 'status' | 'reason' | 'message'>,
  ): Promise<AccountOutcome> => {
    await posture;
    return finish(fields);
  };
  try {
    const api = await startCall(() => job.access.reportApiFor(account.accountId));
    job.onWaiting?.(account.accountId, true);
    let report: FetchedReport;
    try {
      report = await waitForReport(job, api, call, startCall, () => postureOnce(api));
    } finally {
      job.onWaiting?.(account.accountId, false);
    }
    const fetchedAt = job.now();
    // Keys and the curated rows carry GeneratedTime to the second, as IAM reports it.
    const reportTime = Math.floor(report.generatedAt / 1000) * 1000;
    const generatedAt = new Date(reportTime).toISOString();
    // Curate before storing: good bytes become the evidence, bad bytes go to quarantine.
    const identity = { dt: job.dt, accountId: account.accountId, generatedAt: reportTime };
    const curated = curateReport(identity, report.content, { runId: job.runId, accountName: account.name });
    if (!curated.ok) {
      const quarantined = await storeRawReport(job.store, identity, report.content, 'quarantine');
      return await failed({
        status: 'failed',
        reason: 'malformed_report',
        message: curated.rejection.message,
        rawKey: quarantined.ref.key,
        reportGeneratedAt: generatedAt,
        evidence: [quarantined.record],
      });
    }
    const stored = await storeRawReport(job.store, identity, report.content, 'evidence');
    await writeCurated(job.store, [curated.object]);
    // The posture read during the wait, or read now when the report was ready at once.
    const { evidence: postureEvidence, ...postureFields } = await keepPosture(job, await postureOnce(api));
    return finish({
      ...postureFields,
      evidence: [stored.record, ...(postureEvidence ? [postureEvidence] : [])],
      status: 'collected',
      reason: null,
      message: notesLine(curated.notes),
      rawKey: stored.ref.key,
      reportGeneratedAt: generatedAt,
      reportTimeSource: 'iam',
      reportAgeHours: Math.max(0, Math.floor((fetchedAt - reportTime) / 3_600_000)),
      userCount: curated.parsed.rows.length,
      unknownColumns: curated.parsed.unknownColumns.length ? curated.parsed.unknownColumns : undefined,
    });
  } catch (error) {
    const [reason, message] = failureOf(error);
    return failed({ status: 'failed', reason, message });
  }
}

/**
 * For an account whose report was collected earlier today but whose posture was not read:
 * reads the posture now and returns the earlier outcome with the posture result.
 */
export async function completePosture(
  job: AccountJob,
  account: AccountInfo,
  earlier: AccountOutcome,
): Promise<AccountOutcome> {
  const started = performance.now();
  const counter: AttemptCounter = { attempts: 0 };
  // In the order the accounts started, as collectAccount's later calls.
  const call = callerAt(job, counter)(job.calls.ticket());
  let posture: PostureResult;
  try {
    const api = await call(() => job.access.reportApiFor(account.accountId));
    posture = await keepPosture(job, await readPosture(job, api, call, account, job.now()));
  } catch (error) {
    posture = { postureFailed: true, postureMessage: failureOf(error)[1] };
  }
  const { evidence: postureEvidence, ...postureFields } = posture;
  return {
    ...earlier,
    ...postureFields,
    evidence: [
      ...(earlier.evidence ?? []).filter((e) => !e.key.startsWith(RAW_ZONES.posture)),
      ...(postureEvidence ? [postureEvidence] : []),
    ],
    runId: job.runId,
    reason: 'already_collected',
    message: `report collected earlier today by run ${earlier.runId}; posture read again`,
    attempts: counter.attempts,
    durationMs: Math.round(performance.now() - started),
  };
}

type PostureResult = Pick<AccountOutcome, 'postureFailed' | 'postureMessage'> & { evidence?: EvidenceRecord };

/** What an account's posture reads gave: a record to store, why they failed, or null (not read). */
type PostureRead = { record: PostureRecord } | { failure: string } | null;

/** The account's posture reads (API calls only); a failure is returned, never thrown. */
async function readPosture(
  job: AccountJob,
  api: ReportApi,
  call: CallWrapper,
  account: AccountInfo,
  readAt: number,
  chainCall: CallWrapper = call,
): Promise<PostureRead> {
  if (!api.posture) return null;
  if (job.centralizedRootAccessError)
    return {
      failure: `whether root credentials are managed centrally could not be read: ${job.centralizedRootAccessError}`,
    };
  try {
    const record = await readPostureRecord(
      api.posture,
      call,
      {
        accountId: account.accountId,
        accountName: account.name,
        runId: job.runId,
        readAt: new Date(readAt).toISOString(),
        centralizedRootAccess: job.centralizedRootAccess ?? null,
      },
      chainCall,
    );
    return { record };
  } catch (error) {
    // A failure here, an interruption too, marks only the posture: the report's own calls decide
    // whether it is collected.
    return { failure: failureOf(error)[1] };
  }
}

/** Stores what the posture reads gave beside the report; a failure marks the posture only. */
async function keepPosture(job: AccountJob, read: PostureRead): Promise<PostureResult> {
  if (!read) return {};
  if ('failure' in read) return { postureFailed: true, postureMessage: read.failure };
  try {
    return { postureFailed: false, evidence: await storePosture(job.store, job.dt, read.record) };
  } catch (error) {
    return { postureFailed: true, postureMessage: failureOf(error)[1] };
  }
}

/**
 * Asks IAM for a report (through startCall) and polls with growing, jittered waits until it is
 * ready or the deadline passes.
 */
async function waitForReport(
  job: AccountJob,
  api: ReportApi,
  call: CallWrapper,
  startCall: CallWrapper,
  /** Work for the first wait: the first look comes once both it and the wait are over. */
  meanwhile: () => Promise<unknown>,
): Promise<FetchedReport> {
  const deadline = performance.now() + job.reportTimeoutMs;
  const random = job.random ?? Math.random;
  let state = await startCall(() => api.generate());
  let wait = job.poll.initialMs;
  let work = state === 'COMPLETE' ? undefined : meanwhile();
  for (;;) {
    if (state !== 'COMPLETE') {
      const jittered = wait * (1 - job.poll.jitter + 2 * job.poll.jitter * random());
      // Past the deadline, look once more instead of giving up unseen: when our own retries
      // (a throttled generate, say) used the time, the report may well be ready.
      const remaining = deadline - performance.now();
      await Promise.all([remaining > 0 ? sleep(Math.min(jittered, remaining), job.signal) : undefined, work]);
      work = undefined;
      wait = Math.min(job.poll.maxMs, wait * job.poll.factor);
    }
    try {
      // Fetching is also the cheapest poll: one call that either returns the report or says
      // it is still in progress.
      return await call(() => api.fetch());
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.kind === 'report_in_progress') {
        state = 'INPROGRESS';
      } else if (error.kind === 'report_not_present' || error.kind === 'report_expired') {
        state = await call(() => api.generate());
      } else {
        throw error;
      }
      if (performance.now() >= deadline) throw new ReportTimeout(job.reportTimeoutMs);
    }
  }
}

class ReportTimeout extends Error {
  override readonly name = 'ReportTimeout';
  constructor(readonly ms: number) {
    super(`the credential report was not ready within ${Math.round(ms / 1000)} s (report timeout)`);
  }
}

function failureOf(error: unknown): [FailureReason, string] {
  if (error instanceof ReportTimeout) return ['report_timeout', error.message];
  if (error instanceof InterruptedError) return ['interrupted', error.message];
  if (error instanceof ApiError) {
    const message = `${error.code}: ${error.message}`;
    if (error.kind === 'access_denied') return ['access_denied', message];
    if (error.kind === 'throttled') return ['throttled', `still throttled after retries: ${message}`];
    if (error.kind === 'server_error') return ['server_error', `AWS kept failing after retries: ${message}`];
    return ['error', message];
  }
  return ['error', error instanceof Error ? error.message : String(error)];
}
