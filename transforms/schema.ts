// The single source of truth for every table credlake writes. The parser, the Parquet writer,
// the Glue tables, the DuckDB views and the README's data model all derive from this file.
// It is a pure declaration: no imports, so `infra/` may read it at synth time.

/** Logical column types, each with its Parquet, Athena/Glue and DuckDB spelling. */
export const COLUMN_TYPES = {
  string: { parquet: 'BYTE_ARRAY (UTF8)', glue: 'string', duckdb: 'VARCHAR' },
  boolean: { parquet: 'BOOLEAN', glue: 'boolean', duckdb: 'BOOLEAN' },
  int: { parquet: 'INT32', glue: 'int', duckdb: 'INTEGER' },
  bigint: { parquet: 'INT64', glue: 'bigint', duckdb: 'BIGINT' },
  timestamp: { parquet: 'INT64 TIMESTAMP(MILLIS, UTC)', glue: 'timestamp', duckdb: 'TIMESTAMPTZ' },
} as const;

export type ColumnType = keyof typeof COLUMN_TYPES;

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
}

export interface TableDef {
  readonly name: TableName;
  readonly description: string;
  /** Columns stored in each Parquet file. */
  readonly columns: readonly Column[];
  /** Hive partition keys, in path order; always strings in Glue and in the lake paths. */
  readonly partitionKeys: readonly Column[];
}

export type TableName =
  | 'credential_report'
  | 'accounts'
  | 'collection_runs'
  | 'account_posture'
  | 'user_privileges'
  | 'user_tags'
  | 'account_tags'
  | 'findings_daily'
  | 'findings'
  | 'waivers';

const col = (name: string, type: ColumnType, description: string): Column => ({ name, type, description });

const DT = col('dt', 'string', 'UTC date the collection run started (YYYY-MM-DD)');
const ACCOUNT_ID = col('account_id', 'string', 'AWS account id, 12 characters, leading zeros kept');

function keySlotColumns(n: 1 | 2): Column[] {
  return [
    col(`access_key_${n}_active`, 'boolean', `Access key slot ${n} exists and is active`),
    col(`access_key_${n}_last_rotated`, 'timestamp', `When key ${n} was created or last rotated`),
    col(`access_key_${n}_last_used_date`, 'timestamp', `When key ${n} was last used; NULL if never`),
    col(`access_key_${n}_last_used_region`, 'string', `Region of key ${n}'s last use`),
    col(`access_key_${n}_last_used_service`, 'string', `Service of key ${n}'s last use`),
  ];
}

function certSlotColumns(n: 1 | 2): Column[] {
  return [
    col(`cert_${n}_active`, 'boolean', `Signing certificate slot ${n} exists and is active`),
    col(`cert_${n}_last_rotated`, 'timestamp', `When certificate ${n} was created or last rotated`),
  ];
}

function keyAgeColumns(n: 1 | 2): Column[] {
  return [
    col(`access_key_${n}_age_days`, 'int', `Whole UTC days from key ${n}'s last rotation to the report`),
    col(`access_key_${n}_days_since_use`, 'int', `Whole UTC days from key ${n}'s last use to the report`),
    col(
      `access_key_${n}_idle_days`,
      'int',
      `Whole UTC days key ${n} went without recorded use: since its last use, else since it was set or 2015-04-22 (when IAM began recording key use) if later; NULL when unknown (no key-use columns before April 2015) or no key`,
    ),
    col(
      `access_key_${n}_use_fully_recorded`,
      'boolean',
      `IAM recorded every use of key ${n}: false when the key was set before 2015-04-22 or the report has no key-use columns, so a missing last use means "no use recorded", not "never used"; NULL when the slot has no key`,
    ),
  ];
}

