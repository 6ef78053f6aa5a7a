import type { SnapshotAccount } from '../curation/day-tables.ts';
import type { EvidenceRecord } from './evidence.ts';

// Per-account results are values. Every account of a run ends as exactly one outcome, and the
// outcomes become the `collection_runs` table.

export type OutcomeStatus = 'collected' | 'failed' | 'skipped';

export type FailureReason =
  | 'access_denied'
  | 'throttled'
  | 'server_error'
  | 'report_timeout'
  | 'malformed_report'
  | 'interrupted'
  | 'lost'
  | 'error';

export type SkipReason = 'not_active' | 'excluded';

export interface AccountOutcome {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly status: OutcomeStatus;
  readonly reason: FailureReason | SkipReason | 'already_collected' | 'imported' | null;
  readonly message: string | null;
  readonly attempts: number;
  /** ISO instant of the report's GeneratedTime. */
  readonly reportGeneratedAt: string | null;
  /** Where that time comes from: IAM, the importer's --generated-at, or a guess from the file. */
  readonly reportTimeSource?: 'iam' | 'given' | 'guessed';
  /** Whole hours from GeneratedTime to when the report was fetched; NULL when unknown. */
  readonly reportAgeHours: number | null;
  readonly userCount: number | null;
  readonly durationMs: number;
  readonly rawKey: string | null;
  readonly runId: string;
  /** Header names of the report that the parser does not know (kept in raw only). */
  readonly unknownColumns?: string[];
  /** Account posture and privileges could not be read; the report itself is unaffected. */
  readonly postureFailed?: boolean;
  readonly postureMessage?: string | null;
  /** The raw objects behind this outcome (report or quarantined bytes, posture record). */
  readonly evidence?: EvidenceRecord[];
}

/** One account of the organization snapshot (the curation stage's input format). */
export type AccountInfo = SnapshotAccount;

/** The org snapshot of a day, kept raw as `raw/accounts/dt=.../accounts.json`. */
export interface AccountsSnapshot {
  readonly dt: string;
  readonly takenAt: string;
  readonly organizationId: string | null;
  /** The organization's management account; absent for an explicit account list. */
  readonly managementAccountId?: string | null;
  readonly source: 'organizations' | 'account_list';
  readonly accounts: AccountInfo[];
  /** Whether the organization manages root credentials centrally (null: could not be read). */
  readonly centralizedRootAccess?: boolean | null;
}

export interface RunManifest {
  readonly runId: string;
  readonly dt: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly interrupted: boolean;
  readonly outcomes: AccountOutcome[];
  /** Every raw object the run wrote or found, with its size and SHA-256. */
  readonly evidence?: EvidenceRecord[];
}

/** An outcome with no report attached (skipped, failed before fetching, or lost); the fields
 * given override these defaults. */
export function outcomeWithoutReport(
  fields: Pick<AccountOutcome, 'accountId' | 'accountName' | 'status' | 'reason' | 'message' | 'runId'> &
    Partial<AccountOutcome>,
): AccountOutcome {
  return {
    attempts: 0,
    reportGeneratedAt: null,
    reportAgeHours: null,
    userCount: null,
    durationMs: 0,
    rawKey: null,
    ...fields,
  };
}

/**
 * A run id that sorts by start time: `20240501T060708.123Z-1a2b`. Milliseconds matter: the run
 * that stands for an account is the latest by id, and two runs can start within one second.
 */
export function newRunId(now: number, suffix = Math.random().toString(16).slice(2, 6)): string {
  return `${new Date(now).toISOString().replace(/[-:]/g, '')}-${suffix}`;
}
