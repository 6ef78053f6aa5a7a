// A day's run records and org snapshot, read from the lake and curated by the curation stage into
// the `collection_runs` and `accounts` partitions.

import { writeCurated } from '../curation/curated-object.ts';
import { accountsObject, accountTagsObject, collectionRunsObject } from '../curation/day-tables.ts';
import type { ObjectStore } from '../lake/store.ts';
import { readOutcomes, standingOutcomes } from './journal.ts';
import { readAccountsSnapshot } from './org-snapshot.ts';
import type { AccountOutcome, AccountsSnapshot } from './outcome.ts';

/** Rebuilds `curated/collection_runs/dt=...` from every outcome journaled that day. */
export async function writeCollectionRuns(store: ObjectStore, dt: string): Promise<AccountOutcome[]> {
  const standing = [...standingOutcomes(await readOutcomes(store, dt)).values()].sort((a, b) =>
    a.accountId.localeCompare(b.accountId),
  );
  await writeCurated(store, [collectionRunsObject(dt, standing)]);
  return standing;
}

/** Rebuilds `curated/accounts/dt=...` and `account_tags` from the day's raw org snapshot, if any. */
export async function writeAccounts(store: ObjectStore, dt: string): Promise<AccountsSnapshot | undefined> {
  const snapshot = (await readAccountsSnapshot(store, dt))?.snapshot;
  if (!snapshot) return undefined;
  await writeCurated(store, [accountsObject(dt, snapshot), accountTagsObject(dt, snapshot)]);
  return snapshot;
}
