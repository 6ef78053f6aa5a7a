// The dashboard, declared once. The local HTML report and the QuickSight dashboard both derive
// from this spec; every visual names the saved query it reads. A pure declaration: no imports
// but the query catalog's, so `infra/` may read it at synth time.
import { COMPLIANCE_CHECKS } from '../queries/catalog.ts';

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

export type Visual = KpiVisual | BarVisual | LineVisual | TableVisual;

export interface DashboardSpec {
  readonly id: string;
  readonly title: string;
  readonly sections: readonly { readonly title: string; readonly visuals: readonly Visual[] }[];
}

/** Every compliance check, with its title, in catalog order. */
const CHECKS = COMPLIANCE_CHECKS.map((q) => [q.name, q.title] as const);

const USER = ['account_id', 'account_name', 'user_name', 'arn'];

const DETAIL_COLUMNS: Record<string, readonly string[]> = {
  root_hardware_mfa_missing: ['account_id', 'account_name', 'root_mfa_enabled', 'root_mfa_type'],
  password_policy_weak: [
    'account_id',
    'account_name',
    'no_policy',
    'length_too_short',
    'reuse_prevention_too_low',
    'minimum_password_length',
    'password_reuse_prevention',
  ],
  admin_users: [...USER, 'policy_name', 'source', 'group_name'],
  privileged_users_without_mfa: [...USER, 'password_last_used'],
  privileged_users_with_stale_keys: [...USER, 'key_slot', 'key_age_days'],
  stale_access_keys: [...USER, 'key_slot', 'key_age_days', 'last_used_at'],
  unused_credentials: [...USER, 'credential', 'days_unused', 'last_used_at'],
  console_users_without_mfa: [...USER, 'password_last_used'],
  unused_users: [...USER, 'reason', 'user_age_days'],
  root_account_findings: ['account_id', 'account_name', 'finding'],
  multiple_active_keys: [...USER, 'access_key_1_age_days', 'access_key_2_age_days'],
  passwords_not_rotated: [...USER, 'password_age_days'],
};

export const DASHBOARD: DashboardSpec = {
  id: 'credlake-credential-posture',
  title: 'IAM credential posture',
  sections: [
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
          columns: [
            'account_id',
            'account_name',
            'ou_path',
            'status',
            'reason',
            'message',
            'report_generated_at',
            'report_age_hours',
            'posture_failed',
          ],
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
          columns: DETAIL_COLUMNS[query],
        }),
      ),
    },
  ],
};

/** Every saved query the dashboard reads. */
export function dashboardQueries(spec: DashboardSpec = DASHBOARD): string[] {
  return [...new Set(spec.sections.flatMap((s) => s.visuals.map((v) => v.query)))];
}
