// Parses and normalizes one IAM credential report into rows of the `credential_report` table.
// The whole report is checked before a single row is returned: a bad report is an error
// naming the account, line and column, never a partial result.
import { parse } from 'csv-parse/sync';
import { parseIsoInstant, utcDaysBetween } from './dates.ts';
import { MalformedReportError } from './errors.ts';
import {
  KEY_USE_COLUMNS,
  KEY_USE_RECORDED_FROM,
  REPORT_COLUMNS,
  type ReportColumn,
  TABLES,
} from './schema.ts';

export type Value = string | number | boolean | null;
/** A row keyed by column name; timestamps are epoch milliseconds (UTC). */
export type Row = Record<string, Value>;

export interface ReportContext {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly runId: string;
  /** The report's GeneratedTime, epoch milliseconds. */
  readonly generatedAt: number;
}

export interface ParsedReport {
  readonly rows: Row[];
  /** Header names the parser does not know; kept in the raw copy, ignored here. */
  readonly unknownColumns: string[];
  /** Event timestamps later than the report time: their day counts are NULL, never negative. */
  readonly futureTimestamps: number;
  /** User names that appear on more than one line (every line is kept, as in the evidence). */
  readonly duplicateUsers: string[];
  /** False for the pre-April-2015 layout: no access-key last-use columns, so key use is unknown. */
  readonly keyUseColumns: boolean;
  /** Active keys whose idleness cannot be judged (the report has no key-use columns). */
  readonly keysWithUnknownUse: number;
  /** Active keys set before IAM recorded key use (2015-04-22): "no use recorded", not "never used". */
  readonly keysBeforeUseRecords: number;
}

const USE_RECORDED_FROM = Date.parse(KEY_USE_RECORDED_FROM);

export const ROOT_USER = '<root_account>';
const NULL_MARKERS = new Set(['N/A', 'no_information', 'not_supported']);
const BOOLEAN_COLUMNS = new Set<string>([
  'password_enabled',
  'mfa_active',
  'access_key_1_active',
  'access_key_2_active',
  'cert_1_active',
  'cert_2_active',
]);
const STRING_COLUMNS = new Set<string>([
  'user',
  'arn',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
]);

export function parseCredentialReport(bytes: Uint8Array, ctx: ReportContext): ParsedReport {
  const text = decodeText(bytes, ctx.accountId);
  const records = parseCsv(text, ctx.accountId);
  if (records.length === 0) throw new MalformedReportError(ctx.accountId, 'the report is empty');
  const header = records[0].record.map((h) => h.trim());
  const index = indexHeader(header, ctx.accountId);
  const keyUseColumns = index.has('access_key_1_last_used_date');
  if (records.length === 1) {
    throw new MalformedReportError(ctx.accountId, 'the report has a header but no rows', 1);
  }
  const rows: Row[] = [];
  const future = { count: 0 };
  const keys = { unknownUse: 0, beforeRecords: 0 };
  const others = new Map<string, number>();
  const accountColumn = header.indexOf('account_id');
  for (let i = 1; i < records.length; i++) {
    const { record, line } = records[i];
    if (record.length !== header.length) {
      throw new MalformedReportError(
        ctx.accountId,
        `expected ${header.length} fields as in the header, found ${record.length}`,
        line,
      );
    }
    const row = normalizeRow(record, index, line, ctx, future);
    for (const n of [1, 2]) {
      if (row[`access_key_${n}_active`] !== true) continue;
      if (!keyUseColumns) keys.unknownUse++;
      else if (row[`access_key_${n}_use_fully_recorded`] === false) keys.beforeRecords++;
    }
    // A row names its account in its ARN (and in an account_id column some tools add).
    const named = [
      arnAccount(String(row.arn)),
      accountColumn >= 0 ? record[accountColumn].trim() : undefined,
    ];
    for (const id of named) if (id && id !== ctx.accountId) others.set(id, (others.get(id) ?? 0) + 1);
    rows.push(row);
  }
  const [only] = others.size === 1 ? [...others] : [];
  if (only && only[1] === rows.length) {
    // Every row names one other account: the report is whole, the account it was filed under is wrong.
    throw new MalformedReportError(
      ctx.accountId,
      `every row belongs to account ${only[0]} (by its ARN), not ${ctx.accountId}: if this is account ${only[0]}'s report, import it with --account ${only[0]}`,
    );
  }
  if (others.size) {
    const list = [...others].map(([id, n]) => `${id} (${n} row${n === 1 ? '' : 's'})`).join(', ');
    throw new MalformedReportError(
      ctx.accountId,
      `rows of other accounts: ${list}; a report holds one account: split the file by account (the ARN's account id) and import each part with its own --account`,
    );
  }
  const seen = new Map<string, number>();
  for (const row of rows) seen.set(String(row.user_name), (seen.get(String(row.user_name)) ?? 0) + 1);
  const known = new Set<string>(REPORT_COLUMNS);
  return {
    rows,
    unknownColumns: header.filter((h) => !known.has(h)),
    futureTimestamps: future.count,
    duplicateUsers: [...seen].filter(([, n]) => n > 1).map(([name]) => name),
    keyUseColumns,
    keysWithUnknownUse: keys.unknownUse,
    keysBeforeUseRecords: keys.beforeRecords,
  };
}

