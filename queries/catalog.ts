// The catalog of saved queries: what each answers, the controls it maps to, its parameters.
// A pure declaration (no imports): `infra/` reads it at synth time to create named queries.

export interface QueryParam {
  readonly name: string;
  readonly type: 'date' | 'int' | 'bool';
  /**
   * The value written in the query's `params` CTE; `latest` means the newest snapshot. Where a
   * benchmark sets the parameter (BENCHMARK_VALUES), its .sql file holds DEFAULT_BENCHMARK's value.
   */
  readonly default: number | boolean | 'latest';
  readonly description: string;
}

/** The CIS AWS Foundations Benchmark versions credlake knows, oldest first. */
export const CIS_VERSIONS = ['1.4', '3.0', '5.0'] as const;
export type CisVersion = (typeof CIS_VERSIONS)[number];

export interface ControlMapping {
  /** The CIS AWS Foundations Benchmark recommendation ids of each version (v5.0 renumbered them). */
  readonly cis: Readonly<Record<CisVersion, readonly string[]>>;
  /**
   * AWS Security Hub (CSPM) control ids that check the same rule at CIS's thresholds: what an
   * export names beside the CIS ids.
   */
  readonly securityHub: readonly string[];
  /**
   * The Security Hub control judged under the `security-hub` benchmark where its thresholds are
   * not CIS's (unused credentials: IAM.8 at 90 days, not IAM.22 at 45); default `securityHub`.
   */
  readonly securityHubOwn?: readonly string[];
}

/**
 * The benchmarks a run is judged against. Each names every check's control ids and sets the
 * parameters where versions differ (BENCHMARK_VALUES); the checks themselves are the same.
 */
export const BENCHMARKS = {
  'cis-1.4': { title: 'CIS AWS Foundations Benchmark v1.4.0', short: 'CIS v1.4.0', cis: '1.4' },
  'cis-3.0': { title: 'CIS AWS Foundations Benchmark v3.0.0', short: 'CIS v3.0.0', cis: '3.0' },
  'cis-5.0': { title: 'CIS AWS Foundations Benchmark v5.0.0', short: 'CIS v5.0.0', cis: '5.0' },
  'security-hub': { title: 'AWS Security Hub CSPM controls', short: 'Security Hub', cis: null },
} as const satisfies Record<string, { title: string; short: string; cis: CisVersion | null }>;
export type BenchmarkId = keyof typeof BENCHMARKS;
export const BENCHMARK_IDS = Object.keys(BENCHMARKS) as BenchmarkId[];
/** The newest CIS version: what a run is judged against unless told otherwise. */
export const DEFAULT_BENCHMARK: BenchmarkId = 'cis-5.0';

/**
 * What each benchmark sets, by parameter name, in every check that has the parameter. Only where
 * the benchmarks say so; every other parameter keeps its catalog default under all of them.
 *  - unused_credential_days: CIS v1.4 onwards (1.12, v5.0 1.11) and Security Hub IAM.22 say 45;
 *    Security Hub IAM.8 (AWS Config's iam-user-unused-credentials-check default) says 90.
 *  - root_mfa_without_password: whether a root user with no console password still needs MFA.
 *    CIS v1.4 and v3.0 (1.5, 1.6) and Security Hub IAM.9 and IAM.6 audit MFA alone; CIS v5.0
 *    (1.4, 1.5) passes a root whose password_enabled is FALSE (AccountPasswordPresent 0).
 */
export const BENCHMARK_VALUES: Readonly<Record<BenchmarkId, Readonly<Record<string, number | boolean>>>> = {
  'cis-1.4': { unused_credential_days: 45, max_key_age_days: 90, root_mfa_without_password: true },
  'cis-3.0': { unused_credential_days: 45, max_key_age_days: 90, root_mfa_without_password: true },
  'cis-5.0': { unused_credential_days: 45, max_key_age_days: 90, root_mfa_without_password: false },
  'security-hub': { unused_credential_days: 90, max_key_age_days: 90, root_mfa_without_password: true },
};

/** A benchmark id from user input (a flag, a setting, an environment variable), or why not. */
export function parseBenchmark(text: string): BenchmarkId {
  if (text in BENCHMARKS) return text as BenchmarkId;
  throw new Error(`unknown benchmark ${JSON.stringify(text)}; known: ${BENCHMARK_IDS.join(', ')}`);
}

