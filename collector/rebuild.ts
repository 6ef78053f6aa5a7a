// `credlake transform`: rebuild curated partitions from what the raw zone holds. Idempotent:
// the same raw objects always give the same rows.

import {
  curatedKey,
  datesIn,
  parseRawReportKey,
  type RawReportRef,
  rawAccountsKey,
  rawReportPrefix,
} from '../lake/keys.ts';
import { getJson, type ObjectStore } from '../lake/store.ts';
import { MalformedReportError } from '../transforms/errors.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { privilegeRows } from '../transforms/posture.ts';
import { TABLES } from '../transforms/schema.ts';
import { curateReport, writeAccounts, writeCollectionRuns } from './curate.ts';
import { readOutcomes, standingOutcomes } from './journal.ts';
import type { AccountsSnapshot } from './outcome.ts';
import { type PostureRecord, writeAccountPosture } from './posture.ts';

export interface RebuildResult {
  readonly dt: string;
  readonly reports: number;
  readonly rows: number;
  readonly failures: { accountId: string; message: string }[];
}

/** Dates that have anything in the raw zone, oldest first. */
export async function rawDates(store: ObjectStore): Promise<string[]> {
  const keys = [
    ...(await store.list('raw/credential_report/')),
    ...(await store.list('raw/accounts/')),
    ...(await store.list('raw/runs/')),
  ];
  return datesIn(keys);
}

/** The newest raw report of each account on a day. */
export async function newestRawReports(store: ObjectStore, dt: string): Promise<RawReportRef[]> {
  const newest = new Map<string, RawReportRef>();
  for (const key of await store.list(rawReportPrefix(dt))) {
    const ref = parseRawReportKey(key);
    if (!ref) continue;
    const current = newest.get(ref.accountId);
    if (!current || ref.generatedAt > current.generatedAt) newest.set(ref.accountId, ref);
  }
  return [...newest.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
}

export async function rebuildDate(store: ObjectStore, dt: string): Promise<RebuildResult> {
  const outcomes = await readOutcomes(store, dt);
  const standing = standingOutcomes(outcomes);
  const snapshot = await getJson<AccountsSnapshot>(store, rawAccountsKey(dt));
  const names = new Map(snapshot?.accounts.map((a) => [a.accountId, a.name]) ?? []);
  const failures: RebuildResult['failures'] = [];
  let rows = 0;
  const refs = await newestRawReports(store, dt);
  for (const ref of refs) {
    const fetchedBy = outcomes.find((o) => o.rawKey === ref.key && o.reason !== 'already_collected');
    const name = names.get(ref.accountId) ?? standing.get(ref.accountId)?.accountName ?? null;
    const bytes = await store.get(ref.key);
    if (!bytes) continue;
    try {
      const parsed = await curateReport(store, ref, bytes, {
        runId: fetchedBy?.runId ?? null,
        accountName: name,
      });
      rows += parsed.rows.length;
    } catch (error) {
      if (!(error instanceof MalformedReportError)) throw error;
      await store.delete(curatedKey('credential_report', dt, ref.accountId));
      failures.push({ accountId: ref.accountId, message: error.message });
    }
  }
  await writeCollectionRuns(store, dt);
  await writeAccounts(store, dt);
  await rebuildPrivileges(store, dt);
  await writeAccountPosture(store, dt);
  return { dt, reports: refs.length, rows, failures };
}

/** Rebuilds each account's `user_privileges` partition from its raw posture record. */
async function rebuildPrivileges(store: ObjectStore, dt: string): Promise<void> {
  for (const key of (await store.list(`raw/posture/dt=${dt}/`)).filter((k) => k.endsWith('/posture.json'))) {
    const record = await getJson<PostureRecord>(store, key);
    if (!record) continue;
    const rows = privilegeRows(record.details, record.accountName, record.runId);
    await store.put(
      curatedKey('user_privileges', dt, record.accountId),
      encodeParquet(TABLES.user_privileges, rows),
    );
  }
}