const credentialReport: TableDef = {
  name: 'credential_report',
  description: 'One row per line of an IAM credential report, normalized and typed',
  partitionKeys: [DT, ACCOUNT_ID],
  columns: [
    col('account_name', 'string', 'Account name from the organization snapshot'),
    col('report_generated_at', 'timestamp', 'When IAM generated the report (UTC)'),
    col('run_id', 'string', 'Collection run that fetched the report'),
    col('user_name', 'string', 'IAM user name; <root_account> for the root user'),
    col('arn', 'string', 'ARN of the user'),
    col('is_root', 'boolean', 'True for the root user row'),
    col('user_creation_time', 'timestamp', 'When the user was created'),
    col('password_enabled', 'boolean', 'Console password set; NULL for root (not_supported)'),
    col('password_last_used', 'timestamp', 'Last console sign-in; NULL if never or unknown'),
    col('password_last_changed', 'timestamp', 'When the password was set or last changed'),
    col('password_next_rotation', 'timestamp', 'When the password policy requires a change'),
    col('mfa_active', 'boolean', 'An MFA device is enabled for the user'),
    ...keySlotColumns(1),
    ...keySlotColumns(2),
    ...certSlotColumns(1),
    ...certSlotColumns(2),
    col('password_days_since_use', 'int', 'Whole UTC days from the last sign-in to the report'),
    col('password_age_days', 'int', 'Whole UTC days from the last password change to the report'),
    ...keyAgeColumns(1),
    ...keyAgeColumns(2),
    col('user_age_days', 'int', 'Whole UTC days from user creation to the report'),
  ],
};

const accounts: TableDef = {
  name: 'accounts',
  description: 'The organization snapshot taken by each run: every account, collected or not',
  partitionKeys: [DT],
  columns: [
    ACCOUNT_ID,
    col('name', 'string', 'Account name'),
    col('email', 'string', 'Root email address of the account'),
    col('state', 'string', 'ACTIVE, SUSPENDED, PENDING_CLOSURE or CLOSED'),
    col('ou_path', 'string', 'Path of organizational units from the root, e.g. Root/Workloads/Prod'),
    col('joined_at', 'timestamp', 'When the account joined the organization'),
    col(
      'is_management',
      'boolean',
      "The organization's management account; NULL when the snapshot came from an account list",
    ),
  ],
};

const collectionRuns: TableDef = {
  name: 'collection_runs',
  description: 'One outcome per account per day: collected, failed (with reason) or skipped',
  partitionKeys: [DT],
  columns: [
    col('run_id', 'string', 'Collection run id'),
    ACCOUNT_ID,
    col('account_name', 'string', 'Account name as known to the run'),
    col('status', 'string', 'collected, failed or skipped'),
    col('reason', 'string', 'Short code: access_denied, throttled, report_timeout, malformed_report, ...'),
    col('message', 'string', 'Human-readable detail of the outcome'),
    col('attempts', 'int', 'API attempts spent on the account, retries included'),
    col('report_generated_at', 'timestamp', 'GeneratedTime of the collected report'),
    col('report_age_hours', 'int', 'Whole hours from GeneratedTime to when the run fetched the report'),
    col('user_count', 'int', 'Rows in the collected report, root included'),
    col('duration_ms', 'bigint', 'Wall time spent on the account'),
    col('raw_key', 'string', 'Lake key of the raw report kept as evidence'),
    col(
      'report_time_source',
      'string',
      'Where report_generated_at comes from: iam (GeneratedTime), given (import --generated-at) or guessed (newest event in an imported file)',
    ),
    col(
      'posture_failed',
      'boolean',
      'Account posture or privileges could not be read (the report may still be collected)',
    ),
    col('posture_message', 'string', 'Why the posture could not be read'),
  ],
};

