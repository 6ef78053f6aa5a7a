// `credlake import FOLDER|s3://bucket/prefix`: the archives other tools leave, brought in whole.
// Each file's account and date come from its path, in the layouts the common public solutions
// write: `<date>/credentialReport_<account>.csv`, `<date>/<account>/<any>.csv` (and `dt=<date>`).
// Every file ends as imported, skipped (the same bytes are in the lake) or refused, with why.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { alreadyImported, importReport } from '../collector/import-report.ts';
import { writeCollectionRuns } from '../collector/write-day-tables.ts';
import { openStore } from '../lake/open-store.ts';
import type { ObjectStore } from '../lake/store.ts';
import type { BenchmarkId } from '../queries/catalog.ts';
import { MalformedReportError } from '../transforms/errors.ts';
import { createProgress } from './progress.ts';
import { refreshRollups } from './rollups.ts';

export interface ArchiveFile {
  /** Where the file is, relative to the archive root, with `/` separators. */
  readonly path: string;
  read(): Promise<Uint8Array>;
}

export interface FileResult {
  readonly path: string;
  readonly status: 'imported' | 'skipped' | 'refused';
  readonly detail: string;
}

const DATE = /^(?:dt=)?(\d{4}-\d{2}-\d{2})$/;
const ACCOUNT_IN_NAME = /(?:^|[^0-9])(\d{12})(?:[^0-9]|$)/;

/** The account and date a file's path names, or why it names none. */
export function locate(path: string): { dt: string; accountId: string } | { problem: string } {
  const parts = path.split('/');
  const name = parts[parts.length - 1];
  const dates = parts
    .slice(0, -1)
    .map((p) => DATE.exec(p)?.[1])
    .filter((d): d is string => !!d);
  if (dates.length !== 1)
    return { problem: 'no folder named for a date (YYYY-MM-DD or dt=YYYY-MM-DD) above the file' };
  const fromName = ACCOUNT_IN_NAME.exec(name)?.[1];
  const parent = parts[parts.length - 2] ?? '';
  const fromFolder = /^(?:account_id=)?(\d{12})$/.exec(parent)?.[1];
  const accountId = fromName ?? fromFolder;
  if (!accountId)
    return {
      problem: 'no 12-digit account id in the file name (credentialReport_<account>.csv) or its folder',
    };
  return { dt: dates[0], accountId };
}

export async function listArchive(location: string): Promise<ArchiveFile[]> {
  if (/^s3:\/\//.test(location)) {
    const store = await openStore(location);
    return (await store.list(''))
      .filter((k) => k.toLowerCase().endsWith('.csv'))
      .map((key) => ({ path: key, read: async () => (await store.get(key)) ?? new Uint8Array() }));
  }
  const entries = await readdir(location, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.csv'))
    .map((e) => {
      const full = join(e.parentPath, e.name);
      return {
        path: relative(location, full).split(sep).join('/'),
        read: async () => new Uint8Array(await readFile(full)),
      };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

export async function importArchive(
  files: ArchiveFile[],
  store: ObjectStore,
  options: { quiet?: boolean; onFile?: (r: FileResult) => void; benchmark?: BenchmarkId } = {},
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  const progress = createProgress(process.stderr, options.quiet);
  const touched = new Set<string>();
  const record = (r: FileResult) => {
    results.push(r);
    options.onFile?.(r);
    progress.update({
      total: files.length,
      done: results.length,
      failed: results.filter((x) => x.status === 'refused').length,
      inFlight: 0,
    });
  };
  for (const file of files) {
    const where = locate(file.path);
    if ('problem' in where) {
      record({ path: file.path, status: 'refused', detail: where.problem });
      continue;
    }
    const bytes = await file.read();
    const existing = await alreadyImported(store, where.dt, where.accountId, bytes);
    if (existing) {
      record({ path: file.path, status: 'skipped', detail: `already in the lake as ${existing}` });
      continue;
    }
    try {
      const r = await importReport(store, {
        bytes,
        accountId: where.accountId,
        dt: where.dt,
        sourceName: file.path,
        rebuildRunTable: false,
      });
      touched.add(where.dt);
      const guessed = r.generatedAtSource === 'given' ? '' : ', report time guessed';
      record({
        path: file.path,
        status: 'imported',
        detail: `account ${where.accountId}, ${where.dt}: ${r.rows} rows${guessed}`,
      });
    } catch (error) {
      if (!(error instanceof MalformedReportError)) throw error;
      record({ path: file.path, status: 'refused', detail: error.message });
    }
  }
  progress.finish();
  for (const dt of [...touched].sort()) await writeCollectionRuns(store, dt);
  await refreshRollups(store, [...touched], options.benchmark);
  return results;
}
