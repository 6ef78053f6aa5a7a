// The curation of one raw credential report: its exact bytes in, the account's curated
// `credential_report` partition out with what a reader of the run record should know of it, or a
// typed rejection (MalformedReportError: the report is quarantined by its caller, never
// half-loaded). The one way into curation for collect, import, rebuild and verify. Pure: no
// store, no clock.
import { curatedKey, type RawReportRef } from '../lake/keys.ts';
import {
  newestTimestamp,
  type ParsedReport,
  parseCredentialReport,
} from '../transforms/credential-report.ts';
import { MalformedReportError } from '../transforms/errors.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import type { CuratedObject } from './curated-object.ts';

export interface CurationContext {
  /** The run that fetched the bytes; null when unknown (rows then carry no run_id). */
  readonly runId: string | null;
  readonly accountName: string | null;
}

/** What names a report before it is stored: its day, account and generation time. */
export type ReportIdentity = Omit<RawReportRef, 'key'>;

/** Something a report holds that a reader of the run record should know, said once here. */
export interface ReportNote {
  readonly kind:
    | 'unknown_columns'
    | 'future_timestamps'
    | 'duplicate_users'
    | 'no_key_use_columns'
    | 'keys_before_use_records';
  readonly text: string;
}

export type ReportCuration =
  | {
      readonly ok: true;
      readonly object: CuratedObject;
      readonly parsed: ParsedReport;
      readonly notes: readonly ReportNote[];
    }
  | { readonly ok: false; readonly rejection: MalformedReportError };

export function curateReport(
  report: ReportIdentity,
  bytes: Uint8Array,
  ctx: CurationContext,
): ReportCuration {
  let parsed: ParsedReport;
  try {
    parsed = parseCredentialReport(bytes, {
      accountId: report.accountId,
      accountName: ctx.accountName,
      runId: ctx.runId ?? '',
      generatedAt: report.generatedAt,
    });
  } catch (error) {
    if (error instanceof MalformedReportError) return { ok: false, rejection: error };
    throw error;
  }
  if (!ctx.runId) parsed = { ...parsed, rows: parsed.rows.map((r) => ({ ...r, run_id: null })) };
  const object = {
    key: curatedKey('credential_report', report.dt, report.accountId),
    body: encodeParquet(TABLES.credential_report, parsed.rows),
    rows: parsed.rows.length,
  };
  return { ok: true, object, parsed, notes: reportNotes(parsed) };
}

/** A report's notes as one line for a run record; null when there is nothing to say. */
export function notesLine(notes: readonly ReportNote[]): string | null {
  return notes.length ? notes.map((n) => n.text).join('; ') : null;
}

function reportNotes(parsed: ParsedReport): ReportNote[] {
  const notes: ReportNote[] = [];
  if (parsed.unknownColumns.length)
    notes.push({
      kind: 'unknown_columns',
      text: `unknown columns kept in raw only: ${parsed.unknownColumns.join(', ')}`,
    });
  if (parsed.futureTimestamps)
    notes.push({
      kind: 'future_timestamps',
      text: `${parsed.futureTimestamps} timestamp(s) later than the report time (their day counts are empty)`,
    });
  if (parsed.duplicateUsers.length)
    notes.push({
      kind: 'duplicate_users',
      text: `users on more than one line, every line kept: ${parsed.duplicateUsers.join(', ')}`,
    });
  if (!parsed.keyUseColumns)
    notes.push({
      kind: 'no_key_use_columns',
      text: `no access-key use columns (a report from before April 2015): use of ${parsed.keysWithUnknownUse} active key(s) is unknown, so unused-credential checks do not judge them`,
    });
  if (parsed.keysBeforeUseRecords)
    notes.push({
      kind: 'keys_before_use_records',
      text: `${parsed.keysBeforeUseRecords} active key(s) set before 2015-04-22, when IAM began recording key use: their idle time counts from that date ("no use recorded")`,
    });
  return notes;
}

/**
 * When a report with no known generation time was generated, guessed: its newest event, else the
 * snapshot date at 00:00Z. Throws MalformedReportError for bytes that are not a report.
 */
export function guessReportTime(
  bytes: Uint8Array,
  accountId: string,
  dt: string,
): { generatedAt: number; source: 'newest_timestamp' | 'date_midnight' } {
  // Parsed with a placeholder time only to validate and find the newest timestamp.
  const probe = parseCredentialReport(bytes, { accountId, accountName: null, runId: '', generatedAt: 0 });
  const newest = newestTimestamp(probe.rows);
  return newest === undefined
    ? { generatedAt: Date.parse(`${dt}T00:00:00Z`), source: 'date_midnight' }
    : { generatedAt: newest, source: 'newest_timestamp' };
}
