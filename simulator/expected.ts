// The answers every saved query should give for a day, computed in TypeScript from the
// simulator's own model (not by running the SQL), for end-to-end tests. Each finding is a
// compact string key so tests compare sets.

import type { BenchmarkId } from '../queries/catalog.ts';
import { startOfDay, utcDaysBetween } from '../transforms/dates.ts';
import type { SimAccount, SimKey, SimOrg, SimUser } from './model.ts';
import type { WaiverSpec } from './waivers.ts';

export interface Thresholds {
  readonly maxKeyAgeDays: number;
  readonly unusedCredentialDays: number;
  readonly minUserAgeDays: number;
  readonly unusedUserDays: number;
  readonly rootRecentUseDays: number;
  readonly maxPasswordAgeDays: number;
  /** A root user with no console password still needs MFA (false: CIS v5.0 passes it). */
  readonly rootMfaWithoutPassword: boolean;
}

/**
 * The thresholds and rules of a benchmark, written out here by hand rather than read from the
 * catalog's table, so a slip in either shows up as a difference in the end-to-end tests.
 */
export function benchmarkThresholds(benchmark: BenchmarkId): Thresholds {
  return {
    maxKeyAgeDays: 90,
    unusedCredentialDays: benchmark === 'security-hub' ? 90 : 45,
    minUserAgeDays: 90,
    unusedUserDays: 90,
    rootRecentUseDays: 90,
    maxPasswordAgeDays: 90,
    rootMfaWithoutPassword: benchmark !== 'cis-5.0',
  };
}

export const DEFAULT_THRESHOLDS: Thresholds = benchmarkThresholds('cis-5.0');

export interface ExpectedAnswers {
  readonly dt: string;
  /** Accounts whose report a faultless collector lands. */
  readonly collected: string[];
  /** `account|status|reason` for every account of the organization. */
  readonly collection_coverage: string[];
  /** `account|user|slot|age` */
  readonly stale_access_keys: string[];
  /** `account|user|credential|days_unused` */
  readonly unused_credentials: string[];
  /** `account|user` */
  readonly console_users_without_mfa: string[];
  /** `account|user|reason` */
  readonly unused_users: string[];
  /** `account|finding` */
  readonly root_account_findings: string[];
  /** `account|user` */
  readonly multiple_active_keys: string[];
  /** `account|user|age` */
  readonly passwords_not_rotated: string[];
  /** `account|user_name` of every user row (root included), for user_changes across days. */
  readonly users: string[];
  /** `account` */
  readonly root_hardware_mfa_missing: string[];
  /** `account|no_policy|length_too_short|reuse_prevention_too_low` */
  readonly password_policy_weak: string[];
  /** `account|user|policy_name|source|group_name` */
  readonly admin_users: string[];
  /** `account|user` */
  readonly privileged_users_without_mfa: string[];
  /** `account|user|slot` */
  readonly privileged_users_with_stale_keys: string[];
}

const ADMIN_GROUP_GRANTS: Record<string, string[]> = {
  Admins: ['AdministratorAccess'],
  BreakGlass: ['BreakGlassFullAccess'],
  Ops: ['OpsEverything'],
};

/** How a simulated user is an administrator: `[policy_name, source, group_name]` triples. */
export function adminGrants(user: SimUser): [string, string, string][] {
  const grants: [string, string, string][] = [];
  for (const arn of user.managed)
    if (arn.endsWith(':policy/AdministratorAccess')) grants.push(['AdministratorAccess', 'user', '']);
  for (const p of user.inline) if (p.allowsAll) grants.push([p.name, 'user', '']);
  for (const g of user.groups)
    for (const name of ADMIN_GROUP_GRANTS[g] ?? []) grants.push([name, 'group', g]);
  return grants;
}

/** The expected outcome of an account for a collector that retries transient faults. */
export function expectedStatus(account: SimAccount): [status: string, reason: string | null] {
  if (account.state !== 'ACTIVE') return ['skipped', 'not_active'];
  if (account.faults.accessDenied) return ['failed', 'access_denied'];
  if (account.faults.stuck) return ['failed', 'report_timeout'];
  if (account.faults.malformed) return ['failed', 'malformed_report'];
  return ['collected', null];
}

