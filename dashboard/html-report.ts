// Renders the dashboard spec as one self-contained HTML file: styles, Chart.js and the data
// inline, nothing fetched, opens from disk, prints for an auditor. Values are escaped on the
// server side; the page's script only sorts, filters and draws charts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BENCHMARKS, type BenchmarkId, benchmarkControls, findQuery } from '../queries/catalog.ts';
import { columnTitle, FREE_TEXT_COLUMNS } from '../queries/column-titles.ts';
import type { QueryResult } from '../queries/duckdb-engine.ts';
import { RESULT_COLUMNS } from '../queries/result-columns.ts';
import type { PlainValue } from '../queries/values.ts';
import { esc, renderChanges, text } from './changes-view.ts';
import { PAGE_SCRIPT, pageStyle } from './page-assets.ts';
import {
  type BarVisual,
  CHECK_COLOURS,
  type DashboardSpec,
  type KpiVisual,
  type LineVisual,
  type TableVisual,
  type Visual,
} from './spec.ts';

export interface ReportInput {
  readonly spec: DashboardSpec;
  readonly results: Readonly<Record<string, QueryResult>>;
  readonly dt: string;
  readonly generatedAt: string;
  readonly lakeLocation: string;
  /** The benchmark the checks were judged against: the page says which, and names its control ids. */
  readonly benchmark: BenchmarkId;
}

/** At most this many rows per table in the page; the CSV exports hold every row. */
export const MAX_TABLE_ROWS = 2_000;

let chartJs: string | undefined;
function chartLibrary(): string {
  // The package exports no path to its UMD build; it sits beside the CommonJS entry.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  chartJs ??= readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

export function kpiValue(visual: KpiVisual, result: QueryResult): number | null {
  const m = visual.measure;
  if (m.type === 'rows') return result.rows.length;
  if (m.type === 'count_where') return result.rows.filter((r) => r[m.column] === m.equals).length;
  const values = result.rows.map((r) => r[m.column]).filter((v): v is number => typeof v === 'number');
  return values.length ? Math.max(...values) : null;
}

export function renderHtmlReport(input: ReportInput): string {
  const charts: unknown[] = [];
  const sections = input.spec.sections.map((section) => {
    const visuals = section.visuals.map((v) => renderVisual(v, input, charts)).join('\n');
    const kpis = section.visuals.every((v) => v.kind === 'kpi');
    // Sections of full tables print only on request: the summary and the changes fit a few pages.
    const details = section.visuals.every((v) => v.kind === 'table');
    return `<section${details ? ' class="details"' : ''}><h2>${esc(section.title)}</h2><div class="${kpis ? 'kpis' : 'visuals'}">${visuals}</div></section>`;
  });
  const coverage = input.results.collection_coverage?.rows ?? [];
  const missing = coverage.filter((r) => r.status !== 'collected' && r.status !== 'skipped');
  const data = JSON.stringify(charts).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.spec.title)} ${esc(input.dt)}</title>