/** The parameter values a benchmark sets in one query (only those the query has). */
export function benchmarkValues(query: SavedQuery, benchmark: BenchmarkId): Record<string, number | boolean> {
  const values = BENCHMARK_VALUES[benchmark];
  return Object.fromEntries(
    query.params.filter((p) => p.name in values).map((p) => [p.name, values[p.name]]),
  );
}

/** A check's control ids under a benchmark, and the Security Hub controls named beside them. */
export function benchmarkControls(
  query: SavedQuery,
  benchmark: BenchmarkId,
): { controls: readonly string[]; securityHub: readonly string[] } {
  const version = BENCHMARKS[benchmark].cis;
  const own = query.controls.securityHubOwn ?? query.controls.securityHub;
  return version === null
    ? { controls: own, securityHub: own }
    : { controls: query.controls.cis[version], securityHub: query.controls.securityHub };
}

export interface SavedQuery {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** A compliance check lists findings and is exported; a summary feeds dashboards. */
  readonly kind: 'check' | 'summary';
  /** Written as CSV by `credlake export` and the deployed pipeline, for auditors. */
  readonly exported: boolean;
  readonly controls: ControlMapping;
  readonly params: readonly QueryParam[];
  /** Reads only the snapshot at `snapshot_dt` (so only the newest partition by default). */
  readonly latestSnapshot: boolean;
  /**
   * Reads the snapshot at `snapshot_dt` and each account's previous collected one (found in
   * collection_runs), nothing else.
   */
  readonly previousSnapshot?: boolean;
  /** What the check stands on: the credential report alone, or account posture and privileges. */
  readonly basis?: 'credential_report' | 'posture';
  /** Findings are about users (the default) or about whole accounts. */
  readonly grain?: 'user' | 'account';
  /** How urgent a finding of this check is; every check has one (see SEVERITIES). */
  readonly severity?: Severity;
  /**
   * The result columns that, with the check and the account, name one finding across snapshots
   * (never a value that changes daily, like an age): the finding's stable key.
   */
  readonly identity?: readonly string[];
}

/** Severities, most urgent first. The README says why each check has its own. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

const SNAPSHOT: QueryParam = {
  name: 'snapshot_dt',
  type: 'date',
  default: 'latest',
  description: 'Snapshot date to read (YYYY-MM-DD); default the newest dt of collection_runs',
};

const p = (name: string, def: number, description: string): QueryParam => ({
  name,
  type: 'int',
  default: def,
  description,
});

const THRESHOLDS = {
  maxKeyAge: p('max_key_age_days', 90, 'A key is stale when older than this many days (exclusive)'),
  unusedCredential: p(
    'unused_credential_days',
    45,
    'A credential is unused after this many days (inclusive)',
  ),
  minUserAge: p('min_user_age_days', 90, 'Only users at least this many days old can be unused users'),
  unusedUser: p(
    'unused_user_days',
    90,
    'A user is unused when every credential is idle this long (inclusive)',
  ),
  rootRecentUse: p('root_recent_use_days', 90, 'Root use within this many days is a finding (inclusive)'),
  rootMfaWithoutPassword: {
    name: 'root_mfa_without_password',
    type: 'bool',
    default: BENCHMARK_VALUES[DEFAULT_BENCHMARK].root_mfa_without_password,
    description:
      'true: a root user without a console password still needs MFA (CIS v1.4, v3.0, Security Hub); false: it passes (CIS v5.0)',
  } satisfies QueryParam,
  maxPasswordAge: p(
    'max_password_age_days',
    90,
    'A password is old when older than this many days (exclusive)',
  ),
};

const none: ControlMapping = { cis: { '1.4': [], '3.0': [], '5.0': [] }, securityHub: [] };
/** The same ids in v1.4 and v3.0, another in v5.0 (which renumbered section 1). */
const cis = (v14: string[], v50: string[]) => ({ '1.4': v14, '3.0': v14, '5.0': v50 });

