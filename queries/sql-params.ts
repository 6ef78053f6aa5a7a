// Sets a saved query's parameters by rewriting the values in its `params` CTE, the one place
// an analyst edits too. Values are validated, never pasted in raw. No file access, so the
// Lambda bundles can use it on SQL read from Athena's named queries.
import { isIsoDate } from '../transforms/dates.ts';
import { type BenchmarkId, benchmarkValues, CATALOG, findQuery, type SavedQuery } from './catalog.ts';
import { QueryInputError } from './errors.ts';

export type ParamValues = Readonly<Record<string, string | number | boolean>>;

export function requireQuery(name: string): SavedQuery {
  const query = findQuery(name);
  if (!query) {
    throw new QueryInputError(
      `unknown query ${JSON.stringify(name)}; known: ${CATALOG.map((q) => q.name).join(', ')}`,
    );
  }
  return query;
}

/** The `params` CTE of a query: each `<expression> AS <name>` line, by name. */
export function readParamsCte(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!sql.includes('WITH params AS (')) return out;
  const block = paramsBlock(sql);
  for (const line of block.text.split('\n')) {
    const m = PARAM_LINE.exec(line);
    if (m) out.set(m[3], m[2]);
  }
  return out;
}

const PARAM_LINE = /^(\s*)(.+?) AS ([a-z_]+)(,?)\s*$/;

function paramsBlock(sql: string): { start: number; end: number; text: string } {
  const start = sql.indexOf('WITH params AS (');
  const end = start < 0 ? -1 : sql.indexOf('\n)', start);
  if (start < 0 || end < 0) throw new Error('saved query has no params CTE');
  return { start, end, text: sql.slice(start, end) };
}

/** Returns the SQL with the given parameter values written into its params CTE. */
export function withParams(query: SavedQuery, sql: string, values: ParamValues): string {
  if (Object.keys(values).length === 0) return sql;
  const block = paramsBlock(sql);
  const lines = block.text.split('\n').map((line) => {
    const m = PARAM_LINE.exec(line);
    if (!m || !(m[3] in values)) return line;
    return `${m[1]}${sqlLiteral(query, m[3], values[m[3]])} AS ${m[3]}${m[4]}`;
  });
  return sql.slice(0, block.start) + lines.join('\n') + sql.slice(block.end);
}

function sqlLiteral(query: SavedQuery, name: string, value: string | number | boolean): string {
  const param = query.params.find((p) => p.name === name)!;
  const text = String(value);
  if (param.type === 'date') {
    if (!isIsoDate(text))
      throw new QueryInputError(`${name} must be a date as YYYY-MM-DD, got ${JSON.stringify(text)}`);
    return `'${text}'`;
  }
  if (param.type === 'bool') {
    if (text !== 'true' && text !== 'false')
      throw new QueryInputError(`${name} must be true or false, got ${JSON.stringify(text)}`);
    return text;
  }
  if (!/^\d{1,6}$/.test(text)) {
    throw new QueryInputError(`${name} must be a whole number of days, got ${JSON.stringify(text)}`);
  }
  return String(Number(text));
}

/** Checks user-given parameters against the catalog before anything runs. */
export function checkParams(query: SavedQuery, values: ParamValues): void {
  for (const name of Object.keys(values)) {
    if (!query.params.some((p) => p.name === name)) {
      const known = query.params.map((p) => p.name).join(', ') || 'none';
      throw new QueryInputError(
        `${query.name} has no parameter ${JSON.stringify(name)}; its parameters: ${known}`,
      );
    }
  }
}

/**
 * A saved query's SQL judged against a benchmark: the values the benchmark sets written into its
 * params CTE (the others untouched), so Athena's named query, an export and the rollup all read
 * the same rule.
 */
export function withBenchmark(query: SavedQuery, sql: string, benchmark: BenchmarkId): string {
  return withParams(query, sql, benchmarkValues(query, benchmark));
}