<style>${pageStyle()}</style></head>
<body>
<header><h1>${esc(input.spec.title)}</h1>
<p class="meta">Snapshot <strong>${esc(input.dt)}</strong> · judged against <strong id="benchmark">${esc(BENCHMARKS[input.benchmark].title)}</strong> · ${coverage.filter((r) => r.status === 'collected').length} of ${coverage.length} accounts collected · written ${esc(input.generatedAt)} · all times UTC · lake <code>${esc(input.lakeLocation)}</code></p>
${
  missing.length
    ? `<p class="warning" id="missing-accounts">Not in the data: ${missing.length} account${missing.length === 1 ? '' : 's'} (${missing
        .slice(0, 20)
        .map((r) => `${esc(text(r.account_id))} ${esc(text(r.account_name))}: ${esc(text(r.reason))}`)
        .join('; ')}${missing.length > 20 ? '; …' : ''}). Their findings are unknown, not zero.</p>`
    : '<p class="ok" id="missing-accounts">Every active account of the organization is in the data.</p>'
}
<label class="print-option"><input type="checkbox" id="print-all"> Print the full tables too (by default the summary, the changes and the charts print)</label>
</header>
<main>${sections.join('\n')}</main>
<script>${chartLibrary()}</script>
<script>const CHARTS = ${data};
${PAGE_SCRIPT}</script>
</body></html>
`;
}

function renderVisual(visual: Visual, input: ReportInput, charts: unknown[]): string {
  const result = input.results[visual.query] ?? { columns: [], rows: [] };
  const source = `<p class="source">query: <code>${esc(visual.query)}</code></p>`;
  switch (visual.kind) {
    case 'kpi':
      return renderKpi(visual, result, unevaluated(visual.query, input));
    case 'bar':
      charts.push(barChart(visual, result));
      return `<figure class="chart" id="${visual.id}"><figcaption>${esc(visual.title)}</figcaption><div class="canvas-box"><canvas></canvas></div>${source}</figure>`;
    case 'line':
      charts.push(lineChart(visual, result));
      return `<figure class="chart" id="${visual.id}"><figcaption>${esc(visual.title)}</figcaption><div class="canvas-box"><canvas></canvas></div>${source}</figure>`;
    case 'table':
      return renderTable(visual, result, source, input.benchmark, unevaluated(visual.query, input));
    case 'changes': {
      const trend = input.results[visual.trend] ?? { columns: [], rows: [] };
      const list: TableVisual = {
        kind: 'table',
        id: `table-${visual.query}`,
        title: 'Every change',
        query: visual.query,
        columns: visual.columns,
      };
      // The list names changes and what could not be compared; the compared accounts are counted above.
      const listed = { ...result, rows: result.rows.filter((r) => r.change !== 'compared') };
      return `${renderChanges(visual, result, trend, input.dt)}\n${renderTable(list, listed, source, input.benchmark)}`;
    }
  }
}

/**
 * How many collected accounts a check could not judge (its findings_by_account count is NULL:
 * posture not read), and of how many collected; undefined for queries that are not counted there.
 */
export function unevaluated(query: string, input: ReportInput): { accounts: number; of: number } | undefined {
  const byAccount = input.results.findings_by_account;
  if (!byAccount?.columns.includes(query)) return undefined;
  const collected = byAccount.rows.filter((r) => r.status === 'collected');
  return { accounts: collected.filter((r) => r[query] === null).length, of: collected.length };
}

function renderKpi(
  visual: KpiVisual,
  result: QueryResult,
  missing?: { accounts: number; of: number },
): string {
  // Not read is not a pass: a check no collected account could be judged on shows no number.
  if (missing && missing.of > 0 && missing.accounts === missing.of) {
    return `<div class="kpi unknown" id="${visual.id}" data-query="${esc(visual.query)}"><span class="value">not evaluated</span><span class="label">${esc(visual.title)}</span><span class="note">posture not read on any account</span></div>`;
  }
  const value = kpiValue(visual, result);
  const bad = visual.findings && (value ?? 0) > 0;
  // A figure with findings takes its check's severity colour; a zero or a plain figure stays neutral.
  const cls = bad ? `kpi bad sev-text-${visual.severity ?? 'high'}` : 'kpi';
  const shown = value === null ? '–' : `${value}${visual.unit ?? ''}`;
  const note = missing?.accounts
    ? `<span class="note">not evaluated on ${missing.accounts} of ${missing.of} accounts</span>`
    : '';
  const severity = visual.severity ? ` data-severity="${esc(visual.severity)}"` : '';
  return `<div class="${cls}" id="${visual.id}" data-query="${esc(visual.query)}"${severity}><span class="value">${esc(shown)}</span><span class="label">${esc(visual.title)}</span>${note}</div>`;
}

function renderTable(
  visual: TableVisual,
  result: QueryResult,
  source: string,
  benchmark: BenchmarkId,
  missing?: { accounts: number; of: number },
): string {
  const columns = visual.columns.filter((c) => result.columns.includes(c));
  const types = new Map(RESULT_COLUMNS[visual.query] ?? []);
  const rows = result.rows.slice(0, MAX_TABLE_ROWS);
  const body = rows
    .map(
      (r) =>
        `<tr>${columns.map((c) => `<td${FREE_TEXT_COLUMNS.has(c) ? ' class="text"' : PATH_COLUMNS.has(c) ? ' class="path"' : ''}>${cellHtml(cellText(r[c], types.get(c)), c)}</td>`).join('')}</tr>`,
    )
    .join('');
  const more =
    result.rows.length > rows.length
      ? `<p class="note">First ${rows.length} of ${result.rows.length} rows; the CSV export has them all.</p>`
      : '';
  const unjudged = missing?.accounts
    ? `<p class="warning not-evaluated">Not evaluated on ${missing.accounts} of ${missing.of} collected accounts: their posture was not read (imported reports, or --no-posture). No rows there is not a pass.</p>`
    : '';
  const query = findQuery(visual.query);
  const ids = query ? benchmarkControls(query, benchmark) : undefined;
  const named = BENCHMARKS[benchmark];
  const labels =
    query?.kind === 'check' && ids
      ? ` <span class="sev sev-${esc(query.severity ?? 'low')}">${esc(query.severity ?? '')}</span><span class="controls">${[
          named.cis !== null && ids.controls.length ? `${named.short} ${ids.controls.join(', ')}` : '',
          ids.securityHub.length ? `Security Hub ${ids.securityHub.join(', ')}` : '',
        ]
          .filter(Boolean)
          .map(esc)
          .join(' · ')}</span>`
      : '';
  return `<div class="table-visual" id="${visual.id}"><h3>${esc(visual.title)} <span class="count">${result.rows.length}</span>${labels}</h3>
