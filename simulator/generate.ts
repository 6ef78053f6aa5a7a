// Generates a seeded organization: an OU tree, accounts in every state, and users whose
// credentials cover every case the saved queries must get right.
import { startOfDay } from '../transforms/dates.ts';
import type {
  AccountFaults,
  AccountState,
  SimAccount,
  SimKey,
  SimOrg,
  SimOu,
  SimPosture,
  SimRoot,
  SimUser,
} from './model.ts';
import { chance, createRng, hashSeed, int, pick, type Rng } from './random.ts';

const DAY = 86_400_000;

export interface AccountFaultRates {
  readonly access_denied: number;
  readonly stuck: number;
  readonly malformed: number;
  readonly slow: number;
  readonly posture: number;
}

export interface GenerateOptions {
  readonly accounts: number;
  readonly seed: number;
  /** The first day the organization exists as generated (YYYY-MM-DD). */
  readonly startDate: string;
  readonly ouDepth?: number;
  readonly faults?: Partial<AccountFaultRates>;
  /** Every account gets exactly this many IAM users (for scale tests). */
  readonly usersPerAccount?: number;
  /** The organization manages member root credentials centrally. */
  readonly centralizedRootAccess?: boolean;
}

const OU_NAMES = ['Security', 'Workloads', 'Sandbox', 'Infrastructure', 'Data', 'Policy Staging'];
const CHILD_OU_NAMES = ['Prod', 'Dev', 'Test', 'Shared', 'Analytics', 'Legacy'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'];
const SERVICES = ['s3', 'sts', 'ec2', 'dynamodb', 'lambda', 'iam'];
const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'oscar',
];
const LAST = ['smith', 'jones', 'garcia', 'chen', 'okafor', 'muller', 'rossi', 'sato'];
const PATHS = [
  '/',
  '/',
  '/',
  '/engineering/',
  '/service-accounts/',
  '/service-accounts/ci/',
  '/contractors/',
];

export function generateOrg(options: GenerateOptions): SimOrg {
  const rng = createRng(hashSeed('org', options.seed));
  const ous = generateOus(rng, options.ouDepth ?? 3);
  const now = startOfDay(options.startDate);
  const accounts: SimAccount[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < options.accounts; i++) {
    let id = accountId(rng, i);
    while (ids.has(id)) id = accountId(rng, i + 1);
    ids.add(id);
    accounts.push(generateAccount(options, id, i, ous, now));
  }
  if (options.centralizedRootAccess) removeMemberRootCredentials(accounts);
  for (const account of accounts) assignTags(options.seed, account);
  return {
    id: `o-${hashSeed(options.seed).toString(36).padStart(10, '0').slice(0, 10)}`,
    rootId: 'r-sim1',
    managementAccountId: accounts[0]?.id ?? '',
    ous,
    accounts,
    centralizedRootAccess: options.centralizedRootAccess ?? false,
  };
}

/**
 * What centralized root access does to member accounts: their root credentials are removed (no
 * password, no keys, no MFA device left). Four in five here; the rest keep what they had, as
 * accounts not yet cleaned up do. Chosen from the account id, so the rest of the organization is
 * generated exactly as without the setting. The management account keeps its root.
 */
function removeMemberRootCredentials(accounts: SimAccount[]): void {
  for (const account of accounts.slice(1)) {
    if (Number(account.id.slice(-2)) % 5 === 0) continue;
    const root = account.root as { -readonly [K in keyof SimRoot]: SimRoot[K] };
    root.passwordState = 'not_supported';
    root.passwordLastUsedAt = null;
    root.mfa = false;
    root.keys = [null, null];
    (account.posture as { rootPasswordPresent: boolean }).rootPasswordPresent = false;
  }
}

/** Account ids are 12-digit strings; some have leading zeros, as real ones do. */
function accountId(rng: Rng, i: number): string {
  const max = i % 7 === 3 ? 1e9 : 1e12;
  return String(Math.floor(rng() * max)).padStart(12, '0');
}

