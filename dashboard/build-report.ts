// Runs every query the dashboard needs for a snapshot and renders the HTML report.
import type { DuckDbEngine, QueryResult } from '../queries/duckdb-engine.ts';
import { resolveSnapshot, runSavedQuery } from '../queries/run-query.ts';
import { renderHtmlReport } from './html-report.ts';
import { DASHBOARD, dashboardQueries } from './spec.ts';

export async function buildHtmlReport(
  engine: DuckDbEngine,
  lakeLocation: string,
  date?: string,
): Promise<{ dt: string; html: string; results: Record<string, QueryResult> }> {
  const dt = await resolveSnapshot(engine, date);
  const results: Record<string, QueryResult> = {};
  for (const name of dashboardQueries()) results[name] = await runSavedQuery(engine, name, { date: dt });
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
  });
  return { dt, html, results };
}
