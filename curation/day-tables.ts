// The curation of a day's run records and organization snapshot: `collection_runs` (one row per
// account, its standing outcome), `accounts` and `account_tags`. Pure: the caller reads the raw objects.
import { curatedKey } from '../lake/keys.ts';
import type { Value } from '../transforms/credential-report.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import type { CuratedObject } from './curated-object.ts';

/** One account of the organization snapshot, as stored under raw/accounts/. */
export interface SnapshotAccount {
  readonly accountId: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly state: string;
  readonly ouPath: string | null;
  /** ISO instant. */
  readonly joinedAt: string | null;
  /** The account's tags in Organizations; absent or null when they were not read. */
  readonly tags?: Readonly<Record<string, string>> | null;
}

/** What collection_runs keeps of an account's standing outcome. */
export interface RunRecord {
  readonly runId: string;
  readonly accountId: string;
  readonly accountName: string | null;
  readonly status: string;
  readonly reason: string | null;
  readonly message: string | null;
  readonly attempts: number;
  readonly reportGeneratedAt: string | null;
  readonly reportTimeSource?: string | null;
  readonly reportAgeHours: number | null;
  readonly userCount: number | null;
  readonly durationMs: number;
  readonly rawKey: string | null;
  readonly postureFailed?: boolean;
  readonly postureMessage?: string | null;
}

export function collectionRunsObject(dt: string, records: readonly RunRecord[]): CuratedObject {
  const rows: Record<string, Value>[] = [...records]
    .sort((a, b) => a.accountId.localeCompare(b.accountId))
    .map((o) => ({
      run_id: o.runId,
      account_id: o.accountId,
      account_name: o.accountName,
      status: o.status,
      reason: o.reason,
      message: o.message,
      attempts: o.attempts,
      report_generated_at: o.reportGeneratedAt ? Date.parse(o.reportGeneratedAt) : null,
      report_age_hours: o.reportAgeHours,
      user_count: o.userCount,
      duration_ms: o.durationMs,
      raw_key: o.rawKey,
      report_time_source: o.reportGeneratedAt ? (o.reportTimeSource ?? 'iam') : null,
      posture_failed: o.status === 'collected' ? (o.postureFailed ?? null) : null,
      posture_message: o.postureMessage ?? null,
    }));
  return {
    key: curatedKey('collection_runs', dt),
    body: encodeParquet(TABLES.collection_runs, rows),
    rows: rows.length,
  };
}

export function accountsObject(
  dt: string,
  snapshot: { readonly accounts: readonly SnapshotAccount[]; readonly managementAccountId?: string | null },
): CuratedObject {
  const rows = snapshot.accounts.map((a) => ({
    account_id: a.accountId,
    name: a.name,
    email: a.email,
    state: a.state,
    ou_path: a.ouPath,
    joined_at: a.joinedAt ? Date.parse(a.joinedAt) : null,
    is_management: snapshot.managementAccountId ? a.accountId === snapshot.managementAccountId : null,
  }));
  return { key: curatedKey('accounts', dt), body: encodeParquet(TABLES.accounts, rows), rows: rows.length };
}

/** The day's `account_tags`: one row per tag of each account, from the same snapshot. */
export function accountTagsObject(
  dt: string,
  snapshot: { readonly accounts: readonly SnapshotAccount[] },
): CuratedObject {
  const rows = snapshot.accounts.flatMap((a) =>
    Object.entries(a.tags ?? {}).map(([tag_key, tag_value]) => ({
      account_id: a.accountId,
      tag_key,
      tag_value,
    })),
  );
  return {
    key: curatedKey('account_tags', dt),
    body: encodeParquet(TABLES.account_tags, rows),
    rows: rows.length,
  };
}
