// The dashboard, declared once. The local HTML report and the QuickSight dashboard both derive
// from this spec; every visual names the saved query it reads. A pure declaration: no imports
// but the query catalog and its result columns, so `infra/` may read it at synth time.
import { COMPLIANCE_CHECKS } from '../queries/catalog.ts';
import { RESULT_COLUMNS } from '../queries/result-columns.ts';

export interface KpiVisual {
  readonly kind: 'kpi';
  readonly id: string;
  readonly title: string;
  readonly query: string;
  /** `rows`: the number of rows of the query; otherwise a column reduced over the rows. */
  readonly measure:
    | { readonly type: 'rows' }
    | { readonly type: 'count_where'; readonly column: string; readonly equals: string }
    | { readonly type: 'max'; readonly column: string };
  readonly unit?: string;
  /** Higher is worse: a non-zero value is shown as a finding. */
  readonly findings: boolean;
}

export interface BarVisual {
  readonly kind: 'bar';
  readonly id: string;
  readonly title: string;
  readonly query: string;
  readonly category: string;
  readonly series: readonly string[];
  readonly limit: number;
}

export interface LineVisual {
  readonly kind: 'line';
  readonly id: string;
  readonly title: string;
  readonly query: string;
  readonly x: string;
  readonly series: readonly string[];
}

export interface TableVisual {
  readonly kind: 'table';
  readonly id: string;
  readonly title: string;
  readonly query: string;
  readonly columns: readonly string[];
}

/**
 * What changed since each account's previous snapshot: new and resolved findings per check and
 * per account, then the standing totals with their change (from the trend), then every change.
 * QuickSight shows it as the table of `query` on a sheet of its own.
 */
export interface ChangesVisual {
  readonly kind: 'changes';
  readonly id: string;
  readonly title: string;
  readonly query: 'findings_changes';
  /** The trend query whose last two rows give the standing totals and their change. */
  readonly trend: 'findings_trend';
  readonly columns: readonly string[];
}

export type Visual = KpiVisual | BarVisual | LineVisual | TableVisual | ChangesVisual;

export interface DashboardSpec {
  readonly id: string;
  readonly title: string;
  readonly sections: readonly { readonly title: string; readonly visuals: readonly Visual[] }[];
}

/** Every compliance check, with its title, in catalog order. */
const CHECKS = COMPLIANCE_CHECKS.map((q) => [q.name, q.title] as const);

/** A table shows every column of its query's result but the snapshot date, which a page states once. */
const allColumns = (query: string) => (RESULT_COLUMNS[query] ?? []).map(([c]) => c).filter((c) => c !== 'dt');

export const DASHBOARD: DashboardSpec = {
  id: 'credlake-credential-posture',
  title: 'IAM credential posture',
  sections: [
    {
      title: 'What changed',
      visuals: [
        {
          kind: 'changes',
          id: 'changes',
          title: 'What changed since the previous snapshot',
          query: 'findings_changes',
          trend: 'findings_trend',
          columns: allColumns('findings_changes'),
        },
      ],
    },
    {
      title: 'Overview',
      visuals: [
        ...CHECKS.map(
          ([query, title]): KpiVisual => ({
            kind: 'kpi',
            id: `kpi-${query}`,
            title,
            query,
            measure: { type: 'rows' },
            findings: true,
          }),
        ),
        {
          kind: 'kpi',
          id: 'kpi-accounts-covered',
          title: 'Accounts collected',
          query: 'collection_coverage',
          measure: { type: 'count_where', column: 'status', equals: 'collected' },
          findings: false,
        },
        {
          kind: 'kpi',
          id: 'kpi-accounts-missing',
          title: 'Accounts not collected',
          query: 'collection_coverage',
          measure: { type: 'count_where', column: 'status', equals: 'failed' },
          findings: true,
        },
        {
          kind: 'kpi',
          id: 'kpi-report-freshness',
          title: 'Oldest report age',
          query: 'collection_coverage',
          measure: { type: 'max', column: 'report_age_hours' },
          unit: 'h',
          findings: false,
        },
      ],
    },
    {
      title: 'Where and when',
      visuals: [
        {
          kind: 'bar',
          id: 'bar-findings-by-account',
          title: 'Findings per account (top 15)',
          query: 'findings_by_account',
          category: 'account_name',
          series: CHECKS.map(([q]) => q),
          limit: 15,
        },
        {
          kind: 'line',
          id: 'line-findings-trend',
          title: 'Findings over time',
          query: 'findings_trend',
          x: 'dt',
          series: CHECKS.map(([q]) => q),
        },
        {
          kind: 'table',
          id: 'table-collection-coverage',
          title: 'Collection coverage',
          query: 'collection_coverage',
          columns: allColumns('collection_coverage'),
        },
      ],
    },
    {
      title: 'Details',
      visuals: CHECKS.map(
        ([query, title]): TableVisual => ({
          kind: 'table',
          id: `table-${query}`,
          title,
          query,
          columns: allColumns(query),
        }),
      ),
    },
  ],
};

/** Every saved query the dashboard reads. */
export function dashboardQueries(spec: DashboardSpec = DASHBOARD): string[] {
  return [
    ...new Set(
      spec.sections.flatMap((s) =>
        s.visuals.flatMap((v) => (v.kind === 'changes' ? [v.query, v.trend] : [v.query])),
      ),
    ),
  ];
}
