// Query results as text: an aligned table that fits the terminal, RFC 4180 CSV, or JSON.
import { parse } from 'csv-parse/sync';
import { FREE_TEXT_COLUMNS } from './column-titles.ts';
import type { QueryResult } from './duckdb-engine.ts';
import type { PlainValue } from './values.ts';

/** A column's header in a CSV export: its name, and the time zone for a timestamp. */
export function exportHeader(column: string, type: string | undefined): string {
  return type === 'datetime' ? `${column} (UTC)` : column;
}

export type OutputFormat = 'table' | 'csv' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];

export interface CsvOptions {
  /**
   * Write every value exactly as it is, even one a spreadsheet would run as a formula. For
   * machines; people open exports in spreadsheets, so the default neutralises such cells.
   */
  readonly exact?: boolean;
  /** The result's column types: a timestamp column's header then names its time zone (UTC). */
  readonly types?: ReadonlyMap<string, string>;
}

/**
 * `width` is the terminal's: only free-text columns are abbreviated to fit it. Without one
 * (output piped to a file or another program) nothing is ever cut.
 */
export function formatResult(
  result: QueryResult,
  format: OutputFormat,
  width = Number.POSITIVE_INFINITY,
  csv: CsvOptions = {},
): string {
  if (format === 'json') return `${JSON.stringify(result.rows, null, 2)}\n`;
  if (format === 'csv') return toCsv(result, csv);
  return toTable(result, width);
}

/** RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF. */
export function toCsv(result: QueryResult, options: CsvOptions = {}): string {
  const text = (value: PlainValue | undefined) =>
    typeof value === 'string' && !options.exact ? spreadsheetSafe(value) : cellText(value);
  const header = result.columns.map((c) => exportHeader(c, options.types?.get(c)));
  const lines = [header.map(csvField).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((c) => csvField(text(row[c]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A text cell a spreadsheet would read as a formula (it starts with =, +, -, @, tab or carriage
 * return; an account may be named `=HYPERLINK(...)`) gets a leading apostrophe, as OWASP
 * recommends for CSV injection: shown as text, never run. Numbers are not text and stay as they are.
 */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cellText(value: PlainValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

function toTable(result: QueryResult, width: number): string {
  if (result.rows.length === 0) return '(no rows)\n';
  const cells = result.rows.map((row) => result.columns.map((c) => cellText(row[c])));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const gap = 2;
  // Shrink the widest free-text column until the table fits, down to a readable minimum; an
  // identifier, a name or a number is never cut (the terminal wraps the line instead).
  const free = result.columns.map((c) => FREE_TEXT_COLUMNS.has(c));
  while (widths.reduce((a, b) => a + b + gap, 0) > width) {
    const widest = widths.reduce((best, w, i) => (free[i] && (best < 0 || w > widths[best]) ? i : best), -1);
    if (widest < 0 || widths[widest] <= 20) break;
    widths[widest]--;
  }
  const fit = (text: string, w: number) => (text.length > w ? `${text.slice(0, w - 1)}…` : text.padEnd(w));
  const line = (values: string[]) =>
    values
      .map((v, i) => fit(v, widths[i]))
      .join(' '.repeat(gap))
      .trimEnd();
  const out = [line(result.columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  out.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

/**
 * Athena's CSV result made spreadsheet-safe like a local export: text columns (by the catalog's
 * declared result types; a column it does not know counts as text) are neutralised, the rest kept.
 */
export function spreadsheetSafeCsv(body: string, types: ReadonlyMap<string, string>): string {
  const [header, ...rows] = parse(body, { relax_column_count: true }) as string[][];
  if (!header) return body;
  const lines = spreadsheetSafeLines(header, types);
  return [lines.header, ...rows.map(lines.row)].join('');
}

/**
 * The lines of a spreadsheet-safe CSV, one record at a time (for a result read as a stream): the
 * header line, and each row's line, both ending in CRLF.
 */
export function spreadsheetSafeLines(
  header: readonly string[],
  types: ReadonlyMap<string, string>,
): { header: string; row: (values: readonly string[]) => string } {
  const text = header.map((column) => (types.get(column) ?? 'string') === 'string');
  return {
    header: `${header.map((c) => csvField(exportHeader(c, types.get(c)))).join(',')}\r\n`,
    row: (values) => `${values.map((v, i) => csvField(text[i] ? spreadsheetSafe(v) : v)).join(',')}\r\n`,
  };
}