/** The 12-digit account of an IAM ARN, in any partition; undefined for test-style ARNs without one. */
export function arnAccount(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1];
}

function decodeText(bytes: Uint8Array, accountId: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new MalformedReportError(accountId, 'the report is not UTF-8 text', undefined, undefined, {
      cause,
    });
  }
  if (text.includes('\u0000'))
    throw new MalformedReportError(accountId, 'the report contains binary data (NUL bytes)');
  if (text.replace(/^\uFEFF/, '').trim() === '')
    throw new MalformedReportError(accountId, 'the report is empty');
  return text;
}

interface NumberedRecord {
  record: string[];
  line: number;
}

function parseCsv(text: string, accountId: string): NumberedRecord[] {
  try {
    const out = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return out.map(({ record, info }) => ({ record, line: info.lines }));
  } catch (cause) {
    const line = (cause as { lines?: number }).lines;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new MalformedReportError(accountId, `not valid CSV: ${detail}`, line, undefined, { cause });
  }
}

function indexHeader(header: string[], accountId: string): Map<ReportColumn, number> {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new MalformedReportError(accountId, `header repeats column ${name}`, 1, name);
    seen.add(name);
  }
  // Reports from before April 2015 lack the key-use columns as a group; a partial group is damage.
  const keyUse = KEY_USE_COLUMNS.filter((c) => seen.has(c));
  const required =
    keyUse.length === 0 ? REPORT_COLUMNS.filter((c) => !KEY_USE_COLUMNS.includes(c)) : REPORT_COLUMNS;
  const missing = required.filter((c) => !seen.has(c));
  if (missing.length > 0) {
    throw new MalformedReportError(
      accountId,
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      1,
      missing[0],
    );
  }
  return new Map(required.map((c) => [c, header.indexOf(c)]));
}

