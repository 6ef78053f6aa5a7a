// The local derived tables: findings and findings_daily for each given snapshot, computed by
// DuckDB from the lake's curated tables with the same SQL the deployed pipeline gives Athena.
import { curatedKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';
import { dailyFindingsSql, dailyRollupSql, toTableRows } from './rollup.ts';
import { loadQuerySql } from './saved-query.ts';

export interface RollupDay {
  readonly dt: string;
  /** Rows of findings_daily (accounts x checks). */
  readonly rows: number;
  /** Rows of findings. */
  readonly findings: number;
}

/** Writes the rollup of each date (one Parquet file per dt, replaced whole). */
export async function writeDailyRollups(
  engine: DuckDbEngine,
  store: ObjectStore,
  dates: readonly string[],
): Promise<RollupDay[]> {
  const out: RollupDay[] = [];
  for (const dt of [...new Set(dates)].sort()) {
    await engine.useSnapshot(dt);
    const found = await engine.run(dailyFindingsSql(dt, loadQuerySql));
    await write(engine, store, 'findings', dt, toTableRows('findings', found.rows));
    // The rollup counts from the findings just written: its view must see that file.
    await engine.useSnapshot(dt, ['findings']);
    const { rows } = await engine.run(dailyRollupSql(dt));
    await write(engine, store, 'findings_daily', dt, toTableRows('findings_daily', rows));
    out.push({ dt, rows: rows.length, findings: found.rows.length });
  }
  return out;
}

async function write(
  engine: DuckDbEngine,
  store: ObjectStore,
  table: 'findings' | 'findings_daily',
  dt: string,
  rows: ReturnType<typeof toTableRows>,
): Promise<void> {
  const key = curatedKey(table, dt);
  const body = encodeParquet(TABLES[table], rows);
  await store.put(key, body);
  await engine.noteWritten(key, body);
}
