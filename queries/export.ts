// Writes every exported query of a snapshot as CSV, plus a manifest with row counts, into the
// lake (`exports/<query>/dt=.../<query>.csv`) or into a folder.
import { exportKey, exportManifestKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { EXPORTED_QUERIES, queryLabels } from './catalog.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';
import { type CsvOptions, toCsv } from './format.ts';
import { resolveSnapshot, runSavedQuery } from './run-query.ts';

export interface ExportManifest {
  readonly dt: string;
  readonly exportedAt: string;
  readonly engine: string;
  /** Each query with its severity and control ids, so an auditor's copy says what it checks. */
  readonly queries: (ReturnType<typeof queryLabels> & { name: string; rows: number; key: string })[];
}

export async function exportSnapshot(
  engine: DuckDbEngine,
  target: ObjectStore,
  date?: string,
  csv: CsvOptions = {},
): Promise<ExportManifest> {
  const dt = await resolveSnapshot(engine, date);
  const queries: ExportManifest['queries'] = [];
  for (const query of EXPORTED_QUERIES) {
    const result = await runSavedQuery(engine, query.name, { date: dt });
    const key = exportKey(query.name, dt);
    await target.put(key, toCsv(result, csv), { contentType: 'text/csv' });
    queries.push({ name: query.name, ...queryLabels(query), rows: result.rows.length, key });
  }
  const manifest: ExportManifest = { dt, exportedAt: new Date().toISOString(), engine: 'duckdb', queries };
  await target.put(exportManifestKey(dt), `${JSON.stringify(manifest, null, 2)}\n`, {
    contentType: 'application/json',
  });
  return manifest;
}
