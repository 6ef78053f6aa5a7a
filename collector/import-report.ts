// `credlake import`: bring a credential report obtained elsewhere (a CSV archive, a download
// from the console) into the lake as if a run had collected it.

import { writeCurated } from '../curation/curated-object.ts';
import { curateReport, guessReportTime, notesLine, type ReportNote } from '../curation/report.ts';
import { rawReportPrefix } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { sha256Of, storeRawReport } from './evidence.ts';
import { writeManifest, writeOutcome } from './journal.ts';
import { type AccountOutcome, newRunId } from './outcome.ts';
import { writeCollectionRuns } from './write-day-tables.ts';

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
  /** What the report holds that its reader should know (curation/report.ts says it). */
  readonly notes: readonly ReportNote[];
  readonly durationMs: number;
}

export async function importReport(store: ObjectStore, req: ImportRequest): Promise<ImportResult> {
  const started = req.now ?? Date.now();
  const clock = performance.now();
  const runId = `import-${newRunId(started)}`;
  let generatedAt = req.generatedAt;
  let generatedAtSource: ImportResult['generatedAtSource'] = 'given';
  if (generatedAt === undefined) {
    const guess = guessReportTime(req.bytes, req.accountId, req.dt);
    generatedAt = guess.generatedAt;
    generatedAtSource = guess.source;
  }
  const identity = { dt: req.dt, accountId: req.accountId, generatedAt };
  // Curate before anything is written: a bad file never reaches the lake.
  const ctx = { runId, accountName: req.accountName ?? null };
  const curate = (bytes: Uint8Array) => {
    const curated = curateReport(identity, bytes, ctx);
    if (!curated.ok) throw curated.rejection;
    return curated;
  };
  let curated = curate(req.bytes);
  const stored = await storeRawReport(store, identity, req.bytes, 'import');
  // The same report imported or collected before: the raw copy already there is what stands.
  if (stored.bytes !== req.bytes) curated = curate(stored.bytes);
  await writeCurated(store, [curated.object]);
  const { parsed } = curated;
  const rawKey = stored.ref.key;
  const durationMs = Math.round(performance.now() - clock);
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
      notesLine(curated.notes) ?? '',
    ]
      .filter(Boolean)
      .join('; '),
    attempts: 0,
    reportGeneratedAt: new Date(generatedAt).toISOString(),
    reportTimeSource: generatedAtSource === 'given' ? 'given' : 'guessed',
    reportAgeHours: null,
    userCount: parsed.rows.length,
    durationMs,
    rawKey,
    runId,
    unknownColumns: parsed.unknownColumns.length ? parsed.unknownColumns : undefined,
    evidence: [stored.record],
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
    evidence: [stored.record],
  });
  if (req.rebuildRunTable !== false) await writeCollectionRuns(store, req.dt);
  return {
    runId,
    rawKey,
    wroteRaw: stored.wrote,
    rows: parsed.rows.length,
    generatedAt,
    generatedAtSource,
    notes: curated.notes,
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
