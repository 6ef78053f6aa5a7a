// Outcomes are journaled one object per account as soon as the account is done, so a run
// killed midway still leaves a truthful record; the manifest summarizes the run at the end.
import { manifestKey, outcomeKey, outcomesPrefix, parseOutcomeKey } from '../lake/keys.ts';
import { getJsonAll, type ObjectStore } from '../lake/store.ts';
import type { AccountOutcome, RunManifest } from './outcome.ts';

export async function writeOutcome(store: ObjectStore, dt: string, outcome: AccountOutcome): Promise<void> {
  await store.put(outcomeKey(dt, outcome.runId, outcome.accountId), JSON.stringify(outcome, null, 2));
}

export async function writeManifest(store: ObjectStore, manifest: RunManifest): Promise<string> {
  const key = manifestKey(manifest.dt, manifest.runId);
  await store.put(key, JSON.stringify(manifest, null, 2), { contentType: 'application/json' });
  return key;
}

/** Every journaled outcome of a day (of one account when given), oldest run first. */
export async function readOutcomes(
  store: ObjectStore,
  dt: string,
  filter: { accountId?: string; runId?: string } = {},
): Promise<AccountOutcome[]> {
  const keys = (await store.list(outcomesPrefix(dt, filter.accountId))).filter((k) => {
    const ref = parseOutcomeKey(k);
    return ref && (!filter.runId || ref.runId === filter.runId);
  });
  const outcomes = await getJsonAll<AccountOutcome>(store, keys);
  return outcomes
    .filter((o): o is AccountOutcome => o !== undefined)
    .sort((a, b) => a.runId.localeCompare(b.runId));
}

/**
 * The outcome that stands for each account on a day: the latest run that fetched its report
 * when any did (the report is in the lake), otherwise the latest outcome.
 */
export function standingOutcomes(outcomes: readonly AccountOutcome[]): Map<string, AccountOutcome> {
  const byAccount = new Map<string, AccountOutcome>();
  const sorted = [...outcomes].sort((a, b) => a.runId.localeCompare(b.runId));
  for (const o of sorted) {
    const current = byAccount.get(o.accountId);
    const replaces =
      current?.status !== 'collected' || (o.status === 'collected' && o.reason !== 'already_collected');
    if (replaces) byAccount.set(o.accountId, o);
    else if (current && o.status === 'collected' && o.postureFailed !== undefined) {
      // A later run that read the posture again updates it; the report's run still stands.
      byAccount.set(o.accountId, {
        ...current,
        postureFailed: o.postureFailed,
        postureMessage: o.postureMessage ?? null,
      });
    }
  }
  return byAccount;
}
