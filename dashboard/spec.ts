// The dashboard, declared once. The local HTML report and the QuickSight dashboard both derive
// from this spec; every visual names the saved query it reads. A pure declaration: no imports
// but the query catalog and its result columns, so `infra/` may read it at synth time.
import { COMPLIANCE_CHECKS, type Severity } from '../queries/catalog.ts';
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
  /** The severity of the check it counts: a non-zero figure takes that severity's colour. */
  readonly severity?: Severity;
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

/** Every compliance check, with its title, most severe first (the catalog's order). */
const CHECKS = COMPLIANCE_CHECKS.map((q) => [q.name, q.title] as const);

/** The colour of each severity: badges, and the figures of the checks that carry it. */
export const SEVERITY_COLOURS: Readonly<Record<Severity, string>> = {
  critical: '#7a271a',
  high: '#b42318',
  medium: '#b54708',
  low: '#475467',
};

/**
 * Chart series colours, one per check, drawn from Okabe and Ito's and Paul Tol's colour-blind-safe
 * palettes and chosen so that every pair stays apart under protanopia, deuteranopia and tritanopia
 * as well as normal vision (a test simulates the three and measures the distance of every pair).
 */
export const SERIES_PALETTE = [
  '#CC3311',
  '#332288',
  '#E69F00',
  '#0072B2',
  '#AA3377',
  '#663333',
  '#EE6677',
  '#77AADD',
  '#000000',
  '#EEDD88',
  '#99DDFF',
  '#BBBBBB',
] as const;

/** Each check's own series colour, the same in every chart (by its place in the catalog). */
export const CHECK_COLOURS: Readonly<Record<string, string>> = Object.fromEntries(
  COMPLIANCE_CHECKS.map((q, i) => {
    const colour = SERIES_PALETTE[i];
    if (!colour)
      throw new Error(`dashboard spec: no series colour for check ${q.name}; extend SERIES_PALETTE`);
    return [q.name, colour];
  }),
);

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
          // The waiver's id is in the export; on the page its status says enough.
          columns: allColumns('findings_changes').filter((c) => c !== 'waiver_id'),
        },
      ],
    },
    {
      title: 'Overview',
      visuals: [
        ...COMPLIANCE_CHECKS.map(
          (q): KpiVisual => ({
            kind: 'kpi',
            id: `kpi-${q.name}`,
            title: q.title,
            query: q.name,
            measure: { type: 'rows' },
            findings: true,
            severity: q.severity,
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
          severity: 'high',
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
      title: 'Owners and waivers',
      visuals: [
        {
          kind: 'table',
          id: 'table-findings-by-owner',
          title: 'Findings by owner (waived ones counted apart, never dropped)',
          query: 'findings_by_owner',
          columns: allColumns('findings_by_owner'),
        },
        {
          kind: 'table',
          id: 'table-waivers-review',
          title: 'Waivers to review: expiring, expired, or covering nothing',
          query: 'waivers_review',
          columns: allColumns('waivers_review'),
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