export function computeExpected(
  org: SimOrg,
  dt: string,
  t: Thresholds = DEFAULT_THRESHOLDS,
): ExpectedAnswers {
  // Reports are generated during the morning of dt (UTC), so day counts run to dt.
  const reportAt = startOfDay(dt) + 6 * 3_600_000;
  const days = (ms: number | null) => (ms === null ? null : utcDaysBetween(ms, reportAt));
  const out = {
    dt,
    collected: [] as string[],
    collection_coverage: [] as string[],
    stale_access_keys: [] as string[],
    unused_credentials: [] as string[],
    console_users_without_mfa: [] as string[],
    unused_users: [] as string[],
    root_account_findings: [] as string[],
    multiple_active_keys: [] as string[],
    passwords_not_rotated: [] as string[],
    users: [] as string[],
    root_hardware_mfa_missing: [] as string[],
    password_policy_weak: [] as string[],
    admin_users: [] as string[],
    privileged_users_without_mfa: [] as string[],
    privileged_users_with_stale_keys: [] as string[],
  };
  for (const account of org.accounts) {
    const [status, reason] = expectedStatus(account);
    out.collection_coverage.push(`${account.id}|${status}|${reason ?? ''}`);
    if (status !== 'collected') continue;
    out.collected.push(account.id);
    const a = account.id;
    const root = account.root;
    out.users.push(`${a}|<root_account>`);
    root.keys.forEach((k, i) => {
      if (k?.active && days(k.rotatedAt)! > t.maxKeyAgeDays)
        out.stale_access_keys.push(`${a}|<root_account>|${i + 1}|${days(k.rotatedAt)}`);
    });
    const rootKeyActive = root.keys.some((k) => k?.active);
    // No MFA is a finding unless this is a member account whose root credentials were removed
    // under centralized root access (known only with posture read; never the management account).
    const posture = !account.faults.postureDenied;
    const exempt = credentialsRemoved(account, org, posture);
    if (rootKeyActive) out.root_account_findings.push(`${a}|root_access_key_active`);
    // Whether root has a password: posture's AccountPasswordPresent, else the report's field,
    // where not_supported counts as possible.
    const rootPassword = posture ? account.posture.rootPasswordPresent : root.passwordState !== 'false';
    if (!root.mfa && !exempt && (t.rootMfaWithoutPassword || rootPassword))
      out.root_account_findings.push(`${a}|root_mfa_disabled`);
    const rootUses = [
      root.passwordLastUsedAt,
      root.keys[0]?.lastUsedAt ?? null,
      root.keys[1]?.lastUsedAt ?? null,
    ];
    if (rootUses.some((u) => u !== null && days(u)! <= t.rootRecentUseDays))
      out.root_account_findings.push(`${a}|root_used_recently`);
    for (const user of account.users) addUser(out, a, user, days, t);
    if (posture) addPosture(out, account, org, days, t);
  }
  for (const list of Object.values(out)) if (Array.isArray(list)) list.sort();
  return out;
}

function addUser(
  out: { [K in keyof ExpectedAnswers]: ExpectedAnswers[K] },
  a: string,
  user: SimUser,
  days: (ms: number | null) => number | null,
  t: Thresholds,
): void {
  const u = user.name;
  const userAge = days(user.createdAt)!;
  (out.users as string[]).push(`${a}|${u}`);
  const keyIdle = (k: SimKey) => days(k.lastUsedAt) ?? days(k.rotatedAt) ?? userAge;
  user.keys.forEach((k, i) => {
    if (!k?.active) return;
    if (days(k.rotatedAt)! > t.maxKeyAgeDays)
      (out.stale_access_keys as string[]).push(`${a}|${u}|${i + 1}|${days(k.rotatedAt)}`);
    if (keyIdle(k) >= t.unusedCredentialDays)
      (out.unused_credentials as string[]).push(`${a}|${u}|access_key_${i + 1}|${keyIdle(k)}`);
  });
  const pw = user.password;
  const pwIdle = pw ? (days(pw.lastUsedAt) ?? days(pw.lastChangedAt) ?? userAge) : null;
  if (pw && pwIdle! >= t.unusedCredentialDays)
    (out.unused_credentials as string[]).push(`${a}|${u}|password|${pwIdle}`);
  if (pw && !user.mfa) (out.console_users_without_mfa as string[]).push(`${a}|${u}`);
  if (pw && days(pw.lastChangedAt)! > t.maxPasswordAgeDays) {
    (out.passwords_not_rotated as string[]).push(`${a}|${u}|${days(pw.lastChangedAt)}`);
  }
  if (user.keys[0]?.active && user.keys[1]?.active) (out.multiple_active_keys as string[]).push(`${a}|${u}`);
  const active = [
    ...user.keys.filter((k): k is SimKey => !!k?.active).map(keyIdle),
    ...(pwIdle === null ? [] : [pwIdle]),
  ];
  if (userAge >= t.minUserAgeDays && active.every((idle) => idle >= t.unusedUserDays)) {
    const everUsed =
      (pw?.lastUsedAt ?? null) !== null || user.keys.some((k) => k?.active && k.lastUsedAt !== null);
    const reason = active.length === 0 ? 'no_active_credentials' : everUsed ? 'inactive' : 'never_used';
    (out.unused_users as string[]).push(`${a}|${u}|${reason}`);
  }
}

