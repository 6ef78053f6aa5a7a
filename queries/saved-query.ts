// Loads a saved query's SQL text: its file under queries/, or generated (the summaries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkId } from './catalog.ts';
import { requireQuery, withBenchmark } from './sql-params.ts';
import { querySql } from './summary-sql.ts';

/** A saved query's SQL as its file holds it (the default benchmark's values). */
export function loadQuerySql(name: string): string {
  return querySql(name, (n) => readFileSync(join(import.meta.dirname, `${n}.sql`), 'utf8'));
}

/** Loads each query's SQL judged against a benchmark: the `sqlOf` the rollup takes. */
export function benchmarkSqlOf(benchmark: BenchmarkId): (name: string) => string {
  return (name) => withBenchmark(requireQuery(name), loadQuerySql(name), benchmark);
}

export {
  checkParams,
  type ParamValues,
  readParamsCte,
  requireQuery,
  withBenchmark,
  withParams,
} from './sql-params.ts';
