// Loads a saved query's SQL text: its file under queries/, or generated (the summaries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchmarkId } from './catalog.ts';
import { requireQuery, withBenchmark } from './sql-params.ts';
import { querySql } from './summary-sql.ts';

/** This folder, found the same way from the source and from the CLI's bundle in dist/. */
const QUERIES_DIR = fileURLToPath(new URL('../queries/', import.meta.url));

/** A saved query's SQL as its file holds it (the default benchmark's values). */
export function loadQuerySql(name: string): string {
  return querySql(name, (n) => readFileSync(join(QUERIES_DIR, `${n}.sql`), 'utf8'));
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