function generateOus(rng: Rng, depth: number): SimOu[] {
  const ous: SimOu[] = [];
  const add = (parentId: string, parentPath: string, level: number, names: string[]) => {
    const count = level === 1 ? int(rng, 3, 5) : int(rng, 0, 3);
    for (let i = 0; i < count; i++) {
      const name = level === 1 ? names[i] : `${pick(rng, names)}${level > 2 ? `-${i + 1}` : ''}`;
      if (ous.some((o) => o.parentId === parentId && o.name === name)) continue;
      const ou: SimOu = {
        id: `ou-sim1-${(ous.length + 1).toString(36).padStart(8, '0')}`,
        name,
        parentId,
        path: `${parentPath}/${name}`,
      };
      ous.push(ou);
      if (level < depth) add(ou.id, ou.path, level + 1, CHILD_OU_NAMES);
    }
  };
  add('r-sim1', 'Root', 1, OU_NAMES);
  return ous;
}

function generateAccount(
  options: GenerateOptions,
  id: string,
  index: number,
  ous: SimOu[],
  now: number,
): SimAccount {
  const rng = createRng(hashSeed('account', options.seed, id));
  const ou = index === 0 || ous.length === 0 || chance(rng, 0.08) ? undefined : pick(rng, ous);
  const state: AccountState =
    index === 0 ? 'ACTIVE' : rng() < 0.04 ? 'SUSPENDED' : rng() < 0.025 ? 'PENDING_CLOSURE' : 'ACTIVE';
  const rates = options.faults ?? {};
  const faulty = index !== 0 && state === 'ACTIVE';
  // Draw every fault independently but keep at most one that stops collection.
  const faults: AccountFaults = {
    accessDenied: false,
    stuck: false,
    malformed: false,
    slow: false,
    postureDenied: false,
  };
  const draw = rng();
  let edge = 0;
  for (const [key, name] of [
    ['accessDenied', 'access_denied'],
    ['stuck', 'stuck'],
    ['malformed', 'malformed'],
  ] as const) {
    const rate = rates[name] ?? 0;
    if (faulty && draw >= edge && draw < edge + rate) faults[key] = true;
    edge += rate;
  }
  faults.slow = faulty && chance(rng, rates.slow ?? 0);
  faults.postureDenied = faulty && chance(rng, rates.posture ?? 0);
  const userCount = options.usersPerAccount ?? userCountFor(rng, options.accounts);
  const names = new Set<string>();
  const users: SimUser[] = [];
  for (let u = 0; u < userCount; u++) users.push(generateUser(rng, now, names, u));
  const root = generateRoot(rng, now);
  const posture = generatePosture(rng, id, root);
  for (const user of users) assignPrivileges(rng, id, user);
  const name =
    index === 0 ? 'management' : `${ou ? ou.name.toLowerCase().replaceAll(' ', '-') : 'root'}-${index}`;
  return {
    id,
    name,
    email: `aws+${name}@example.com`,
    state,
    ouId: ou?.id ?? 'r-sim1',
    ouPath: ou?.path ?? 'Root',
    joinedAt: now - int(rng, 30, 2500) * DAY,
    faults,
    root,
    users,
    posture,
    tags: {},
  };
}

const TEAMS = ['payments', 'identity', 'data-platform', 'web', 'mobile', 'infra'];

/**
 * Owner tags, as organizations use them: most accounts name an owning team in Organizations,
 * some users name their own (`owner`, or only `team`), and a few service users are marked as
 * vendor-managed. Drawn from a stream of their own, so everything else is generated exactly as
 * before tags existed.
 */
function assignTags(seed: number, account: SimAccount): void {
  const rng = createRng(hashSeed('tags', seed, account.id));
  if (chance(rng, 0.7))
    account.tags = { owner: `team-${pick(rng, TEAMS)}`, 'cost-center': `cc-${int(rng, 100, 999)}` };
  for (const user of account.users) {
    const tags: { key: string; value: string }[] = [];
    const draw = rng();
    if (draw < 0.3) tags.push({ key: 'owner', value: `team-${pick(rng, TEAMS)}` });
    else if (draw < 0.45) tags.push({ key: 'team', value: `team-${pick(rng, TEAMS)}` });
    if (user.name.startsWith('svc-') && chance(rng, 0.3))
      tags.push({ key: 'exception', value: 'vendor-managed' });
    if (tags.length) user.tags = tags;
  }
}

/** Most accounts are small, a few are big: the spread real organizations have. */
function userCountFor(rng: Rng, accounts: number): number {
  const r = rng();
  if (r < 0.06) return 0;
  if (r < 0.75) return int(rng, 1, 15);
  if (r < 0.96 || accounts < 20) return int(rng, 16, 120);
  return int(rng, 300, 1500);
}