const accountPosture: TableDef = {
  name: 'account_posture',
  description:
    'Account-level IAM posture: root MFA and credentials, password policy, centralized root access',
  partitionKeys: [DT],
  columns: [
    ACCOUNT_ID,
    col('account_name', 'string', 'Account name'),
    col('run_id', 'string', 'Collection run that read the posture'),
    col('root_mfa_enabled', 'boolean', 'GetAccountSummary AccountMFAEnabled: root has an MFA device'),
    col('root_mfa_type', 'string', 'hardware or virtual (from ListVirtualMFADevices); NULL without root MFA'),
    col(
      'root_access_keys_present',
      'boolean',
      'Root has access keys, active or not (AccountAccessKeysPresent)',
    ),
    col('root_password_present', 'boolean', 'Root has a console password (AccountPasswordPresent)'),
    col(
      'centralized_root_access',
      'boolean',
      'The organization manages root credentials centrally; NULL when unknown',
    ),
    col('password_policy_present', 'boolean', 'The account has a password policy'),
    col('minimum_password_length', 'int', 'Password policy minimum length; NULL without a policy'),
    col('password_reuse_prevention', 'int', 'Previous passwords that cannot be reused; NULL when not set'),
    col('require_symbols', 'boolean', 'Policy requires a symbol'),
    col('require_numbers', 'boolean', 'Policy requires a number'),
    col('require_uppercase', 'boolean', 'Policy requires an uppercase letter'),
    col('require_lowercase', 'boolean', 'Policy requires a lowercase letter'),
    col('max_password_age', 'int', 'Days a password may be used; NULL when unlimited'),
  ],
};

const userPrivileges: TableDef = {
  name: 'user_privileges',
  description:
    'One row per policy attached to an IAM user, directly or through a group, and per permissions boundary',
  partitionKeys: [DT, ACCOUNT_ID],
  columns: [
    col('account_name', 'string', 'Account name'),
    col('run_id', 'string', 'Collection run that read the authorization details'),
    col('user_name', 'string', 'IAM user name'),
    col('arn', 'string', 'ARN of the user'),
    col('policy_name', 'string', 'Policy name'),
    col('policy_arn', 'string', 'ARN of a managed policy; NULL for an inline policy'),
    col('policy_kind', 'string', 'managed, inline or boundary'),
    col('source', 'string', 'user (attached directly) or group'),
    col('group_name', 'string', 'The group the policy comes through; NULL when direct'),
    col('grants_admin', 'boolean', 'AdministratorAccess, or a statement allowing * on *'),
    col('user_is_admin', 'boolean', 'The user is an administrator through any of its policies'),
  ],
};

const userTags: TableDef = {
  name: 'user_tags',
  description:
    "One row per tag of an IAM user, read with the account's authorization details (no call of its own)",
  partitionKeys: [DT, ACCOUNT_ID],
  columns: [
    col('account_name', 'string', 'Account name'),
    col('run_id', 'string', 'Collection run that read the authorization details'),
    col('user_name', 'string', 'IAM user name'),
    col('arn', 'string', 'ARN of the user'),
    col('tag_key', 'string', 'Tag key'),
    col('tag_value', 'string', 'Tag value (may be empty)'),
  ],
};

const accountTags: TableDef = {
  name: 'account_tags',
  description: 'One row per tag of an account in Organizations, from the organization snapshot',
  partitionKeys: [DT],
  columns: [
    ACCOUNT_ID,
    col('tag_key', 'string', 'Tag key'),
    col('tag_value', 'string', 'Tag value (may be empty)'),
  ],
};

const findingsDaily: TableDef = {
  name: 'findings_daily',
  description:
    'The daily rollup: per snapshot and account, the number of findings of each compliance check at the thresholds of its benchmark (column benchmark), with the account outcome; one small partition per dt, derived from the tables above',
  partitionKeys: [DT],
  columns: [
    ACCOUNT_ID,
    col('account_name', 'string', 'Account name as known to the run'),
    col('status', 'string', 'collected, failed or skipped (from collection_runs)'),
    col('reason', 'string', 'Why the account was not collected, or how it was'),
    col('users', 'int', 'IAM users in the report, root excluded; NULL when not collected'),
    col('console_users', 'int', 'Users with a console password; NULL when not collected'),
    col('check_name', 'string', 'The saved compliance query counted'),
    col(
      'basis',
      'string',
      'credential_report, or posture for the checks that need account posture and privileges',
    ),
    col(
      'evaluated',
      'boolean',
      'The check could run on this account: its report was collected and, for posture checks, its posture read',
    ),
    col('findings', 'int', 'Rows the check returns for the account; NULL when not evaluated, never a pass'),
    col(
      'waived',
      'int',
      'Of those findings, how many a waiver in force covered (counted in findings too); NULL when not evaluated',
    ),
    col(
      'benchmark',
      'string',
      'The benchmark the checks were judged against: cis-1.4, cis-3.0, cis-5.0 or security-hub',
    ),
  ],
};

