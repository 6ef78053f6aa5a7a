// `credlake import`: bring a credential report obtained elsewhere (a CSV archive, a download
// from the console) into the lake as if a run had collected it.

import { writeCurated } from '../curation/curated-object.ts';
import { parseReport, reportObject } from '../curation/report.ts';
import { parseRawReportKey, rawReportKey, rawReportPrefix } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { newestTimestamp, parseCredentialReport } from '../transforms/credential-report.ts';
import { reportNotes } from './collect-account.ts';
import { writeCollectionRuns } from './curate.ts';
import { evidenceOf, sha256Of, withVersion } from './evidence.ts';
import { writeManifest, writeOutcome } from './journal.ts';
import { type AccountOutcome, newRunId } from './outcome.ts';

export interface ImportRequest {
  readonly bytes: Uint8Array;
  readonly accountId: string;
  readonly dt: string;
  readonly generatedAt?: number;
  readonly accountName?: string;
  readonly sourceName: string;
  readonly now?: number;
  /** Rebuild the day's run table after this import (an archive import does it once per day). */
  readonly rebuildRunTable?: boolean;
}

export interface ImportResult {
  readonly runId: string;
  readonly rawKey: string;
  readonly wroteRaw: boolean;
  readonly rows: number;
  readonly generatedAt: number;
  readonly generatedAtSource: 'given' | 'newest_timestamp' | 'date_midnight';
  readonly unknownColumns: string[];
  readonly futureTimestamps: number;
  readonly duplicateUsers: string[];
  /** Active keys whose use the report cannot tell (pre-April-2015 layout). */
  readonly keysWithUnknownUse: number;
  /** Active keys set before IAM recorded key use (2015-04-22). */
  readonly keysBeforeUseRecords: number;
  readonly keyUseColumns: boolean;
  readonly durationMs: number;
}

export async function importReport(store: ObjectStore, req: ImportRequest): Promise<ImportResult> {
  const started = req.now ?? Date.now();
  const clock = performance.now();
  const runId = `import-${newRunId(started)}`;
  let generatedAt = req.generatedAt;
  let generatedAtSource: ImportResult['generatedAtSource'] = 'given';
  if (generatedAt === undefined) {
    // Parse once with a placeholder time only to validate and find the newest timestamp.
    const probe = parseCredentialReport(req.bytes, {
      accountId: req.accountId,
      accountName: null,
      runId,
      generatedAt: 0,
    });
    const newest = newestTimestamp(probe.rows);
    generatedAt = newest ?? Date.parse(`${req.dt}T00:00:00Z`);
    generatedAtSource = newest === undefined ? 'date_midnight' : 'newest_timestamp';
  }
  const rawKey = rawReportKey(req.dt, req.accountId, generatedAt);
  const ref = parseRawReportKey(rawKey)!;
  // Parse before anything is written: a bad file never reaches the lake.
  const ctx = { runId, accountName: req.accountName ?? null };
  let parsed = parseReport(ref, req.bytes, ctx);
  const wroteRaw = await store.put(rawKey, req.bytes, { ifAbsent: true, contentType: 'text/csv' });
  let evidence = evidenceOf(rawKey, req.bytes);
  if (!wroteRaw) {
    // The same report was imported or collected before: the raw copy already there stands.
    const existing = await store.get(rawKey);
    if (existing) {
      parsed = parseReport(ref, existing, ctx);
      evidence = evidenceOf(rawKey, existing);
    }
  }
  await writeCurated(store, [reportObject(ref, parsed)]);
  const durationMs = Math.round(performance.now() - clock);
  evidence = await withVersion(store, evidence);
  const outcome: AccountOutcome = {
    accountId: req.accountId,
    accountName: req.accountName ?? null,
    status: 'collected',
    reason: 'imported',
    message: [
      `imported from ${req.sourceName}`,
      generatedAtSource === 'newest_timestamp'
        ? 'report time guessed from the newest event in the file (no --generated-at)'
        : generatedAtSource === 'date_midnight'
          ? 'report time guessed as the snapshot date at 00:00Z (no --generated-at, no event in the file)'
          : '',
      reportNotes(parsed) ?? '',
    ]
      .filter(Boolean)
      .join('; '),
    attempts: 0,
    reportGeneratedAt: new Date(ref.generatedAt).toISOString(),
    reportTimeSource: generatedAtSource === 'given' ? 'given' : 'guessed',
    reportAgeHours: null,
    userCount: parsed.rows.length,
    durationMs,
    rawKey,
    runId,
    unknownColumns: parsed.unknownColumns.length ? parsed.unknownColumns : undefined,
    evidence: [evidence],
  };
  await writeOutcome(store, req.dt, outcome);
  const finishedAt = new Date().toISOString();
  await writeManifest(store, {
    runId,
    dt: req.dt,
    startedAt: new Date(started).toISOString(),
    finishedAt,
    interrupted: false,
    outcomes: [outcome],
    evidence: [evidence],
  });
  if (req.rebuildRunTable !== false) await writeCollectionRuns(store, req.dt);
  return {
    runId,
    rawKey,
    wroteRaw,
    rows: parsed.rows.length,
    generatedAt: ref.generatedAt,
    generatedAtSource,
    unknownColumns: parsed.unknownColumns,
    futureTimestamps: parsed.futureTimestamps,
    duplicateUsers: parsed.duplicateUsers,
    keysWithUnknownUse: parsed.keysWithUnknownUse,
    keysBeforeUseRecords: parsed.keysBeforeUseRecords,
    keyUseColumns: parsed.keyUseColumns,
    durationMs,
  };
}

/** Whether these exact bytes are already a raw report of the account on that day. */
export async function alreadyImported(
  store: ObjectStore,
  dt: string,
  accountId: string,
  bytes: Uint8Array,
): Promise<string | undefined> {
  const digest = sha256Of(bytes);
  for (const key of await store.list(rawReportPrefix(dt, accountId))) {
    const existing = await store.get(key);
    if (existing && existing.byteLength === bytes.byteLength && sha256Of(existing) === digest) return key;
  }
  return undefined;
}