<input type="search" class="filter" placeholder="Filter rows" aria-label="Filter ${esc(visual.title)}">
${unjudged}<div class="scroll"><table><thead><tr>${columns.map((c) => `<th data-col="${esc(c)}" title="${esc(c)}">${esc(columnTitle(c))}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div><nav class="pager" aria-label="Pages of ${esc(visual.title)}"><button type="button" class="prev">Previous</button> <span class="page"></span> <button type="button" class="next">Next</button></nav>${more}${source}</div>`;
}

/**
 * Columns whose values are paths (ARNs, finding keys): on paper a long one may wrap, but only
 * after one of its separators, never inside a name.
 */
const PATH_COLUMNS: ReadonlySet<string> = new Set([
  'arn',
  'policy_arn',
  'finding_key',
  'ou_path',
  'source_key',
]);

function cellHtml(value: string, column: string): string {
  if (!PATH_COLUMNS.has(column)) return esc(value);
  return value
    .split(/(?<=[/|])/)
    .map((part) => `<span>${esc(part)}</span>`)
    .join('<wbr>');
}

/** A cell's text: a timestamp to the second, without the T and Z (the page says all times are UTC). */
function cellText(value: PlainValue | undefined, type: string | undefined): string {
  if (type === 'datetime' && typeof value === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(value);
    if (m) return `${m[1]} ${m[2]}`;
  }
  return text(value);
}

function barChart(visual: BarVisual, result: QueryResult) {
  const rows = result.rows
    .filter((r) => r.status === 'collected' || r.status === undefined)
    .slice(0, visual.limit);
  return {
    id: visual.id,
    type: 'bar',
    labels: rows.map((r) => text(r[visual.category]) || text(r.account_id)),
    // NULL (not evaluated) stays a gap in the chart, never a zero.
    series: visual.series.map((s) => ({
      label: columnTitle(s),
      colour: CHECK_COLOURS[s] ?? null,
      data: rows.map((r) => (r[s] == null ? null : Number(r[s]))),
    })),
  };
}

function lineChart(visual: LineVisual, result: QueryResult) {
  return {
    id: visual.id,
    type: 'line',
    labels: result.rows.map((r) => text(r[visual.x])),
    series: visual.series.map((s) => ({
      label: columnTitle(s),
      colour: CHECK_COLOURS[s] ?? null,
      data: result.rows.map((r) => (r[s] == null ? null : Number(r[s]))),
    })),
  };
}
