// `credlake transform`: rebuild curated partitions from what the raw zone holds. Idempotent:
// the same raw objects always give the same rows. Each account's partition is built from the raw
// object its standing outcome names (collection_runs.raw_key), never merely the newest file of
// the folder: a report left by a run killed before it recorded anything is an orphan, reported
// and never used.

import { writeCurated } from '../curation/curated-object.ts';
import { privilegesObjects } from '../curation/posture.ts';
import { curateReport } from '../curation/report.ts';
import {
  curatedKey,
  datesIn,
  isRawPostureKey,
  parseRawReportKey,
  RAW_ZONES,
  rawPosturePrefix,
  rawReportPrefix,
} from '../lake/keys.ts';
import { getJson, type ObjectStore } from '../lake/store.ts';
import { readOutcomes, standingOutcomes } from './journal.ts';
import { readAccountsSnapshot } from './org-snapshot.ts';
import type { AccountOutcome } from './outcome.ts';
import { type PostureRecord, writeAccountPosture } from './posture.ts';
import { writeAccounts, writeCollectionRuns } from './write-day-tables.ts';

export interface RebuildResult {
  readonly dt: string;
  readonly reports: number;
  readonly rows: number;
  readonly failures: { accountId: string; message: string }[];
  /** Raw reports no run names (left by a run killed mid-write): kept as they are, not used. */
  readonly orphans: string[];
}

/** Dates that have anything in the raw zone, oldest first. */
export async function rawDates(store: ObjectStore): Promise<string[]> {
  const keys = [
    ...(await store.list(RAW_ZONES.reports)),
    ...(await store.list(RAW_ZONES.accounts)),
    ...(await store.list(RAW_ZONES.runs)),
  ];
  return datesIn(keys);
}

/** Raw reports of a day that no outcome names: evidence of an interrupted run, never curated. */
export async function orphanReports(
  store: ObjectStore,
  dt: string,
  outcomes: AccountOutcome[],
): Promise<string[]> {
  const named = new Set(outcomes.map((o) => o.rawKey).filter(Boolean));
  return (await store.list(rawReportPrefix(dt))).filter((k) => parseRawReportKey(k) && !named.has(k));
}

export async function rebuildDate(store: ObjectStore, dt: string): Promise<RebuildResult> {
  const outcomes = await readOutcomes(store, dt);
  const standing = standingOutcomes(outcomes);
  const snapshot = (await readAccountsSnapshot(store, dt))?.snapshot;
  const names = new Map(snapshot?.accounts.map((a) => [a.accountId, a.name]) ?? []);
  const failures: RebuildResult['failures'] = [];
  let rows = 0;
  let reports = 0;
  for (const outcome of [...standing.values()].sort((a, b) => a.accountId.localeCompare(b.accountId))) {
    const ref =
      outcome.status === 'collected' && outcome.rawKey ? parseRawReportKey(outcome.rawKey) : undefined;
    if (!ref) continue;
    reports++;
    // The run that fetched the bytes (an already_collected outcome only points back to it).
    const fetchedBy = outcomes.find((o) => o.rawKey === ref.key && o.reason !== 'already_collected');
    const name = names.get(ref.accountId) ?? outcome.accountName ?? null;
    const bytes = await store.get(ref.key);
    if (!bytes) {
      failures.push({
        accountId: ref.accountId,
        message: `raw report ${ref.key} named by run ${outcome.runId} is missing`,
      });
      continue;
    }
    const curated = curateReport(ref, bytes, { runId: fetchedBy?.runId ?? null, accountName: name });
    if (curated.ok) {
      await writeCurated(store, [curated.object]);
      rows += curated.object.rows;
    } else {
      await store.delete(curatedKey('credential_report', dt, ref.accountId));
      failures.push({ accountId: ref.accountId, message: curated.rejection.message });
    }
  }
  await writeCollectionRuns(store, dt);
  await writeAccounts(store, dt);
  await rebuildPrivileges(store, dt);
  await writeAccountPosture(store, dt);
  return { dt, reports, rows, failures, orphans: await orphanReports(store, dt, outcomes) };
}

/** Rebuilds each account's `user_privileges` and `user_tags` partitions from its raw posture record. */
async function rebuildPrivileges(store: ObjectStore, dt: string): Promise<void> {
  for (const key of (await store.list(rawPosturePrefix(dt))).filter(isRawPostureKey)) {
    const record = await getJson<PostureRecord>(store, key);
    if (!record) continue;
    await writeCurated(store, privilegesObjects(dt, record));
  }
}
