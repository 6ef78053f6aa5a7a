// The curation of one raw credential report: its exact bytes in, the account's curated
// `credential_report` partition out, or a typed rejection (MalformedReportError: the report is
// quarantined by its caller, never half-loaded). Pure: no store, no clock.
import { curatedKey, type RawReportRef } from '../lake/keys.ts';
import { type ParsedReport, parseCredentialReport } from '../transforms/credential-report.ts';
import { MalformedReportError } from '../transforms/errors.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import type { CuratedObject } from './curated-object.ts';

export interface CurationContext {
  /** The run that fetched the bytes; null when unknown (rows then carry no run_id). */
  readonly runId: string | null;
  readonly accountName: string | null;
}

export type ReportCuration =
  | { readonly ok: true; readonly object: CuratedObject; readonly parsed: ParsedReport }
  | { readonly ok: false; readonly rejection: MalformedReportError };

export function curateReport(ref: RawReportRef, bytes: Uint8Array, ctx: CurationContext): ReportCuration {
  let parsed: ParsedReport;
  try {
    parsed = parseReport(ref, bytes, ctx);
  } catch (error) {
    if (error instanceof MalformedReportError) return { ok: false, rejection: error };
    throw error;
  }
  return { ok: true, object: reportObject(ref, parsed), parsed };
}

/** The rows of a raw report, as curated (without writing them). Throws MalformedReportError. */
export function parseReport(ref: RawReportRef, bytes: Uint8Array, ctx: CurationContext): ParsedReport {
  const parsed = parseCredentialReport(bytes, {
    accountId: ref.accountId,
    accountName: ctx.accountName,
    runId: ctx.runId ?? '',
    generatedAt: ref.generatedAt,
  });
  return ctx.runId ? parsed : { ...parsed, rows: parsed.rows.map((r) => ({ ...r, run_id: null })) };
}

/** A parsed report as its account's curated partition. */
export function reportObject(ref: RawReportRef, parsed: ParsedReport): CuratedObject {
  return {
    key: curatedKey('credential_report', ref.dt, ref.accountId),
    body: encodeParquet(TABLES.credential_report, parsed.rows),
    rows: parsed.rows.length,
  };
}