/** The saved queries as declared; CATALOG below is the order everything shows them in. */
const DECLARED: readonly SavedQuery[] = [
  {
    name: 'stale_access_keys',
    title: 'Access keys not rotated',
    description: 'Active access keys older than max_key_age_days, one row per key; root keys included.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.14'], ['1.13']), securityHub: ['IAM.3'] },
    params: [SNAPSHOT, THRESHOLDS.maxKeyAge],
    severity: 'medium',
    identity: ['user_name', 'key_slot'],
    latestSnapshot: true,
  },
  {
    name: 'unused_credentials',
    title: 'Credentials not used recently',
    description:
      'Enabled passwords and active keys unused for unused_credential_days or more; never-used ones count from when they were set. Root excluded.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.12'], ['1.11']), securityHub: ['IAM.22'], securityHubOwn: ['IAM.8'] },
    params: [SNAPSHOT, THRESHOLDS.unusedCredential],
    severity: 'medium',
    identity: ['user_name', 'credential'],
    latestSnapshot: true,
  },
  {
    name: 'console_users_without_mfa',
    title: 'Console users without MFA',
    description: 'IAM users with a console password and no MFA device. Root excluded.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.10'], ['1.9']), securityHub: ['IAM.5'] },
    params: [SNAPSHOT],
    severity: 'high',
    identity: ['user_name'],
    latestSnapshot: true,
  },
  {
    name: 'unused_users',
    title: 'Users nobody uses',
    description:
      'Users at least min_user_age_days old whose every credential is absent, inactive or idle for unused_user_days; reason says which.',
    kind: 'check',
    exported: true,
    controls: none,
    params: [SNAPSHOT, THRESHOLDS.minUserAge, THRESHOLDS.unusedUser],
    severity: 'low',
    identity: ['user_name'],
    latestSnapshot: true,
  },
  {
    name: 'root_account_findings',
    title: 'Root user risks',
    description:
      'Root access keys, root without MFA (password or not), and recent root use, each with what root holds.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.4', '1.5', '1.7'], ['1.3', '1.4', '1.6']), securityHub: ['IAM.4', 'IAM.9'] },
    params: [SNAPSHOT, THRESHOLDS.rootRecentUse, THRESHOLDS.rootMfaWithoutPassword],
    severity: 'critical',
    identity: ['finding'],
    latestSnapshot: true,
  },
  {
    name: 'multiple_active_keys',
    title: 'Users with two active keys',
    description: 'IAM users with both access key slots active. Root excluded.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.13'], ['1.12']), securityHub: [] },
    params: [SNAPSHOT],
    severity: 'low',
    identity: ['user_name'],
    latestSnapshot: true,
  },
  {
    name: 'passwords_not_rotated',
    title: 'Old console passwords',
    description: 'Enabled console passwords older than max_password_age_days. Root excluded.',
    kind: 'check',
    exported: true,
    controls: none,
    params: [SNAPSHOT, THRESHOLDS.maxPasswordAge],
    severity: 'low',
    identity: ['user_name'],
    latestSnapshot: true,
  },
  {
    name: 'root_hardware_mfa_missing',
    title: 'Root without hardware MFA',
    description:
      'Accounts whose root user has no MFA or only a virtual device; not for member roots whose credentials were removed centrally, nor GovCloud.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.6'], ['1.5']), securityHub: ['IAM.6'] },
    params: [SNAPSHOT, THRESHOLDS.rootMfaWithoutPassword],
    severity: 'medium',
    identity: [],
    latestSnapshot: true,
    basis: 'posture',
  },
  {
    name: 'password_policy_weak',
    title: 'Weak password policy',
    description:
      'Accounts without a password policy, or with one shorter than 14 characters or remembering fewer than 24 passwords; one column per rule.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.8', '1.9'], ['1.7', '1.8']), securityHub: ['IAM.15', 'IAM.16', 'IAM.7'] },
    params: [
      SNAPSHOT,
      p('min_password_length', 14, 'Shortest acceptable minimum password length'),
      p('min_password_reuse_prevention', 24, 'Fewest remembered passwords acceptable'),
    ],
    severity: 'medium',
    identity: [],
    latestSnapshot: true,
    basis: 'posture',
    grain: 'account',
  },
  {
    name: 'admin_users',
    title: 'Administrators',
    description:
      'IAM users with AdministratorAccess or a policy allowing * on *, one row per way they have it (direct, inline, group).',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.16'], ['1.15']), securityHub: ['IAM.1'] },
    params: [SNAPSHOT],
    severity: 'medium',
    identity: ['user_name', 'policy_name', 'source', 'group_name'],
    latestSnapshot: true,
    basis: 'posture',
  },
  {
    name: 'privileged_users_without_mfa',
    title: 'Administrators without MFA',
    description: 'Administrators with a console password and no MFA device.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.10'], ['1.9']), securityHub: ['IAM.5'] },
    params: [SNAPSHOT],
    severity: 'critical',
    identity: ['user_name'],
    latestSnapshot: true,
    basis: 'posture',
  },
  {
    name: 'privileged_users_with_stale_keys',
    title: 'Administrators with stale keys',
    description: 'Administrators with an active access key older than max_key_age_days, one row per key.',
    kind: 'check',
    exported: true,
    controls: { cis: cis(['1.14'], ['1.13']), securityHub: ['IAM.3'] },
    params: [SNAPSHOT, THRESHOLDS.maxKeyAge],
    severity: 'high',
    identity: ['user_name', 'key_slot'],
    latestSnapshot: true,
    basis: 'posture',
  },
  {
    name: 'findings_by_account',
    title: 'Findings by account',
    description:
      'One row per account of the snapshot: users, console users, and a count per compliance check (NULL where the check could not run), from the findings_daily rollup at the thresholds of the benchmark of the day.',
    kind: 'summary',
    exported: false,
    controls: none,
    params: [SNAPSHOT],
    latestSnapshot: true,
  },
  {
    name: 'findings_trend',
    title: 'Findings over time',
    description:
      'The same counts as findings_by_account, org-wide, one row per snapshot date, from the findings_daily rollup.',
    kind: 'summary',
    exported: false,
    controls: none,
    params: [],
    latestSnapshot: false,
  },
  {
    name: 'user_changes',
    title: 'Users added and removed',
    description: "Users present in an account's snapshot and not in its previous one, and the reverse.",
    kind: 'summary',
    exported: false,
    controls: none,
    params: [SNAPSHOT],
    latestSnapshot: false,
    previousSnapshot: true,
  },
  {
    name: 'findings_changes',
    title: 'What changed',
    description:
      "Findings new, reopened (a waiver lapsed) and resolved since each account's previous collected snapshot, by stable key, with severity, owner and waiver status; accounts and checks that cannot be compared are named, never read as resolved, and each account compared has one row 'compared'.",
    kind: 'summary',
    exported: true,
    controls: none,
    params: [SNAPSHOT],
    latestSnapshot: false,
    previousSnapshot: true,
  },
  {
    name: 'findings_by_owner',
    title: 'Findings by owner',
    description:
      "Per owner (the user's owner tag, else the account's, else unowned): the snapshot's findings, how many are open, waived and no longer waived (waiver expired), and the open ones by severity.",
    kind: 'summary',
    exported: true,
    controls: none,
    params: [SNAPSHOT],
    latestSnapshot: true,
  },
  {
    name: 'waivers_review',
    title: 'Waivers to review',
    description:
      'Waivers of the snapshot that need a decision: expiring within expiring_within_days, already expired, or covering no finding at all.',
    kind: 'summary',
    exported: true,
    controls: none,
    params: [
      SNAPSHOT,
      p(
        'expiring_within_days',
        30,
        'A waiver in force that expires within this many days is listed (inclusive)',
      ),
    ],
    latestSnapshot: true,
  },
  {
    name: 'collection_coverage',
    title: 'Collection coverage',
    description:
      'Every account of the organization snapshot with its collection status, reason and report age.',
    kind: 'summary',
    exported: true,
    controls: none,
    params: [SNAPSHOT],
    latestSnapshot: true,
  },
];

