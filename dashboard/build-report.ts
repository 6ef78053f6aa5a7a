// Runs every query the dashboard needs for a snapshot and renders the HTML report.

import type { BenchmarkId } from '../queries/catalog.ts';
import type { DuckDbEngine, QueryResult } from '../queries/duckdb-engine.ts';
import { judgingBenchmark, resolveSnapshot, runSavedQuery } from '../queries/run-query.ts';
import { renderHtmlReport } from './html-report.ts';
import { DASHBOARD, dashboardQueries } from './spec.ts';

export async function buildHtmlReport(
  engine: DuckDbEngine,
  lakeLocation: string,
  date?: string,
  asked?: BenchmarkId,
): Promise<{ dt: string; html: string; results: Record<string, QueryResult>; benchmark: BenchmarkId }> {
  const dt = await resolveSnapshot(engine, date);
  // The report judges by the benchmark its snapshot was rolled up with, so tables and counts agree.
  const benchmark = await judgingBenchmark(engine, dt, asked);
  const results: Record<string, QueryResult> = {};
  for (const name of dashboardQueries())
    results[name] = await runSavedQuery(engine, name, { date: dt, benchmark });
  // The trend ends at the snapshot shown.
  if (results.findings_trend)
    results.findings_trend = {
      ...results.findings_trend,
      rows: results.findings_trend.rows.filter((r) => String(r.dt) <= dt),
    };
  const html = renderHtmlReport({
    spec: DASHBOARD,
    results,
    dt,
    generatedAt: new Date().toISOString(),
    lakeLocation,
    benchmark,
  });
  return { dt, html, results, benchmark };
}
