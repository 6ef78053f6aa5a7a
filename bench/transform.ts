// Transform: credential report CSV files to Parquet, ours (parse, normalize, parquet-wasm) against
// DuckDB's own read_csv + COPY ... (FORMAT parquet) on the same files in the same run.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateOrg } from '../simulator/generate.ts';
import { renderReport } from '../simulator/report-csv.ts';
import { parseCredentialReport } from '../transforms/credential-report.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import { round } from './collection.ts';

export interface TransformFigures {
  files: number;
  rows: number;
  ms: number;
  rows_per_s: number;
  duckdb_ms: number;
  ratio_to_duckdb: number;
}

export async function benchTransform(accounts: number, log: (s: string) => void): Promise<TransformFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'credlake-bench-transform-'));
  const org = generateOrg({ accounts, seed: 7, startDate: '2026-01-15' });
  const files: { path: string; accountId: string }[] = [];
  for (const account of org.accounts) {
    const path = join(dir, `${account.id}.csv`);
    await writeFile(path, renderReport(account));
    files.push({ path, accountId: account.id });
  }
  const generatedAt = Date.parse('2026-01-15T06:00:00Z');
  const ours = async () => {
    let rows = 0;
    const started = performance.now();
    for (const f of files) {
      const parsed = parseCredentialReport(new Uint8Array(await readFile(f.path)), {
        accountId: f.accountId,
        accountName: null,
        runId: 'bench',
        generatedAt,
      });
      await writeFile(`${f.path}.ours.parquet`, encodeParquet(TABLES.credential_report, parsed.rows));
      rows += parsed.rows.length;
    }
    return { ms: performance.now() - started, rows };
  };
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const duck = async () => {
    const started = performance.now();
    for (const f of files) {
      await conn.run(
        `COPY (SELECT * FROM read_csv('${f.path}', header = true)) TO '${f.path}.duckdb.parquet' (FORMAT parquet, COMPRESSION snappy)`,
      );
    }
    return performance.now() - started;
  };
  // One warm-up each, then the better of three, alternating so drift hits both alike.
  await ours();
  await duck();
  let best = { ms: Number.POSITIVE_INFINITY, rows: 0 };
  let bestDuck = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const o = await ours();
    if (o.ms < best.ms) best = o;
    bestDuck = Math.min(bestDuck, await duck());
  }
  conn.closeSync();
  log(
    `  ${best.rows} rows in ${files.length} files: credlake ${best.ms.toFixed(0)} ms, DuckDB ${bestDuck.toFixed(0)} ms`,
  );
  return {
    files: files.length,
    rows: best.rows,
    ms: round(best.ms),
    rows_per_s: Math.round(best.rows / (best.ms / 1000)),
    duckdb_ms: round(bestDuck),
    ratio_to_duckdb: round(best.ms / bestDuck, 2),
  };
}
