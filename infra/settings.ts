// Deployment settings, read once from CDK context (cdk.json defaults, `-c key=value` overrides)
// into a typed object. A missing or invalid value fails synth with what was wrong and expected.
import { COLLECTOR_DEFAULTS } from '../common/defaults.ts';
import { DIGEST_MODES, type DigestMode } from '../common/env-names.ts';
import { BENCHMARK_IDS, type BenchmarkId, DEFAULT_BENCHMARK } from '../queries/catalog.ts';
import type { MemberRoleProps } from './member-role.ts';

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
  readonly lookupDeployedStack: boolean;
  readonly exportsRetentionDays: number;
  readonly collectPosture: boolean;
  readonly digest: DigestMode;
  readonly ownerTags: readonly string[];
  readonly digestByOwner: boolean;
  readonly securityHub: boolean;
  readonly benchmark: BenchmarkId;
  readonly athenaResultsRetentionDays: number;
  readonly bytesScannedCutoffMb: number;
  readonly tags: Record<string, string>;
  readonly quicksight: QuickSightSettings;
}

export type { DigestMode };

/**
 * The default of every setting that has one: the settings table, the README and the constructs'
 * optional props all read it from here.
 */
export const DEFAULTS = {
  region: 'us-east-1',
  memberRoleName: COLLECTOR_DEFAULTS.memberRoleName,
  deployFrom: 'delegated-admin',
  encryption: 'kms',
  scheduleHourUtc: 5,
  concurrency: 20,
  reportTimeoutSeconds: COLLECTOR_DEFAULTS.reportTimeoutSeconds,
  logRetentionDays: 365,
  rawRetentionDays: 2555,
  evidenceLock: 'governance',
  lookupDeployedStack: true,
  exportsRetentionDays: 365,
  collectPosture: true,
  digest: 'changes',
  ownerTags: ['owner', 'team'],
  digestByOwner: false,
  securityHub: false,
  benchmark: DEFAULT_BENCHMARK,
  athenaResultsRetentionDays: 30,
  bytesScannedCutoffMb: 10240,
} as const satisfies Partial<Settings>;

/** Tag keys (what IAM and Organizations allow in one), separated by commas. */
const TAG_KEY_LIST = /^[\p{L}\p{N} _.:/=+\-@]{1,128}(,[\p{L}\p{N} _.:/=+\-@]{1,128})*$/u;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type Context = (key: string) => unknown;

const ACCOUNT = /^\d{12}$/;
const ACCOUNT_LIST = /^(\d{12}(,\s*)?)+$/;
const ACCOUNTS_EXPECTED = '12-digit account ids, comma-separated';
const OU_LIST = /^((r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})(,\s*)?)+$/;
const OU_EXPECTED = 'root or OU ids such as r-ab12 or ou-ab12-cdef3456, comma-separated';
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** The value of one setting in CDK context, with the checks every reader shares. */
class Raw {
  constructor(
    readonly key: string,
    private readonly value: unknown,
  ) {}

  /** The value as text; undefined when not set. */
  str(): string | undefined {
    const v = this.value;
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      fail(this.key, v, 'a string');
    return String(v);
  }

  need(pattern: RegExp, expected: string): string {
    const v = this.str();
    if (v === undefined)
      throw new SettingsError(
        `setting ${this.key} is missing: expected ${expected} (set it in cdk.json or with -c ${this.key}=...)`,
      );
    if (!pattern.test(v)) fail(this.key, v, expected);
    return v;
  }

  optional(pattern: RegExp, expected: string): string | undefined {
    return this.str() === undefined ? undefined : this.need(pattern, expected);
  }

  int(fallback: number, min: number, max: number): number {
    const v = this.str();
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) fail(this.key, v, `a whole number from ${min} to ${max}`);
    return n;
  }

  oneOf<T extends string>(fallback: T, options: readonly T[]): T {
    const v = this.str() ?? fallback;
    if (!options.includes(v as T)) fail(this.key, v, `one of ${options.join(', ')}`);
    return v as T;
  }

  list(pattern: RegExp, expected: string): string[] | undefined {
    const v = this.optional(pattern, expected);
    return v === undefined ? undefined : split(v);
  }

  /** The raw value itself, for JSON settings. */
  get json(): unknown {
    return this.value;
  }
}

