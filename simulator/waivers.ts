// The simulated organization's own waivers, written as a team would: a break-glass user accepted
// for a long time, vendor-managed service keys accepted for a few more weeks, one acceptance that
// lapsed the day before the last snapshot (its finding reopens), and one that covers nothing (a
// contractor pattern nobody uses any more). The specs are the ground truth's; the YAML is what
// the CLI installs in the lake.
import { addDays } from '../transforms/dates.ts';
import { driftAccount } from './drift.ts';
import { type GenerateOptions, generateOrg } from './generate.ts';
import type { SimAccount, SimOrg } from './model.ts';

export interface WaiverSpec {
  readonly id: string;
  readonly check: string;
  readonly accounts?: readonly string[];
  readonly users?: readonly string[];
  readonly arns?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly approvedBy: string;
  readonly expires: string;
}

const healthy = (a: SimAccount) =>
  a.state === 'ACTIVE' &&
  !a.faults.accessDenied &&
  !a.faults.stuck &&
  !a.faults.malformed &&
  !a.faults.postureDenied;

/** Console users without MFA and without privileges, in healthy accounts: what a team accepts. */
function consoleCandidates(org: SimOrg): { account: string; user: string }[] {
  return org.accounts
    .filter(healthy)
    .flatMap((a) =>
      a.users
        .filter((u) => u.password !== null && !u.mfa && u.groups.length === 0 && u.managed.length === 0)
        .map((u) => ({ account: a.id, user: u.name })),
    );
}

/**
 * The waivers of a simulated run from `options.startDate` to `lastDate`, chosen from the
 * organization as it drifts to the last day, so each covers what it is meant to then: the
 * break-glass user is a finding on the last day, and the lapsed waiver's user on the last two.
 */
export function waiverSpecsForRun(options: GenerateOptions, lastDate: string): WaiverSpec[] {
  const org = generateOrg(options);
  let before = consoleCandidates(org);
  for (let d = addDays(options.startDate, 1); d <= lastDate; d = addDays(d, 1)) {
    if (d === lastDate) before = consoleCandidates(org);
    for (const account of org.accounts) driftAccount(account, options.seed, d);
  }
  return simulatedWaiverSpecs(org, lastDate, before);
}

/**
 * The waivers of the simulated organization, relative to the last snapshot date; `before`, the
 * candidates of the day before, keeps the lapsed waiver on a finding of both days.
 */
export function simulatedWaiverSpecs(
  org: SimOrg,
  lastDate: string,
  before = consoleCandidates(org),
): WaiverSpec[] {
  const candidates = consoleCandidates(org);
  const was = new Set(before.map((c) => `${c.account}|${c.user}`));
  const first = candidates[0];
  const second = candidates.find((c) => c.account !== first?.account && was.has(`${c.account}|${c.user}`));
  const specs: WaiverSpec[] = [];
  if (first)
    specs.push({
      id: 'break-glass-console',
      check: 'console_users_without_mfa',
      accounts: [first.account],
      users: [first.user],
      reason: 'Break-glass console user; its MFA device is kept in the safe with the password',
      approvedBy: 'security-lead@example.com',
      expires: addDays(lastDate, 180),
    });
  specs.push({
    id: 'vendor-managed-keys',
    check: 'stale_access_keys',
    tags: { exception: 'vendor-managed' },
    reason: 'Keys of vendor-managed integrations are rotated by the vendor under contract',
    approvedBy: 'ciso@example.com',
    expires: addDays(lastDate, 20),
  });
  if (second)
    specs.push({
      id: 'migration-console-user',
      check: 'console_users_without_mfa',
      accounts: [second.account],
      users: [second.user],
      reason: 'Shared console user during the identity-centre migration',
      approvedBy: 'security-lead@example.com',
      expires: addDays(lastDate, -1),
    });
  specs.push({
    id: 'contractor-accounts',
    check: 'unused_credentials',
    arns: ['arn:aws:iam::*:user/contractors/legacy-*'],
    reason: 'Legacy contractor users, disabled by the HR process',
    approvedBy: 'it-ops@example.com',
    expires: addDays(lastDate, 10),
  });
  return specs;
}

/** The YAML text of a waivers file. */
export function waiversYaml(specs: readonly WaiverSpec[]): string {
  const list = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  const entries = specs.map((w) =>
    [
      `  - id: ${w.id}`,
      `    check: ${w.check}`,
      ...(w.accounts ? [`    accounts: ${list(w.accounts)}`] : []),
      ...(w.users ? [`    users: ${list(w.users)}`] : []),
      ...(w.arns ? [`    arns: ${list(w.arns)}`] : []),
      ...(w.tags
        ? [
            `    tags: { ${Object.entries(w.tags)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')} }`,
          ]
        : []),
      `    reason: ${w.reason}`,
      `    approved_by: ${w.approvedBy}`,
      `    expires: ${w.expires}`,
    ].join('\n'),
  );
  return `# Accepted findings of the simulated organization (credlake run --simulate).
# Each waiver names one check, what it covers, why, who approved it and its last day.
waivers:
${entries.join('\n')}
`;
}
