// The simulated organization's own waivers file, written as a team would: a break-glass user
// accepted for a long time, vendor-managed service keys accepted for a few more weeks, one
// acceptance that lapsed the day before the last snapshot (its finding reopens), and one that
// covers nothing (a contractor account pattern nobody uses any more).
import { addDays } from '../transforms/dates.ts';
import type { SimAccount, SimOrg } from './model.ts';

const healthy = (a: SimAccount) =>
  a.state === 'ACTIVE' &&
  !a.faults.accessDenied &&
  !a.faults.stuck &&
  !a.faults.malformed &&
  !a.faults.postureDenied;

/** The YAML text of the simulated organization's waivers, relative to the last snapshot date. */
export function simulatedWaivers(org: SimOrg, lastDate: string): string {
  // Long-lived console users without MFA, in healthy accounts: the ones a team would accept.
  const candidates = org.accounts
    .filter(healthy)
    .flatMap((a) =>
      a.users
        .filter((u) => u.password !== null && !u.mfa && u.groups.length === 0 && u.managed.length === 0)
        .map((u) => ({ account: a, user: u })),
    );
  const [breakGlass, lapsed] = [candidates[0], candidates.find((c) => c.account !== candidates[0]?.account)];
  const entries: string[] = [];
  if (breakGlass)
    entries.push(`  - id: break-glass-console
    check: console_users_without_mfa
    accounts: ["${breakGlass.account.id}"]
    users: ["${breakGlass.user.name}"]
    reason: Break-glass console user; its MFA device is kept in the safe with the password
    approved_by: security-lead@example.com
    expires: ${addDays(lastDate, 180)}`);
  entries.push(`  - id: vendor-managed-keys
    check: stale_access_keys
    tags: { exception: vendor-managed }
    reason: Keys of vendor-managed integrations are rotated by the vendor under contract
    approved_by: ciso@example.com
    expires: ${addDays(lastDate, 20)}`);
  if (lapsed)
    entries.push(`  - id: migration-console-user
    check: console_users_without_mfa
    accounts: ["${lapsed.account.id}"]
    users: ["${lapsed.user.name}"]
    reason: Shared console user during the identity-centre migration
    approved_by: security-lead@example.com
    expires: ${addDays(lastDate, -1)}`);
  entries.push(`  - id: contractor-accounts
    check: unused_credentials
    arns: ["arn:aws:iam::*:user/contractors/legacy-*"]
    reason: Legacy contractor users, disabled by the HR process
    approved_by: it-ops@example.com
    expires: ${addDays(lastDate, 10)}`);
  return `# Accepted findings of the simulated organization (credlake run --simulate).
# Each waiver names one check, what it covers, why, who approved it and its last day.
waivers:
${entries.join('\n')}
`;
}