function normalizeRow(
  record: string[],
  index: Map<ReportColumn, number>,
  line: number,
  ctx: ReportContext,
  future: { count: number },
): Row {
  const src = {} as Record<ReportColumn, Value>;
  // Columns a report does not carry (the pre-2015 layout) are unknown: NULL.
  for (const name of REPORT_COLUMNS) src[name] = null;
  for (const [name, i] of index) src[name] = normalizeValue(name, record[i], line, ctx.accountId);
  if (src.user === null || src.user === '')
    throw new MalformedReportError(ctx.accountId, 'empty user name', line, 'user');
  if (src.arn === null || src.arn === '')
    throw new MalformedReportError(ctx.accountId, 'empty arn', line, 'arn');
  if (src.user_creation_time === null) {
    throw new MalformedReportError(ctx.accountId, 'missing user_creation_time', line, 'user_creation_time');
  }
  const days = (v: Value) => {
    if (typeof v !== 'number') return null;
    if (v > ctx.generatedAt) {
      future.count++;
      return null;
    }
    return utcDaysBetween(v, ctx.generatedAt);
  };
  const { user, ...rest } = src;
  return {
    account_name: ctx.accountName,
    report_generated_at: ctx.generatedAt,
    run_id: ctx.runId,
    user_name: user,
    is_root: user === ROOT_USER,
    ...rest,
    password_days_since_use: days(src.password_last_used),
    password_age_days: days(src.password_last_changed),
    access_key_1_age_days: days(src.access_key_1_last_rotated),
    access_key_1_days_since_use: days(src.access_key_1_last_used_date),
    access_key_2_age_days: days(src.access_key_2_last_rotated),
    access_key_2_days_since_use: days(src.access_key_2_last_used_date),
    ...keyUse(1, src, index.has('access_key_1_last_used_date'), days),
    ...keyUse(2, src, index.has('access_key_2_last_used_date'), days),
    user_age_days: days(src.user_creation_time),
  };
}

/**
 * How long key n has gone without recorded use, and whether its whole life was recorded. IAM
 * began recording key use on 2015-04-22: a key set earlier with no last use was unused since
 * then, not necessarily "never used"; without the key-use columns nothing can be said.
 */
function keyUse(
  n: 1 | 2,
  src: Record<ReportColumn, Value>,
  recorded: boolean,
  days: (v: Value) => Value,
): Row {
  const active = src[`access_key_${n}_active`];
  const set = src[`access_key_${n}_last_rotated`] ?? src.user_creation_time;
  const lastUsed = src[`access_key_${n}_last_used_date`];
  const hasKey = active === true || typeof src[`access_key_${n}_last_rotated`] === 'number';
  if (!hasKey) return { [`access_key_${n}_idle_days`]: null, [`access_key_${n}_use_fully_recorded`]: null };
  const before = typeof set === 'number' && set < USE_RECORDED_FROM;
  let idle: Value = null;
  if (typeof lastUsed === 'number') idle = days(lastUsed);
  else if (recorded && typeof set === 'number') idle = days(Math.max(set, USE_RECORDED_FROM));
  return {
    [`access_key_${n}_idle_days`]: idle,
    [`access_key_${n}_use_fully_recorded`]: recorded && !before,
  };
}

function normalizeValue(column: ReportColumn, raw: string, line: number, accountId: string): Value {
  const value = raw.trim();
  if (STRING_COLUMNS.has(column)) return NULL_MARKERS.has(value) || value === '' ? null : value;
  if (NULL_MARKERS.has(value) || value === '') return null;
  if (BOOLEAN_COLUMNS.has(column)) {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new MalformedReportError(
      accountId,
      `expected true or false, found ${JSON.stringify(value)}`,
      line,
      column,
    );
  }
  const ms = parseIsoInstant(value);
  if (ms === undefined) {
    throw new MalformedReportError(
      accountId,
      `expected an ISO 8601 timestamp with offset, found ${JSON.stringify(value)}`,
      line,
      column,
    );
  }
  return ms;
}

/**
 * The columns that record something that happened. `password_next_rotation` is a deadline, often
 * months ahead: it can never suggest when a report was made.
 */
const EVENT_TIMESTAMPS = TABLES.credential_report.columns
  .filter(
    (c) => c.type === 'timestamp' && !['report_generated_at', 'password_next_rotation'].includes(c.name),
  )
  .map((c) => c.name);

/** The newest event in a parsed report: a report imported without a GeneratedTime was made no earlier. */
export function newestTimestamp(rows: Row[]): number | undefined {
  let newest: number | undefined;
  for (const row of rows) {
    for (const name of EVENT_TIMESTAMPS) {
      const v = row[name];
      if (typeof v === 'number' && (newest === undefined || v > newest)) newest = v;
    }
  }
  return newest;
}
