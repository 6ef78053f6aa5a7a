// Human titles for the columns of the saved queries' results, declared once: the HTML report's
// table headers and the digest use them. A column named like a check (a count in the summaries)
// takes the check's title from the catalog. A test keeps every result column titled.
import { COMPLIANCE_CHECKS } from './catalog.ts';

const TITLES: Record<string, string> = {
  access_key_1_age_days: 'Key 1 age (days)',
  access_key_1_last_used_date: 'Key 1 last used',
  access_key_2_age_days: 'Key 2 age (days)',
  access_key_2_last_used_date: 'Key 2 last used',
  account_id: 'Account',
  account_name: 'Account name',
  accounts: 'Accounts',
  accounts_collected: 'Accounts collected',
  accounts_failed: 'Accounts failed',
  accounts_not_fully_evaluated: 'Accounts not fully evaluated',
  accounts_skipped: 'Accounts skipped',
  approved_by: 'Approved by',
  arn: 'ARN',
  attempts: 'API attempts',
  change: 'Change',
  check_name: 'Check',
  checks_not_evaluated: 'Checks not evaluated',
  console_users: 'Console users',
  credential: 'Credential',
  days_to_expiry: 'Days to expiry',
  days_unused: 'Days unused',
  detail: 'Detail',
  dt: 'Snapshot',
  expires: 'Expires',
  finding: 'Finding',
  finding_key: 'Finding key',
  findings: 'Findings',
  group_name: 'Group',
  is_root: 'Root',
  key_age_days: 'Key age (days)',
  key_slot: 'Key slot',
  last_rotated: 'Last rotated',
  last_used_at: 'Last used',
  length_too_short: 'Too short',
  matched: 'Findings covered',
  max_password_age: 'Max password age',
  message: 'Message',
  minimum_password_length: 'Minimum length',
  no_policy: 'No policy',
  open: 'Open',
  open_critical: 'Open critical',
  open_high: 'Open high',
  open_low: 'Open low',
  open_medium: 'Open medium',
  ou_path: 'OU path',
  owner: 'Owner',
  password_age_days: 'Password age (days)',
  password_days_since_use: 'Days since sign-in',
  password_last_changed: 'Password changed',
  password_last_used: 'Last sign-in',
  password_reuse_prevention: 'Passwords remembered',
  policy_arn: 'Policy ARN',
  policy_kind: 'Policy kind',
  policy_name: 'Policy',
  posture_failed: 'Posture failed',
  posture_message: 'Posture message',
  previous_dt: 'Compared with',
  reason: 'Reason',
  report_age_hours: 'Report age (h)',
  report_generated_at: 'Report generated',
  require_lowercase: 'Needs lowercase',
  require_numbers: 'Needs numbers',
  require_symbols: 'Needs symbols',
  require_uppercase: 'Needs uppercase',
  reuse_prevention_too_low: 'Too few remembered',
  review: 'Review',
  root_access_key: 'Root access key',
  root_days_since_use: 'Days since root use',
  root_last_used: 'Root last used',
  root_mfa: 'Root MFA',
  root_mfa_enabled: 'Root MFA enabled',
  root_mfa_type: 'Root MFA type',
  root_password: 'Root password',
  run_id: 'Run',
  scope: 'Covers',
  severity: 'Severity',
  source: 'Held through',
  source_key: 'Waivers file',
  state: 'Account state',
  status: 'Status',
  total_findings: 'Total findings',
  use_record: 'Use record',
  user_age_days: 'User age (days)',
  user_count: 'Users in report',
  user_creation_time: 'User created',
  user_name: 'User',
  users: 'Users',
  waived: 'Waived',
  waiver_expired: 'Waiver expired',
  waiver_id: 'Waiver',
  waiver_status: 'Waiver status',
};

/** The title of a result column; the column name itself for one nobody titled. */
export function columnTitle(column: string): string {
  return TITLES[column] ?? COMPLIANCE_CHECKS.find((q) => q.name === column)?.title ?? column;
}

/** Whether a column has a title of its own (for the test that every column is titled). */
export function hasTitle(column: string): boolean {
  return column in TITLES || COMPLIANCE_CHECKS.some((q) => q.name === column);
}

/**
 * The result columns that hold free text (sentences: an error message, a detail list). Only
 * these may be wrapped or abbreviated, in the report and on a terminal; every other column holds
 * an identifier, a name, a flag, a number or a timestamp, and is always shown whole.
 */
export const FREE_TEXT_COLUMNS: ReadonlySet<string> = new Set([
  'message',
  'posture_message',
  'detail',
  'reason',
  'scope',
]);
