// Account discovery: walk the OU tree from the root (one call per OU and page, not per account)
// so every account gets its ou_path; then decide which accounts this run collects.
import { sideBySide } from '../common/side-by-side.ts';
import type { OrgApi } from './api.ts';
import { ApiError } from './errors.ts';
import { Limiter } from './limiter.ts';
import type { AccountInfo, AccountsSnapshot } from './outcome.ts';

export interface AccountFilters {
  /** Only these account ids (also the explicit list used without Organizations access). */
  readonly accounts?: readonly string[];
  readonly excludeAccounts?: readonly string[];
  /** Only accounts under these OUs (nested OUs included), by OU id. */
  readonly ous?: readonly string[];
}

export interface PlannedAccount {
  readonly account: AccountInfo;
  /** Why the account is not collected; undefined when it is. */
  readonly skip?: { reason: 'not_active' | 'excluded'; message: string };
}

interface Walked {
  info: AccountInfo;
  ouIds: string[];
}

export async function discoverAccounts(
  api: OrgApi,
  dt: string,
  now: number,
  /** Called with each OU's accounts as soon as they are listed. */
  onListed?: (accounts: readonly AccountInfo[]) => void,
): Promise<{ snapshot: AccountsSnapshot; ouIdsByAccount: Map<string, string[]> }> {
  // The organization and its roots side by side: neither needs the other, and the first accounts
  // start only once the roots are listed. When both fail, the description's failure is reported.
  const [{ id: organizationId, managementAccountId }, rootIds] = await sideBySide(
    () => api.describeOrganization(),
    () => api.listRootIds(),
  );
  const walked: Walked[] = [];
  // Sibling OUs are walked in parallel, a few calls at a time: Organizations throttles early.
  const calls = new Limiter(4);
  const visit = async (parentId: string, path: string, ouIds: string[]): Promise<void> => {
    const [, children] = await Promise.all([
      calls
        .run(() => api.listAccounts(parentId))
        .then((accounts) => {
          const found = accounts.map((a) => ({
            info: {
              accountId: a.id,
              name: a.name,
              email: a.email,
              state: a.state,
              ouPath: path,
              joinedAt: a.joinedAt === null ? null : new Date(a.joinedAt).toISOString(),
            },
            ouIds,
          }));
          walked.push(...found);
          onListed?.(found.map((w) => w.info));
        }),
      calls.run(() => api.listChildOus(parentId)),
    ]);
    await Promise.all(children.map((ou) => visit(ou.id, `${path}/${ou.name}`, [...ouIds, ou.id])));
  };
  for (const rootId of rootIds) await visit(rootId, 'Root', [rootId]);
  walked.sort((a, b) => a.info.accountId.localeCompare(b.info.accountId));
  return {
    snapshot: {
      dt,
      takenAt: new Date(now).toISOString(),
      organizationId,
      managementAccountId,
      source: 'organizations',
      accounts: walked.map((w) => w.info),
    },
    ouIdsByAccount: new Map(walked.map((w) => [w.info.accountId, w.ouIds])),
  };
}

/**
 * The snapshot with each account's tags in Organizations (an account-level owner), one call per
 * account, a few at a time. Tags that cannot be read are null (unknown), never {}: a caller not
 * allowed ListTagsForResource gets null for every account after the first refusal; any other
 * failure (after the call's own retries) leaves that account's tags null and the rest are read;
 * so do the accounts not reached by `deadlineMs`.
 */
export async function withAccountTags(
  api: OrgApi,
  snapshot: AccountsSnapshot,
  options: { deadlineMs?: number } = {},
): Promise<AccountsSnapshot> {
  const list = api.listAccountTags?.bind(api);
  if (!list) return snapshot;
  const calls = new Limiter(8);
  let denied = false;
  // Past the deadline, the accounts not read yet are unknown (null): the run goes on without them.
  const deadline = options.deadlineMs === undefined ? Infinity : performance.now() + options.deadlineMs;
  const tags = await Promise.all(
    snapshot.accounts.map((a) =>
      calls.run(async (): Promise<Record<string, string> | null> => {
        if (denied || performance.now() > deadline) return null;
        try {
          return await list(a.accountId);
        } catch (error) {
          if (error instanceof ApiError && error.kind === 'access_denied') denied = true;
          return null;
        }
      }),
    ),
  );
  return {
    ...snapshot,
    accounts: snapshot.accounts.map((a, i) => ({ ...a, tags: denied ? null : tags[i] })),
  };
}

/** A snapshot from an explicit account list, for callers without Organizations access. */
export function snapshotFromList(ids: readonly string[], dt: string, now: number): AccountsSnapshot {
  return {
    dt,
    takenAt: new Date(now).toISOString(),
    organizationId: null,
    source: 'account_list',
    accounts: [...new Set(ids)].sort().map((accountId) => ({
      accountId,
      name: null,
      email: null,
      state: 'ACTIVE',
      ouPath: null,
      joinedAt: null,
    })),
  };
}

export function planAccounts(
  snapshot: { readonly accounts: readonly AccountsSnapshot['accounts'][number][] },
  filters: AccountFilters,
  ouIdsByAccount: Map<string, string[]> = new Map(),
): PlannedAccount[] {
  const include = filters.accounts ? new Set(filters.accounts) : undefined;
  const exclude = new Set(filters.excludeAccounts ?? []);
  const ous = filters.ous ? new Set(filters.ous) : undefined;
  return snapshot.accounts.map((account) => {
    const id = account.accountId;
    if (include && !include.has(id))
      return { account, skip: { reason: 'excluded', message: 'not in --accounts' } };
    if (exclude.has(id)) return { account, skip: { reason: 'excluded', message: 'in --exclude-accounts' } };
    if (ous && !(ouIdsByAccount.get(id) ?? []).some((ou) => ous.has(ou))) {
      return { account, skip: { reason: 'excluded', message: 'outside the OUs of --ous' } };
    }
    if (account.state !== 'ACTIVE') {
      return { account, skip: { reason: 'not_active', message: `account state is ${account.state}` } };
    }
    return { account };
  });
}
