// Account discovery: walk the OU tree from the root (one call per OU and page, not per account)
// so every account gets its ou_path; then decide which accounts this run collects. While the walk
// descends, the flat account listing tells the first accounts, so their collection can start.
import { sideBySide } from '../common/side-by-side.ts';
import type { OrgAccount, OrgApi } from './api.ts';
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
  /** Called with accounts as soon as they are listed, each once; the flat listing's have no ouPath. */
  onListed?: (accounts: readonly AccountInfo[]) => void,
): Promise<{ snapshot: AccountsSnapshot; ouIdsByAccount: Map<string, string[]> }> {
  // Each account is told once, by whichever listing finds it first.
  const told = new Set<string>();
  const tell = (infos: readonly AccountInfo[]) => {
    const fresh = infos.filter((i) => !told.has(i.accountId));
    for (const i of fresh) told.add(i.accountId);
    if (fresh.length) onListed?.(fresh);
  };
  // The organization and its roots side by side: neither needs the other. When both fail, the
  // description's failure is reported.
  const described = sideBySide(
    () => api.describeOrganization(),
    () => api.listRootIds(),
  );
  // The walk reaches the first accounts only after a call per level of OUs; the flat listing has
  // them after one call. It stops once the walk has listed accounts of its own: a page or two, as
  // many as the tree has levels above its first accounts, whatever the organization's size.
  const walk = { listed: 0, over: false };
  const ahead =
    onListed && api.listAccountsPage
      ? listAhead(api.listAccountsPage.bind(api), described, tell, walk)
      : undefined;
  const [{ id: organizationId, managementAccountId }, rootIds] = await described;
  const walked: Walked[] = [];
  // Sibling OUs are walked in parallel, a few calls at a time: Organizations throttles early.
  const calls = new Limiter(4);
  const visit = async (parentId: string, path: string, ouIds: string[]): Promise<void> => {
    const [, children] = await Promise.all([
      calls
        .run(() => api.listAccounts(parentId))
        .then((accounts) => {
          const found = accounts.map((a) => ({ info: infoOf(a, path), ouIds }));
          walked.push(...found);
          walk.listed += found.length;
          tell(found.map((w) => w.info));
        }),
      calls.run(() => api.listChildOus(parentId)),
    ]);
    await Promise.all(children.map((ou) => visit(ou.id, `${path}/${ou.name}`, [...ouIds, ou.id])));
  };
  try {
    for (const rootId of rootIds) await visit(rootId, 'Root', [rootId]);
  } finally {
    // Nothing is told once discovery has ended, even in failure.
    walk.over = true;
    await ahead;
  }
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

function infoOf(a: OrgAccount, ouPath: string | null): AccountInfo {
  return {
    accountId: a.id,
    name: a.name,
    email: a.email,
    state: a.state,
    ouPath,
    joinedAt: a.joinedAt === null ? null : new Date(a.joinedAt).toISOString(),
  };
}

/**
 * Pages of the flat account listing, told once the organization is described, until the walk
 * has listed accounts of its own. It only starts accounts sooner: the walk lists every account
 * anyway, so a refused or failed page ends it and nothing is lost.
 */
async function listAhead(
  listPage: NonNullable<OrgApi['listAccountsPage']>,
  described: Promise<unknown>,
  tell: (infos: readonly AccountInfo[]) => void,
  walk: { readonly listed: number; readonly over: boolean },
): Promise<void> {
  let token: string | undefined;
  try {
    do {
      const page = await listPage(token);
      // No account starts in an organization that could not be described.
      await described;
      if (walk.over) return;
      tell(page.accounts.map((a) => infoOf(a, null)));
      token = page.next;
    } while (token && walk.listed === 0);
  } catch {
    // The walk decides: its own calls report any failure that matters.
  }
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