const split = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * One setting: its key, the default the README shows, what it means, and how it is read (with
 * the settings read before it, for the few whose default or check depends on another).
 */
interface Setting<K extends keyof Settings> {
  readonly key: K;
  readonly default: string;
  readonly description: string;
  readonly read: (raw: Raw, before: Partial<Settings>) => Settings[K];
}

const setting = <K extends keyof Settings>(s: Setting<K>) => s;

/** The settings that are whole numbers with a default in DEFAULTS. */
type WholeNumberKey = {
  [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends number ? K : never;
}[keyof typeof DEFAULTS];

/** A whole-number setting from min to max, its default (shown and used) taken from DEFAULTS. */
const wholeNumber = <K extends WholeNumberKey>(key: K, min: number, max: number, description: string) =>
  setting({
    key,
    default: String(DEFAULTS[key]),
    description,
    read: (r) => r.int(DEFAULTS[key], min, max) as Settings[K],
  });

/** Every setting, in the order they are read and documented: the one table of them. */
export const SETTINGS = [
  setting({
    key: 'organizationId',
    default: '(required)',
    description: 'Organization id, `o-` followed by 10 to 32 characters',
    read: (r) => r.need(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-a1b2c3d4e5'),
  }),
  setting({
    key: 'managementAccountId',
    default: '(required)',
    description: 'Management account id: gets the member role as a plain stack',
    read: (r) => r.need(ACCOUNT, 'a 12-digit account id'),
  }),
  setting({
    key: 'toolingAccountId',
    default: 'managementAccountId',
    description: 'Account the pipeline runs in (a delegated administrator, or the management account)',
    read: (r, b) => r.optional(ACCOUNT, 'a 12-digit account id') ?? b.managementAccountId!,
  }),
  setting({
    key: 'region',
    default: DEFAULTS.region,
    description: 'Region of the pipeline and of the member role StackSet',
    read: (r) =>
      r.optional(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as us-east-1') ?? DEFAULTS.region,
  }),
  setting({
    key: 'memberOuIds',
    default: '(required)',
    description: 'Root or OU ids the member role StackSet deploys to (comma-separated)',
    read: (r) => split(r.need(OU_LIST, OU_EXPECTED)),
  }),
  setting({
    key: 'memberRoleName',
    default: DEFAULTS.memberRoleName,
    description: 'Name of the member role in every account',
    read: (r) => r.optional(/^[\w+=,.@-]{1,64}$/, 'an IAM role name') ?? DEFAULTS.memberRoleName,
  }),
  setting({
    key: 'externalId',
    default: '(none)',
    description: 'External id the member role requires of the collector',
    read: (r) => r.str(),
  }),
  setting({
    key: 'deployFrom',
    default: DEFAULTS.deployFrom,
    description:
      '`management` or `delegated-admin`: who owns the StackSet, and whether the Organizations resource policy is created',
    read: (r) => r.oneOf<DeployFrom>(DEFAULTS.deployFrom, ['management', 'delegated-admin']),
  }),
  setting({
    key: 'bucketName',
    default: '(new bucket)',
    description: 'Use an existing bucket by name instead of creating one',
    read: (r) => r.optional(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  }),
  setting({
    key: 'encryption',
    default: DEFAULTS.encryption,
    description: '`kms` (new customer managed key), `kms-existing` (kmsKeyArn), or `s3-managed`',
    read: (r) => r.oneOf<Encryption>(DEFAULTS.encryption, ['kms', 'kms-existing', 's3-managed']),
  }),
  setting({
    key: 'kmsKeyArn',
    default: '(none)',
    description: 'Key ARN, required with encryption=kms-existing',
    read: (r, b) => {
      const arn = r.str();
      if (b.encryption === 'kms-existing' && !/^arn:aws[a-z-]*:kms:/.test(arn ?? ''))
        fail(r.key, arn, 'a KMS key ARN when encryption is kms-existing');
      return arn;
    },
  }),
  wholeNumber('scheduleHourUtc', 0, 23, 'Hour of the daily run (UTC, 0 to 23)'),
  wholeNumber('concurrency', 1, 1000, 'Accounts collected at once by the Distributed Map'),
  wholeNumber('reportTimeoutSeconds', 30, 840, 'Per-account deadline for credential report generation'),
  setting({
    key: 'includeAccountIds',
    default: '(all)',
    description: 'Collect only these account ids (comma-separated); the others are recorded as excluded',
    read: (r) => r.list(ACCOUNT_LIST, ACCOUNTS_EXPECTED),
  }),
  setting({
    key: 'excludeAccountIds',
    default: '(none)',
    description: 'Account ids never collected (comma-separated), recorded as excluded',
    read: (r) => r.list(ACCOUNT_LIST, ACCOUNTS_EXPECTED),
  }),
  setting({
    key: 'includeOuIds',
    default: '(all)',
    description: 'Collect only accounts under these root or OU ids, nested OUs included (comma-separated)',
    read: (r) => r.list(OU_LIST, OU_EXPECTED),
  }),
  setting({
    key: 'notificationEmail',
    default: '(none)',
    description: 'Email subscribed to the run summary sent when accounts fail',
    read: (r) => r.optional(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an email address'),
  }),
  setting({
    key: 'logRetentionDays',
    default: String(DEFAULTS.logRetentionDays),
    description: 'CloudWatch Logs retention of the functions and the state machine',
    read: (r) => {
      const days = r.int(DEFAULTS.logRetentionDays, 1, 3653);
      if (!RETENTION_DAYS.includes(days))
        fail(r.key, days, `one of CloudWatch's retention values: ${RETENTION_DAYS.join(', ')}`);
      return days;
    },
  }),
  wholeNumber('rawRetentionDays', 1, 36500, 'Days raw reports are kept (evidence; 7 years by default)'),
  setting({
    key: 'evidenceLock',
    default: DEFAULTS.evidenceLock,
    description:
      'S3 Object Lock on raw evidence for rawRetentionDays: `governance`, `compliance` (nobody, root included, may delete early) or `off`',
    read: (r) => r.oneOf<EvidenceLock>(DEFAULTS.evidenceLock, ['governance', 'compliance', 'off']),
  }),
  setting({
    key: 'lookupDeployedStack',
    default: String(DEFAULTS.lookupDeployedStack),
    description:
      'Synth reads the evidence lock the deployed stack has (one SSM parameter, credentials for the tooling account needed) and refuses a change between `off` and a lock mode, which would replace the bucket; `false` synthesizes offline, unchecked',
    read: (r) => r.oneOf(String(DEFAULTS.lookupDeployedStack), ['true', 'false']) === 'true',
  }),
  setting({
    key: 'exportsRetentionDays',
    default: String(DEFAULTS.exportsRetentionDays),
    description:
      'Days CSV exports and HTML reports are kept (at most rawRetentionDays: derived data never outlives its evidence)',
    read: (r, b) => {
      const raw = b.rawRetentionDays!;
      const days = r.int(Math.min(DEFAULTS.exportsRetentionDays, raw), 1, 36500);
      if (days > raw)
        fail(r.key, days, `at most rawRetentionDays (${raw}): exports must not outlive their evidence`);
      return days;
    },
  }),
  setting({
    key: 'collectPosture',
    default: String(DEFAULTS.collectPosture),
    description:
      'Read account posture and user privileges (iam:GetAccountAuthorizationDetails and three account-level reads); `false` leaves the member role the two credential report actions',
    read: (r) => r.oneOf(String(DEFAULTS.collectPosture), ['true', 'false']) === 'true',
  }),
  setting({
    key: 'digest',
    default: DEFAULTS.digest,
    description:
      'After each run, a digest of what changed (new and resolved findings, accounts not collected) to the alerts topic: `changes` (only days with something to say), `always`, or `off`',
    read: (r) => r.oneOf<DigestMode>(DEFAULTS.digest, DIGEST_MODES),
  }),
  setting({
    key: 'ownerTags',
    default: DEFAULTS.ownerTags.join(','),
    description:
      "Tag keys that name a finding's owner, comma-separated, first found wins: on the IAM user, then on the account in Organizations; otherwise `unowned`",
    read: (r) => r.list(TAG_KEY_LIST, 'tag keys separated by commas') ?? [...DEFAULTS.ownerTags],
  }),
  setting({
    key: 'digestByOwner',
    default: String(DEFAULTS.digestByOwner),
    description:
      "Also publish each owner's part of the digest to the alerts topic, with the message attribute `owner` (the full digest has `owner` = `all`), so subscription filter policies route it",
    read: (r) => r.oneOf(String(DEFAULTS.digestByOwner), ['true', 'false']) === 'true',
  }),
  setting({
    key: 'securityHub',
    default: String(DEFAULTS.securityHub),
    description:
      "Import each day's findings into Security Hub in the pipeline's account and region (ASFF, default product): new and changed ones imported, resolved ones archived, waived ones suppressed",
    read: (r) => r.oneOf(String(DEFAULTS.securityHub), ['true', 'false']) === 'true',
  }),
  setting({
    key: 'benchmark',
    default: DEFAULTS.benchmark,
    description: `The benchmark every check, export, report, digest and QuickSight dataset is judged against: its control ids, thresholds and rules (${BENCHMARK_IDS.join(', ')})`,
    read: (r) => r.oneOf<BenchmarkId>(DEFAULTS.benchmark, BENCHMARK_IDS),
  }),
  wholeNumber('athenaResultsRetentionDays', 1, 3650, 'Days Athena query results are kept'),
  wholeNumber('bytesScannedCutoffMb', 10, 10_000_000, 'Athena workgroup per-query scan limit'),
  setting({
    key: 'tags',
    default: '{}',
    description: 'Tags for every resource, as a JSON object',
    read: (r) => readTags(r.json),
  }),
  setting({
    key: 'quicksight',
    default: '{"enabled":false}',
    description: 'QuickSight stack: `enabled`, `identityRegion`, `principalArn`, `namespace`',
    read: (r) => readQuickSight(r.json),
  }),
] as const;

/** Compile-time proof that the table covers every field of Settings. */
type Unread = Exclude<keyof Settings, (typeof SETTINGS)[number]['key']>;
const everySettingRead: [Unread] extends [never] ? true : Unread = true;
void everySettingRead;

/** Every setting with its default and meaning, from the table: the README's settings table mirrors it. */
export const SETTINGS_DOC: readonly { key: string; default: string; description: string }[] = SETTINGS.map(
  ({ key, default: d, description }) => ({ key, default: d, description }),
);

export function readSettings(context: Context): Settings {
  const done: Partial<Record<keyof Settings, unknown>> = {};
  for (const s of SETTINGS)
    done[s.key] = (s.read as Setting<typeof s.key>['read'])(
      new Raw(s.key, context(s.key)),
      done as Partial<Settings>,
    );
  return done as unknown as Settings;
}

/** The member role's props: the same in the management account's stack and in the StackSet. */
export function memberRoleProps(settings: Settings): MemberRoleProps {
  const { organizationId, toolingAccountId, memberRoleName, externalId, collectPosture } = settings;
  return { organizationId, toolingAccountId, memberRoleName, externalId, collectPosture };
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

/** The AWS partition of a region: `aws-us-gov` for GovCloud, `aws-cn` for China, else `aws`. */
export function partitionOf(region: string): string {
  return region.startsWith('us-gov-') ? 'aws-us-gov' : region.startsWith('cn-') ? 'aws-cn' : 'aws';
}
