// The organization snapshot of a day, kept as evidence. The first run of a day writes it; a
// later run the same day keeps it when the organization is the same, and writes one of its own
// (named by the run) when the organization changed, so accounts that appeared since have their
// OU path and state. The newest snapshot of the day is the day's.
import { accountsKeysInOrder, accountsPrefix, rawAccountsKey } from '../lake/keys.ts';
import { getJson, type ObjectStore } from '../lake/store.ts';
import type { AccountsSnapshot } from './outcome.ts';

export type SnapshotUse = 'first' | 'kept' | 'changed';

/** The day's current organization snapshot (its newest), with its key; undefined when none. */
export async function readAccountsSnapshot(
  store: ObjectStore,
  dt: string,
): Promise<{ key: string; snapshot: AccountsSnapshot } | undefined> {
  const key = accountsKeysInOrder(await store.list(accountsPrefix(dt)), dt).at(-1);
  if (!key) return undefined;
  const snapshot = await getJson<AccountsSnapshot>(store, key);
  return snapshot ? { key, snapshot } : undefined;
}

/** What the snapshot says of the organization, without when it was taken. */
function organizationOf(s: AccountsSnapshot): string {
  const accounts = [...s.accounts].sort((a, b) => a.accountId.localeCompare(b.accountId));
  return JSON.stringify([
    s.organizationId,
    s.managementAccountId ?? null,
    s.source,
    accounts,
    s.centralizedRootAccess ?? null,
  ]);
}

/** Stores the snapshot a run took, unless the day's current one already says the same. */
export async function storeAccountsSnapshot(
  store: ObjectStore,
  dt: string,
  runId: string,
  snapshot: AccountsSnapshot,
): Promise<{ key: string; use: SnapshotUse; snapshot: AccountsSnapshot }> {
  const body = JSON.stringify(snapshot, null, 2);
  const options = { ifAbsent: true, contentType: 'application/json' };
  const current = await readAccountsSnapshot(store, dt);
  if (!current) {
    const key = rawAccountsKey(dt);
    if (await store.put(key, body, options)) return { key, use: 'first', snapshot };
    // Another run wrote the day's first snapshot between the look and the write: compare with it.
    return storeAccountsSnapshot(store, dt, runId, snapshot);
  }
  if (organizationOf(current.snapshot) === organizationOf(snapshot))
    return { key: current.key, use: 'kept', snapshot: current.snapshot };
  const key = rawAccountsKey(dt, runId);
  await store.put(key, body, options);
  return { key, use: 'changed', snapshot };
}
