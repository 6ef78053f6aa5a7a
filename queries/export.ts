// Writes every exported query of a snapshot as CSV, plus a manifest with row counts, into the
// lake (`exports/<query>/dt=.../<query>.csv`) or into a folder.
import { exportKey, exportManifestKey, exportWorkbookKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { BENCHMARKS, type BenchmarkId, EXPORTED_QUERIES, queryLabels } from './catalog.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';
import { type CsvOptions, toCsv } from './format.ts';
import { RESULT_COLUMNS } from './result-columns.ts';
import { judgingBenchmark, resolveSnapshot, runSavedQuery } from './run-query.ts';
import { buildWorkbook, type WorkbookSheet } from './workbook.ts';

export interface ExportManifest {
  readonly dt: string;
  readonly exportedAt: string;
  readonly engine: string;
  /** The benchmark every check was judged against, and its full name. */
  readonly benchmark: BenchmarkId;
  readonly benchmarkTitle: string;
  /** Each query with its severity and control ids, so an auditor's copy says what it checks. */
  readonly queries: (ReturnType<typeof queryLabels> & { name: string; rows: number; key: string })[];
  /** Every query of the day in one Excel workbook (typed cells, a summary sheet). */
  readonly workbook: string;
}

export async function exportSnapshot(
  engine: DuckDbEngine,
  target: ObjectStore,
  date?: string,
  csv: CsvOptions = {},
  asked?: BenchmarkId,
): Promise<ExportManifest> {
  const dt = await resolveSnapshot(engine, date);
  // Labelled and judged by the benchmark the snapshot's findings were judged against, unless asked.
  const benchmark = await judgingBenchmark(engine, dt, asked);
  const queries: ExportManifest['queries'] = [];
  const sheets: WorkbookSheet[] = [];
  for (const query of EXPORTED_QUERIES) {
    const result = await runSavedQuery(engine, query.name, { date: dt, findingStatus: true, benchmark });
    const key = exportKey(query.name, dt);
    const types = new Map(RESULT_COLUMNS[query.name] ?? []);
    await target.put(key, toCsv(result, { ...csv, types }), { contentType: 'text/csv' });
    queries.push({ name: query.name, ...queryLabels(query, benchmark), rows: result.rows.length, key });
    sheets.push({ query, result });
  }
  const exportedAt = new Date().toISOString();
  const workbook = exportWorkbookKey(dt);
  await target.put(
    workbook,
    await buildWorkbook(sheets, { dt, exportedAt, lake: engine.lakeName, benchmark }),
    {
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    },
  );
  const manifest: ExportManifest = {
    dt,
    exportedAt,
    engine: 'duckdb',
    benchmark,
    benchmarkTitle: BENCHMARKS[benchmark].title,
    queries,
    workbook,
  };
  await target.put(exportManifestKey(dt), `${JSON.stringify(manifest, null, 2)}\n`, {
    contentType: 'application/json',
  });
  return manifest;
}