function addPosture(
  out: { [K in keyof ExpectedAnswers]: ExpectedAnswers[K] },
  account: SimAccount,
  org: SimOrg,
  days: (ms: number | null) => number | null,
  t: Thresholds,
): void {
  const a = account.id;
  const p = account.posture;
  const passes = account.root.mfa ? p.rootMfaHardware : !t.rootMfaWithoutPassword && !p.rootPasswordPresent;
  if (!credentialsRemoved(account, org, true) && !passes) (out.root_hardware_mfa_missing as string[]).push(a);
  const policy = p.passwordPolicy;
  const short = (policy?.minimumLength ?? 0) < 14;
  const reuse = (policy?.reusePrevention ?? 0) < 24;
  if (!policy || short || reuse)
    (out.password_policy_weak as string[]).push(`${a}|${!policy}|${short}|${reuse}`);
  for (const user of account.users) {
    const grants = adminGrants(user);
    if (grants.length === 0) continue;
    for (const [policyName, source, group] of grants)
      (out.admin_users as string[]).push(`${a}|${user.name}|${policyName}|${source}|${group}`);
    if (user.password && !user.mfa) (out.privileged_users_without_mfa as string[]).push(`${a}|${user.name}`);
    user.keys.forEach((k, i) => {
      if (k?.active && days(k.rotatedAt)! > t.maxKeyAgeDays)
        (out.privileged_users_with_stale_keys as string[]).push(`${a}|${user.name}|${i + 1}`);
    });
  }
}

/** `account|user|added|removed` changes between two days' expected users, for accounts collected on both. */
export function expectedUserChanges(before: ExpectedAnswers, after: ExpectedAnswers): string[] {
  const both = new Set(after.collected.filter((a) => before.collected.includes(a)));
  const prev = new Set(before.users.filter((k) => both.has(k.split('|')[0])));
  const next = new Set(after.users.filter((k) => both.has(k.split('|')[0])));
  const changes = [
    ...[...next].filter((k) => !prev.has(k)).map((k) => `${k}|added`),
    ...[...prev].filter((k) => !next.has(k)).map((k) => `${k}|removed`),
  ];
  return changes.sort();
}

/** A member account whose root has no password and no keys under centralized root access. */
function credentialsRemoved(account: SimAccount, org: SimOrg, postureRead: boolean): boolean {
  return (
    postureRead &&
    org.centralizedRootAccess &&
    account.id !== org.managementAccountId &&
    !account.posture.rootPasswordPresent &&
    !account.root.keys.some((k) => k !== null)
  );
}

/**
 * Which fields of each check's expected strings name a finding across days (the check's
 * identity in the query catalog, in the same order, after the account): ages and reasons drop.
 */
const IDENTITY_FIELDS: Record<string, number[]> = {
  stale_access_keys: [1, 2],
  unused_credentials: [1, 2],
  console_users_without_mfa: [1],
  unused_users: [1],
  root_account_findings: [1],
  multiple_active_keys: [1],
  passwords_not_rotated: [1],
  root_hardware_mfa_missing: [],
  password_policy_weak: [],
  admin_users: [1, 2, 3, 4],
  privileged_users_without_mfa: [1],
  privileged_users_with_stale_keys: [1, 2],
};

/** Every expected finding of a day as its stable key, `check|account|identity...`, by account. */
export function expectedFindingKeys(answers: ExpectedAnswers): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [check, fields] of Object.entries(IDENTITY_FIELDS)) {
    for (const line of answers[check as keyof ExpectedAnswers] as string[]) {
      const parts = line.split('|');
      const key = [check, parts[0], ...fields.map((i) => parts[i] ?? '')].join('|');
      if (!out.has(parts[0])) out.set(parts[0], new Set());
      out.get(parts[0])!.add(key);
    }
  }
  return out;
}

/**
 * What findings_changes must say on the last day of `days` (ordered, consecutive runs):
 * `new|key` and `resolved|key` against each account's previous collected day,
 * `not_collected|account` and `no_previous_snapshot|account` where there is nothing to compare.
 */
