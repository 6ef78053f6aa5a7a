// From raw to curated: one raw report becomes its curated partition, and a day's outcomes and
// org snapshot become the `collection_runs` and `accounts` partitions.

import { curatedKey, type RawReportRef, rawAccountsKey } from '../lake/keys.ts';
import { getJson, type ObjectStore } from '../lake/store.ts';
import { type ParsedReport, parseCredentialReport } from '../transforms/credential-report.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import { readOutcomes, standingOutcomes } from './journal.ts';
import type { AccountOutcome, AccountsSnapshot } from './outcome.ts';

export interface CurateContext {
  readonly runId: string | null;
  readonly accountName: string | null;
}

/**
 * Parses raw report bytes and writes the account's curated partition whole. Throws
 * MalformedReportError before anything is written when the report is bad.
 */
export async function curateReport(
  store: ObjectStore,
  ref: RawReportRef,
  bytes: Uint8Array,
  ctx: CurateContext,
): Promise<ParsedReport> {
  const parsed = parseRawReport(ref, bytes, ctx);
  await writeCuratedReport(store, ref, parsed);
  return parsed;
}

export function parseRawReport(ref: RawReportRef, bytes: Uint8Array, ctx: CurateContext): ParsedReport {
  const parsed = parseCredentialReport(bytes, {
    accountId: ref.accountId,
    accountName: ctx.accountName,
    runId: ctx.runId ?? '',
    generatedAt: ref.generatedAt,
  });
  return ctx.runId ? parsed : { ...parsed, rows: parsed.rows.map((r) => ({ ...r, run_id: null })) };
}

/** Writes a parsed report as its account's curated partition, replacing it whole. */
export async function writeCuratedReport(
  store: ObjectStore,
  ref: RawReportRef,
  parsed: ParsedReport,
): Promise<void> {
  const body = encodeParquet(TABLES.credential_report, parsed.rows);
  await store.put(curatedKey('credential_report', ref.dt, ref.accountId), body);
}

/** Rebuilds `curated/collection_runs/dt=...` from every outcome journaled that day. */
export async function writeCollectionRuns(store: ObjectStore, dt: string): Promise<AccountOutcome[]> {
  const standing = [...standingOutcomes(await readOutcomes(store, dt)).values()].sort((a, b) =>
    a.accountId.localeCompare(b.accountId),
  );
  const rows = standing.map((o) => ({
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
  await store.put(curatedKey('collection_runs', dt), encodeParquet(TABLES.collection_runs, rows));
  return standing;
}

/** Rebuilds `curated/accounts/dt=...` from the day's raw org snapshot, if there is one. */
export async function writeAccounts(store: ObjectStore, dt: string): Promise<AccountsSnapshot | undefined> {
  const snapshot = await getJson<AccountsSnapshot>(store, rawAccountsKey(dt));
  if (!snapshot) return undefined;
  const rows = snapshot.accounts.map((a) => ({
    account_id: a.accountId,
    name: a.name,
    email: a.email,
    state: a.state,
    ou_path: a.ouPath,
    joined_at: a.joinedAt ? Date.parse(a.joinedAt) : null,
    is_management: snapshot.managementAccountId ? a.accountId === snapshot.managementAccountId : null,
  }));
  await store.put(curatedKey('accounts', dt), encodeParquet(TABLES.accounts, rows));
  return snapshot;
}