const findings: TableDef = {
  name: 'findings',
  description:
    'Every finding of every compliance check, one row each with its stable key, so two snapshots can be compared; one partition per dt (one file locally, the files Athena wrote when deployed), derived from the tables above',
  partitionKeys: [DT],
  columns: [
    ACCOUNT_ID,
    col('account_name', 'string', 'Account name'),
    col('check_name', 'string', 'The saved compliance query that found it'),
    col('severity', 'string', 'critical, high, medium or low, from the query catalog'),
    col(
      'finding_key',
      'string',
      'check|account|identity columns: names the same finding in every snapshot (never an age or a date)',
    ),
    col('user_name', 'string', 'The IAM user, <root_account> for root; NULL for account-level checks'),
    col('detail', 'string', 'The rest of the identity: key slot, credential, policy and how it is held'),
    col('user_arn', 'string', 'ARN of the user (from the credential report); NULL for account-level checks'),
    col(
      'owner',
      'string',
      "Who owns the finding: the first owner tag of the user, else of the account in Organizations, else 'unowned'",
    ),
    col('owner_source', 'string', 'Where the owner came from: user_tag:<key>, account_tag:<key>, or unowned'),
    col(
      'waiver_status',
      'string',
      'open; waived (a waiver in force covers it); or waiver_expired (only a lapsed waiver covers it)',
    ),
    col('waiver_id', 'string', 'The waiver that covers it (in force, or lapsed); NULL when open'),
  ],
};

const waivers: TableDef = {
  name: 'waivers',
  description:
    'The waivers applied to the snapshot, one row each, with how many findings each covered that day and the stored file it came from',
  partitionKeys: [DT],
  columns: [
    col('waiver_id', 'string', 'The waiver id from the file'),
    col('check_name', 'string', 'The check it covers'),
    col('scope', 'string', 'What it covers: accounts, OUs, user and ARN patterns, tags'),
    col('reason', 'string', 'Why the finding is accepted'),
    col('approved_by', 'string', 'Who approved it'),
    col('expires', 'string', 'Last day in force (YYYY-MM-DD, UTC, inclusive)'),
    col('in_force', 'boolean', 'The waiver was in force on dt'),
    col('days_to_expiry', 'int', 'Whole days from dt to the expiry date; negative once lapsed'),
    col('matched', 'int', 'Findings of dt it covers (waived while in force, waiver_expired after)'),
    col('source_key', 'string', 'Lake key of the stored waivers file that was applied'),
    col('source_sha256', 'string', 'SHA-256 of that file'),
  ],
};

/** The tables the pipeline writes, in dependency order. */
export const TABLES = {
  credential_report: credentialReport,
  accounts,
  collection_runs: collectionRuns,
  account_posture: accountPosture,
  user_privileges: userPrivileges,
  user_tags: userTags,
  account_tags: accountTags,
  findings: findings,
  findings_daily: findingsDaily,
  waivers,
} as const satisfies Record<TableName, TableDef>;

export function allColumns(table: TableDef): Column[] {
  return [...table.columns, ...table.partitionKeys];
}

/**
 * Columns of the IAM credential report CSV, by header name. Every report carries them, except
 * that reports written before April 2015 lack the KEY_USE_COLUMNS.
 */
export const REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/** The access-key last-use columns IAM added to the report in April 2015: all present or none. */
export const KEY_USE_COLUMNS: readonly ReportColumn[] = REPORT_COLUMNS.filter((c) =>
  /^access_key_\d_last_used_/.test(c),
);

/** When IAM began recording access-key use; a key set before then has no complete use record. */
export const KEY_USE_RECORDED_FROM = '2015-04-22T00:00:00Z';