export function expectedFindingChanges(
  days: readonly ExpectedAnswers[],
  statusOf?: (day: ExpectedAnswers) => Map<string, FindingTruth>,
): string[] {
  const now = days.at(-1)!;
  const out: string[] = [];
  const keysNow = expectedFindingKeys(now);
  for (const line of now.collection_coverage) {
    const [account, status] = line.split('|');
    if (status !== 'collected') {
      out.push(`not_collected|${account}`);
      continue;
    }
    const before = days
      .slice(0, -1)
      .reverse()
      .find((d) => d.collected.includes(account));
    if (!before) {
      out.push(`no_previous_snapshot|${account}`);
      continue;
    }
    out.push(`compared|${account}`);
    const a = expectedFindingKeys(before).get(account) ?? new Set<string>();
    const b = keysNow.get(account) ?? new Set<string>();
    for (const k of b) if (!a.has(k)) out.push(`new|${k}`);
    for (const k of a) if (!b.has(k)) out.push(`resolved|${k}`);
    if (statusOf) {
      const then = statusOf(before);
      const nowStatus = statusOf(now);
      for (const k of b)
        if (a.has(k) && then.get(k)?.status === 'waived' && nowStatus.get(k)?.status !== 'waived')
          out.push(`reopened|${k}`);
    }
  }
  return out.sort();
}

/** A finding's owner and waiver status, as the ground truth has them. */
export interface FindingTruth {
  readonly owner: string;
  readonly status: 'open' | 'waived' | 'waiver_expired';
  readonly waiverId: string | null;
}

/** Checks whose findings are about one IAM user (the rest are about the account or its root). */
const USER_CHECKS = new Set(
  Object.keys(IDENTITY_FIELDS).filter((c) => IDENTITY_FIELDS[c][0] === 1 && c !== 'root_account_findings'),
);

/**
 * Every finding of a day with its owner and waiver status, from the model as it stands that day
 * and the simulated waivers: the first owner tag of the user (its tags are known only when the
 * account's posture was read), then of the account, else unowned; the first waiver in force that
 * covers the finding, else the first lapsed one. Written apart from queries/waivers.ts.
 */
export function expectedFindingStatus(
  answers: ExpectedAnswers,
  org: SimOrg,
  waivers: readonly WaiverSpec[],
  ownerTags: readonly string[] = ['owner', 'team'],
): Map<string, FindingTruth> {
  const out = new Map<string, FindingTruth>();
  for (const [accountId, keys] of expectedFindingKeys(answers)) {
    const account = org.accounts.find((a) => a.id === accountId)!;
    for (const key of keys) {
      const [check, , userPart] = key.split('|');
      const user = USER_CHECKS.has(check) ? account.users.find((u) => u.name === userPart) : undefined;
      const userTags =
        user && !account.faults.postureDenied
          ? Object.fromEntries((user.tags ?? []).map((t) => [t.key, t.value]))
          : {};
      const owner =
        ownerTags.map((k) => userTags[k]).find(Boolean) ??
        ownerTags.map((k) => account.tags[k]).find(Boolean) ??
        'unowned';
      const arn = user ? `arn:aws:iam::${accountId}:user${user.path}${user.name}` : null;
      const covers = (w: WaiverSpec) =>
        w.check === check &&
        (!w.accounts || w.accounts.includes(accountId)) &&
        (!w.users || (user !== undefined && w.users.includes(user.name))) &&
        (!w.arns ||
          (arn !== null &&
            w.arns.some((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`).test(arn)))) &&
        (!w.tags || Object.entries(w.tags).every(([k, v]) => userTags[k] === v));
      const matching = waivers.filter(covers);
      const active = matching.find((w) => answers.dt <= w.expires);
      const chosen = active ?? matching[0];
      out.set(key, {
        owner,
        status: active ? 'waived' : chosen ? 'waiver_expired' : 'open',
        waiverId: chosen?.id ?? null,
      });
    }
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** What findings_by_owner must say: `owner|findings|open|waived|waiver_expired`, sorted. */
export function expectedFindingsByOwner(status: Map<string, FindingTruth>): string[] {
  const per = new Map<string, [number, number, number, number]>();
  for (const f of status.values()) {
    const c = per.get(f.owner) ?? [0, 0, 0, 0];
    c[0]++;
    if (f.status !== 'waived') c[1]++;
    if (f.status === 'waived') c[2]++;
    if (f.status === 'waiver_expired') c[3]++;
    per.set(f.owner, c);
  }
  return [...per].map(([o, c]) => [o, ...c].join('|')).sort();
}