function uniqueName(rng: Rng, names: Set<string>, index: number): string {
  const style = rng();
  let name: string;
  if (style < 0.45) name = `${pick(rng, FIRST)}.${pick(rng, LAST)}`;
  else if (style < 0.65) name = `svc-${pick(rng, SERVICES)}-${pick(rng, ['deploy', 'backup', 'etl', 'ci'])}`;
  else if (style < 0.78) name = `${pick(rng, FIRST)}.${pick(rng, LAST)}@example.com`;
  else if (style < 0.86) name = `ops+${pick(rng, ['oncall', 'audit'])}=${pick(rng, ['east', 'west'])},team`;
  else name = `${pick(rng, FIRST)}_${pick(rng, LAST)}-${int(rng, 1, 99)}`;
  let unique = name;
  for (let n = 2; names.has(unique); n++) unique = `${name}${n}`;
  names.add(unique);
  return index >= 0 ? unique : name;
}

const daysAgo = (now: number, rng: Rng, min: number, max: number) =>
  now - int(rng, min, max) * DAY - int(rng, 0, DAY / 1000 - 1) * 1000;

function key(
  rng: Rng,
  now: number,
  age: [number, number],
  used: 'recent' | 'old' | 'never',
  active = true,
): SimKey {
  const rotatedAt = daysAgo(now, rng, age[0], age[1]);
  const ageDays = Math.floor((now - rotatedAt) / DAY);
  const lastUsedAt =
    used === 'never'
      ? null
      : used === 'recent'
        ? daysAgo(now, rng, 1, Math.min(30, ageDays))
        : daysAgo(now, rng, Math.min(45, ageDays), ageDays);
  return {
    active,
    rotatedAt,
    lastUsedAt: lastUsedAt !== null && lastUsedAt < rotatedAt ? rotatedAt : lastUsedAt,
    region: lastUsedAt === null ? null : pick(rng, REGIONS),
    service: lastUsedAt === null ? null : pick(rng, SERVICES),
  };
}

/** One of a dozen archetypes, so every saved query has findings and near misses. */
function generateUser(rng: Rng, now: number, names: Set<string>, index: number): SimUser {
  const createdAt = daysAgo(now, rng, 0, 1500);
  const age = Math.max(1, Math.floor((now - createdAt) / DAY));
  const user: SimUser = {
    name: uniqueName(rng, names, index),
    path: pick(rng, PATHS),
    createdAt,
    password: null,
    mfa: false,
    keys: [null, null],
    certs: [null, null],
    groups: [],
    managed: [],
    inline: [],
    boundary: null,
  };
  const span: [number, number] = [0, age];
  const kind = int(rng, 0, 11);
  const password = (used: 'recent' | 'old' | 'never') => {
    const lastChangedAt = daysAgo(now, rng, 0, age);
    const changedDays = Math.floor((now - lastChangedAt) / DAY);
    return {
      lastChangedAt,
      lastUsedAt:
        used === 'never'
          ? null
          : used === 'recent'
            ? daysAgo(now, rng, 0, Math.min(20, changedDays))
            : daysAgo(now, rng, Math.min(40, changedDays), changedDays),
    };
  };
  switch (kind) {
    case 0: // console user with MFA, active
      user.password = password('recent');
      user.mfa = true;
      break;
    case 1: // console user without MFA
      user.password = password(chance(rng, 0.7) ? 'recent' : 'old');
      break;
    case 2: // console password never used
      user.password = password('never');
      user.mfa = chance(rng, 0.5);
      break;
    case 3: // service user with one key in use
      user.keys[0] = key(rng, now, span, 'recent');
      break;
    case 4: // key never used
      user.keys[0] = key(rng, now, span, 'never');
      break;
    case 5: // inactive key that still carries dates, and an active key 2
      user.keys[0] = key(rng, now, span, 'old', false);
      user.keys[1] = key(rng, now, span, chance(rng, 0.5) ? 'recent' : 'old');
      break;
    case 6: // two active keys
      user.keys[0] = key(rng, now, span, 'recent');
      user.keys[1] = key(rng, now, [0, Math.min(age, 60)], 'recent');
      break;
    case 7: // key 2 active with key 1 empty
      user.keys[1] = key(rng, now, span, chance(rng, 0.5) ? 'old' : 'recent');
      break;
    case 8: // no credentials at all
      break;
    case 9: // idle user: everything old
      user.password = password('old');
      user.mfa = chance(rng, 0.5);
      user.keys[0] = key(rng, now, span, 'old');
      break;
    case 10: // certificate user
      user.certs[0] = { active: true, rotatedAt: daysAgo(now, rng, 0, age) };
      user.certs[1] = chance(rng, 0.3) ? { active: false, rotatedAt: daysAgo(now, rng, 0, age) } : null;
      user.keys[0] = chance(rng, 0.5) ? key(rng, now, span, 'recent') : null;
      break;
    default: // console user with MFA and an old key
      user.password = password('recent');
      user.mfa = true;
      user.keys[0] = key(rng, now, span, 'old');
  }
  return user;
}

