// Saved queries run on Athena from the CLI, for analysts who have the pipeline deployed: the
// same .sql files, the snapshot date written into the params CTE, results read page by page.
import type { AthenaClient } from '@aws-sdk/client-athena';
import { type BenchmarkId, benchmarkValues, DEFAULT_BENCHMARK, EXPORTED_QUERIES } from '../catalog.ts';
import type { QueryResult } from '../duckdb-engine.ts';
import { loadQuerySql } from '../saved-query.ts';
import { checkParams, type ParamValues, requireQuery, withParams } from '../sql-params.ts';
import { type AthenaTarget, executeOnAthena, readAthenaResults } from './client.ts';

export interface AthenaRun {
  readonly result: QueryResult;
  readonly bytesScanned: number;
  readonly queryExecutionId: string;
}

export async function runSavedQueryOnAthena(
  athena: AthenaClient,
  target: AthenaTarget,
  name: string,
  options: { date?: string; params?: ParamValues; benchmark?: BenchmarkId } = {},
): Promise<AthenaRun> {
  const query = requireQuery(name);
  checkParams(query, options.params ?? {});
  const values: Record<string, string | number | boolean> = {
    ...benchmarkValues(query, options.benchmark ?? DEFAULT_BENCHMARK),
    ...options.params,
  };
  if (options.date && query.params.some((p) => p.name === 'snapshot_dt')) values.snapshot_dt ??= options.date;
  const sql = withParams(query, loadQuerySql(name), values);
  const run = await executeOnAthena(athena, target, sql);
  const result = await readAthenaResults(athena, run.queryExecutionId);
  return { result, bytesScanned: run.bytesScanned, queryExecutionId: run.queryExecutionId };
}

/** Every exported query on Athena; returns each result for the caller to write. */
export async function runExportsOnAthena(
  athena: AthenaClient,
  target: AthenaTarget,
  date?: string,
  benchmark?: BenchmarkId,
) {
  const out: { name: string; run: AthenaRun }[] = [];
  for (const q of EXPORTED_QUERIES)
    out.push({ name: q.name, run: await runSavedQueryOnAthena(athena, target, q.name, { date, benchmark }) });
  return out;
}
