// Deployment settings, read once from CDK context (cdk.json defaults, `-c key=value` overrides)
// into a typed object. A missing or invalid value fails synth with what was wrong and expected.
import { COLLECTOR_DEFAULTS } from '../collector/defaults.ts';

export type Encryption = 'kms' | 'kms-existing' | 's3-managed';
export type DeployFrom = 'management' | 'delegated-admin';
export type EvidenceLock = 'governance' | 'compliance' | 'off';

export interface QuickSightSettings {
  readonly enabled: boolean;
  readonly identityRegion?: string;
  readonly principalArn?: string;
  readonly namespace: string;
}

export interface Settings {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly toolingAccountId: string;
  readonly region: string;
  readonly memberOuIds: string[];
  readonly memberRoleName: string;
  readonly externalId?: string;
  readonly deployFrom: DeployFrom;
  readonly bucketName?: string;
  readonly encryption: Encryption;
  readonly kmsKeyArn?: string;
  readonly scheduleHourUtc: number;
  readonly concurrency: number;
  readonly reportTimeoutSeconds: number;
  readonly includeAccountIds?: string[];
  readonly excludeAccountIds?: string[];
  readonly includeOuIds?: string[];
  readonly notificationEmail?: string;
  readonly logRetentionDays: number;
  readonly rawRetentionDays: number;
  readonly evidenceLock: EvidenceLock;
  readonly exportsRetentionDays: number;
  readonly collectPosture: boolean;
  readonly digest: DigestMode;
  readonly athenaResultsRetentionDays: number;
  readonly bytesScannedCutoffMb: number;
  readonly tags: Record<string, string>;
  readonly quicksight: QuickSightSettings;
}

/** Every setting with its default and meaning; the README's settings table mirrors this list. */
/** When the deployed pipeline sends its digest of what changed. */
export type DigestMode = 'changes' | 'always' | 'off';

export const SETTINGS_DOC: readonly { key: string; default: string; description: string }[] = [
  {
    key: 'organizationId',
    default: '(required)',
    description: 'Organization id, `o-` followed by 10 to 32 characters',
  },
  {
    key: 'managementAccountId',
    default: '(required)',
    description: 'Management account id: gets the member role as a plain stack',
  },
  {
    key: 'toolingAccountId',
    default: 'managementAccountId',
    description: 'Account the pipeline runs in (a delegated administrator, or the management account)',
  },
  {
    key: 'region',
    default: 'us-east-1',
    description: 'Region of the pipeline and of the member role StackSet',
  },
  {
    key: 'memberOuIds',
    default: '(required)',
    description: 'Root or OU ids the member role StackSet deploys to (comma-separated)',
  },
  {
    key: 'memberRoleName',
    default: COLLECTOR_DEFAULTS.memberRoleName,
    description: 'Name of the member role in every account',
  },
  {
    key: 'externalId',
    default: '(none)',
    description: 'External id the member role requires of the collector',
  },
  {
    key: 'deployFrom',
    default: 'delegated-admin',
    description:
      '`management` or `delegated-admin`: who owns the StackSet, and whether the Organizations resource policy is created',
  },
  {
    key: 'bucketName',
    default: '(new bucket)',
    description: 'Use an existing bucket by name instead of creating one',
  },
  {
    key: 'encryption',
    default: 'kms',
    description: '`kms` (new customer managed key), `kms-existing` (kmsKeyArn), or `s3-managed`',
  },
  { key: 'kmsKeyArn', default: '(none)', description: 'Key ARN, required with encryption=kms-existing' },
  { key: 'scheduleHourUtc', default: '5', description: 'Hour of the daily run (UTC, 0 to 23)' },
  { key: 'concurrency', default: '20', description: 'Accounts collected at once by the Distributed Map' },
  {
    key: 'reportTimeoutSeconds',
    default: String(COLLECTOR_DEFAULTS.reportTimeoutSeconds),
    description: 'Per-account deadline for credential report generation',
  },
  {
    key: 'includeAccountIds',
    default: '(all)',
    description: 'Collect only these account ids (comma-separated); the others are recorded as excluded',
  },
  {
    key: 'excludeAccountIds',
    default: '(none)',
    description: 'Account ids never collected (comma-separated), recorded as excluded',
  },
  {
    key: 'includeOuIds',
    default: '(all)',
    description: 'Collect only accounts under these root or OU ids, nested OUs included (comma-separated)',
  },
  {
    key: 'notificationEmail',
    default: '(none)',
    description: 'Email subscribed to the run summary sent when accounts fail',
  },
  {
    key: 'logRetentionDays',
    default: '365',
    description: 'CloudWatch Logs retention of the functions and the state machine',
  },
  {
    key: 'rawRetentionDays',
    default: '2555',
    description: 'Days raw reports are kept (evidence; 7 years by default)',
  },
  {
    key: 'evidenceLock',
    default: 'governance',
    description:
      'S3 Object Lock on raw evidence for rawRetentionDays: `governance`, `compliance` (nobody, root included, may delete early) or `off`',
  },
  {
    key: 'exportsRetentionDays',
    default: '365',
    description:
      'Days CSV exports and HTML reports are kept (at most rawRetentionDays: derived data never outlives its evidence)',
  },
  {
    key: 'collectPosture',
    default: 'true',
    description:
      'Read account posture and user privileges (iam:GetAccountAuthorizationDetails and three account-level reads); `false` leaves the member role two actions',
  },
  {
    key: 'digest',
    default: 'changes',
    description:
      'After each run, a digest of what changed (new and resolved findings, accounts not collected) to the alerts topic: `changes` (only days with something to say), `always`, or `off`',
  },
  { key: 'athenaResultsRetentionDays', default: '30', description: 'Days Athena query results are kept' },
  { key: 'bytesScannedCutoffMb', default: '10240', description: 'Athena workgroup per-query scan limit' },
  { key: 'tags', default: '{}', description: 'Tags for every resource, as a JSON object' },
  {
    key: 'quicksight',
    default: '{"enabled":false}',
    description: 'QuickSight stack: `enabled`, `identityRegion`, `principalArn`, `namespace`',
  },
];

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type Context = (key: string) => unknown;