function generateRoot(rng: Rng, now: number): SimRoot {
  const createdAt = daysAgo(now, rng, 400, 3000);
  const r = rng();
  const passwordState = r < 0.7 ? 'not_supported' : r < 0.85 ? 'true' : 'false';
  const keys: SimRoot['keys'] = [null, null];
  if (chance(rng, 0.12)) keys[0] = key(rng, now, [100, 1500], chance(rng, 0.5) ? 'old' : 'recent');
  if (chance(rng, 0.05)) keys[1] = key(rng, now, [100, 1500], 'old', false);
  return {
    createdAt,
    passwordState,
    passwordLastUsedAt: chance(rng, 0.4) ? daysAgo(now, rng, 0, 400) : null,
    mfa: chance(rng, 0.6),
    keys,
  };
}

const AWS_POLICY = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** Groups, a password policy, and root facts the credential report cannot show. */
function generatePosture(rng: Rng, accountId: string, root: SimRoot): SimPosture {
  const breakGlass = `arn:aws:iam::${accountId}:policy/BreakGlassFullAccess`;
  const r = rng();
  const passwordPolicy =
    r < 0.25
      ? null
      : {
          minimumLength: pick(rng, [8, 12, 14, 16]),
          reusePrevention: pick(rng, [null, 5, 24, 24]),
          requireSymbols: chance(rng, 0.6),
          requireNumbers: chance(rng, 0.7),
          requireUppercase: chance(rng, 0.6),
          requireLowercase: chance(rng, 0.7),
          maxAge: pick(rng, [null, 90, 365]),
        };
  return {
    passwordPolicy,
    rootMfaHardware: chance(rng, 0.4),
    rootPasswordPresent:
      root.passwordState === 'true' || (root.passwordState === 'not_supported' && chance(rng, 0.6)),
    groups: [
      { name: 'Admins', managed: [AWS_POLICY('AdministratorAccess')], inline: [] },
      {
        name: 'Developers',
        managed: [AWS_POLICY('PowerUserAccess')],
        inline: [{ name: 'S3ReadLogs', allowsAll: false }],
      },
      { name: 'Auditors', managed: [AWS_POLICY('ReadOnlyAccess'), AWS_POLICY('SecurityAudit')], inline: [] },
      { name: 'BreakGlass', managed: [breakGlass], inline: [] },
      { name: 'Ops', managed: [], inline: [{ name: 'OpsEverything', allowsAll: true }] },
    ],
    adminCustomerPolicies: [breakGlass],
  };
}

function assignPrivileges(rng: Rng, accountId: string, user: SimUser): void {
  const r = rng();
  if (r < 0.08) user.groups.push('Admins');
  else if (r < 0.35) user.groups.push('Developers');
  else if (r < 0.5) user.groups.push('Auditors');
  else if (r < 0.53) user.groups.push('BreakGlass');
  else if (r < 0.56) user.groups.push('Ops');
  if (chance(rng, 0.05)) user.managed.push(AWS_POLICY('AdministratorAccess'));
  if (chance(rng, 0.15)) user.managed.push(AWS_POLICY('IAMUserChangePassword'));
  if (chance(rng, 0.04)) user.inline.push({ name: 'AllowAll', allowsAll: true });
  if (chance(rng, 0.1)) user.inline.push({ name: 'DeployLambda', allowsAll: false });
  if (chance(rng, 0.08)) user.boundary = `arn:aws:iam::${accountId}:policy/DeveloperBoundary`;
}
