// Compaction: would one file per dt serve history questions over credential_report better than
// one file per dt and account? The year lake's credential_report is copied into a compacted
// layout by DuckDB, and the same history query (stale keys per day over the whole year) runs
// on both. Figures for docs/decisions/0003-compaction.md.
import { mkdir, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { globLiteral } from '../queries/duckdb-engine.ts';
import { round } from './collection.ts';

export interface CompactionFigures {
  days: number;
  files_per_account_layout: number;
  files_compacted: number;
  bytes_per_account_layout: number;
  bytes_compacted: number;
  compact_s: number;
  history_query_ms_per_account_layout: number;
  history_query_ms_compacted: number;
  speedup: number;
}

/** A question only history answers: active keys over 90 days old, per day, over every day kept. */
const HISTORY_SQL = (glob: string, hive: string) => `
  SELECT dt, count(*) AS stale_keys
  FROM read_parquet('${glob}', hive_partitioning = true, hive_types = {${hive}})
  WHERE (access_key_1_active AND access_key_1_age_days > 90) OR (access_key_2_active AND access_key_2_age_days > 90)
  GROUP BY dt ORDER BY dt`;

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

export async function benchCompaction(root: string, log: (s: string) => void): Promise<CompactionFigures> {
  const source = join(root, 'curated', 'credential_report');
  const target = await mkdtemp(join(tmpdir(), 'credlake-bench-compact-'));
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run("SET TimeZone = 'UTC'");
  const dates = (await readdir(source)).filter((d) => d.startsWith('dt=')).sort();
  const started = performance.now();
  for (const dt of dates) {
    await mkdir(join(target, dt), { recursive: true });
    const from = `${globLiteral(join(source, dt))}/*/*.parquet`;
    await connection.run(
      `COPY (SELECT * FROM read_parquet('${from}', hive_partitioning = true, hive_types = {'account_id': VARCHAR})) TO '${join(target, dt, 'data.parquet')}' (FORMAT parquet, COMPRESSION snappy)`,
    );
  }
  const compactS = (performance.now() - started) / 1000;
  const time = async (sql: string) => {
    await connection.run(sql); // warm the OS cache as for the other layout
    const t = performance.now();
    const rows = (await connection.runAndReadAll(sql)).getRows();
    return { ms: performance.now() - t, rows: rows.length };
  };
  const perAccount = await time(
    HISTORY_SQL(`${globLiteral(source)}/*/*/*.parquet`, `'dt': VARCHAR, 'account_id': VARCHAR`),
  );
  const compacted = await time(HISTORY_SQL(`${globLiteral(target)}/*/*.parquet`, `'dt': VARCHAR`));
  if (perAccount.rows !== compacted.rows) throw new Error('the two layouts disagree on the history query');
  const a = await sizeOf(source);
  const b = await sizeOf(target);
  connection.closeSync();
  log(
    `  ${a.files} files -> ${b.files} compacted in ${compactS.toFixed(0)} s; history query ${perAccount.ms.toFixed(0)} ms -> ${compacted.ms.toFixed(0)} ms`,
  );
  return {
    days: dates.length,
    files_per_account_layout: a.files,
    files_compacted: b.files,
    bytes_per_account_layout: a.bytes,
    bytes_compacted: b.bytes,
    compact_s: round(compactS),
    history_query_ms_per_account_layout: round(perAccount.ms),
    history_query_ms_compacted: round(compacted.ms),
    speedup: round(perAccount.ms / compacted.ms, 1),
  };
}