const ACCOUNT = /^\d{12}$/;
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function readSettings(context: Context): Settings {
  const str = (key: string): string | undefined => {
    const v = context(key);
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(key, v, 'a string');
    return String(v);
  };
  const need = (key: string, pattern: RegExp, expected: string): string => {
    const v = str(key);
    if (v === undefined)
      throw new SettingsError(
        `setting ${key} is missing: expected ${expected} (set it in cdk.json or with -c ${key}=...)`,
      );
    if (!pattern.test(v)) fail(key, v, expected);
    return v;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = str(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) fail(key, v, `a whole number from ${min} to ${max}`);
    return n;
  };
  const oneOf = <T extends string>(key: string, fallback: T, options: readonly T[]): T => {
    const v = str(key) ?? fallback;
    if (!options.includes(v as T)) fail(key, v, `one of ${options.join(', ')}`);
    return v as T;
  };
  const managementAccountId = need('managementAccountId', ACCOUNT, 'a 12-digit account id');
  const rawRetentionDays = int('rawRetentionDays', 2555, 1, 36500);
  const exportsRetentionDays = int('exportsRetentionDays', Math.min(365, rawRetentionDays), 1, 36500);
  if (exportsRetentionDays > rawRetentionDays)
    fail(
      'exportsRetentionDays',
      exportsRetentionDays,
      `at most rawRetentionDays (${rawRetentionDays}): exports must not outlive their evidence`,
    );
  const encryption = oneOf<Encryption>('encryption', 'kms', ['kms', 'kms-existing', 's3-managed']);
  const kmsKeyArn = str('kmsKeyArn');
  if (encryption === 'kms-existing' && !/^arn:aws[a-z-]*:kms:/.test(kmsKeyArn ?? ''))
    fail('kmsKeyArn', kmsKeyArn, 'a KMS key ARN when encryption is kms-existing');
  const logRetentionDays = int('logRetentionDays', 365, 1, 3653);
  if (!RETENTION_DAYS.includes(logRetentionDays))
    fail(
      'logRetentionDays',
      logRetentionDays,
      `one of CloudWatch's retention values: ${RETENTION_DAYS.join(', ')}`,
    );
  const email = str('notificationEmail');
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    fail('notificationEmail', email, 'an email address');
  const OU_LIST = /^((r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})(,\s*)?)+$/;
  const OU_EXPECTED = 'root or OU ids such as r-ab12 or ou-ab12-cdef3456, comma-separated';
  const ACCOUNT_LIST = /^(\d{12}(,\s*)?)+$/;
  const split = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const optionalList = (key: string, pattern: RegExp, expected: string) =>
    str(key) === undefined ? undefined : split(need(key, pattern, expected));
  const ous = split(need('memberOuIds', OU_LIST, OU_EXPECTED));
  return {
    organizationId: need('organizationId', /^o-[a-z0-9]{10,32}$/, 'an organization id such as o-a1b2c3d4e5'),
    managementAccountId,
    toolingAccountId:
      str('toolingAccountId') === undefined
        ? managementAccountId
        : need('toolingAccountId', ACCOUNT, 'a 12-digit account id'),
    region:
      str('region') === undefined
        ? 'us-east-1'
        : need('region', /^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as us-east-1'),
    memberOuIds: ous,
    memberRoleName:
      str('memberRoleName') === undefined
        ? COLLECTOR_DEFAULTS.memberRoleName
        : need('memberRoleName', /^[\w+=,.@-]{1,64}$/, 'an IAM role name'),
    externalId: str('externalId'),
    deployFrom: oneOf<DeployFrom>('deployFrom', 'delegated-admin', ['management', 'delegated-admin']),
    bucketName:
      str('bucketName') === undefined
        ? undefined
        : need('bucketName', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
    encryption,
    kmsKeyArn,
    scheduleHourUtc: int('scheduleHourUtc', 5, 0, 23),
    concurrency: int('concurrency', 20, 1, 1000),
    reportTimeoutSeconds: int('reportTimeoutSeconds', COLLECTOR_DEFAULTS.reportTimeoutSeconds, 30, 840),
    includeAccountIds: optionalList(
      'includeAccountIds',
      ACCOUNT_LIST,
      '12-digit account ids, comma-separated',
    ),
    excludeAccountIds: optionalList(
      'excludeAccountIds',
      ACCOUNT_LIST,
      '12-digit account ids, comma-separated',
    ),
    includeOuIds: optionalList('includeOuIds', OU_LIST, OU_EXPECTED),
    notificationEmail: email,
    logRetentionDays,
    rawRetentionDays,
    evidenceLock: oneOf<EvidenceLock>('evidenceLock', 'governance', ['governance', 'compliance', 'off']),
    exportsRetentionDays,
    collectPosture: oneOf('collectPosture', 'true', ['true', 'false']) === 'true',
    digest: oneOf<DigestMode>('digest', 'changes', ['changes', 'always', 'off']),
    athenaResultsRetentionDays: int('athenaResultsRetentionDays', 30, 1, 3650),
    bytesScannedCutoffMb: int('bytesScannedCutoffMb', 10240, 10, 10_000_000),
    tags: readTags(context('tags')),
    quicksight: readQuickSight(context('quicksight')),
  };
}

function fail(key: string, value: unknown, expected: string): never {
  throw new SettingsError(`setting ${key} is invalid: got ${JSON.stringify(value)}, expected ${expected}`);
}

function parseJson(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return fail(key, value, 'JSON');
  }
}

function readTags(raw: unknown): Record<string, string> {
  const value = parseJson('tags', raw ?? {});
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('tags', value, 'a JSON object of strings');
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') fail(`tags.${k}`, v, 'a string');
  return value as Record<string, string>;
}

function readQuickSight(raw: unknown): QuickSightSettings {
  const value = parseJson('quicksight', raw ?? { enabled: false }) as Partial<QuickSightSettings>;
  if (typeof value !== 'object' || value === null) fail('quicksight', value, 'a JSON object');
  const enabled = value.enabled === true;
  if (enabled && !/^arn:aws[a-z-]*:quicksight:/.test(value.principalArn ?? '')) {
    fail(
      'quicksight.principalArn',
      value.principalArn,
      'a QuickSight user or group ARN when quicksight.enabled is true',
    );
  }
  return {
    enabled,
    identityRegion: value.identityRegion,
    principalArn: value.principalArn,
    namespace: value.namespace ?? 'default',
  };
}