/** A query's rank in every list: checks by severity, most urgent first, then the summaries. */
export function severityRank(query: SavedQuery): number {
  return query.kind === 'check' ? SEVERITIES.indexOf(query.severity ?? 'low') : SEVERITIES.length;
}

/**
 * Every saved query, most urgent first: critical checks lead the CLI summary, the report, the
 * exports manifest, the digest and Athena's named queries alike, each severity in declared order.
 */
export const CATALOG: readonly SavedQuery[] = DECLARED.map((q, i) => ({ q, i }))
  .sort((a, b) => severityRank(a.q) - severityRank(b.q) || a.i - b.i)
  .map(({ q }) => q);

export function findQuery(name: string): SavedQuery | undefined {
  return CATALOG.find((q) => q.name === name);
}

export const COMPLIANCE_CHECKS = CATALOG.filter((q) => q.kind === 'check');
/** The checks that stand on the credential report alone (an import gives nothing else). */
export const REPORT_CHECKS = COMPLIANCE_CHECKS.filter(
  (q) => (q.basis ?? 'credential_report') === 'credential_report',
);
export const EXPORTED_QUERIES = CATALOG.filter((q) => q.exported);

/** What an export or a report says about a query beside its rows: severity and control ids. */
export function queryLabels(query: SavedQuery, benchmark: BenchmarkId) {
  const { controls, securityHub } = benchmarkControls(query, benchmark);
  return {
    title: query.title,
    severity: query.severity ?? null,
    benchmark,
    controls: [...controls],
    security_hub: [...securityHub],
  };
}
