// The local rollup: findings_daily for each given snapshot, computed by DuckDB from the lake's
// curated tables with the same SQL the deployed pipeline gives Athena, written into the lake.
import { curatedKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';
import { dailyRollupSql, toRollupRows } from './rollup.ts';
import { loadQuerySql } from './saved-query.ts';

export interface RollupDay {
  readonly dt: string;
  readonly rows: number;
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
    const { rows } = await engine.run(dailyRollupSql(dt, loadQuerySql));
    const key = curatedKey('findings_daily', dt);
    const body = encodeParquet(TABLES.findings_daily, toRollupRows(rows));
    await store.put(key, body);
    await engine.noteWritten(key, body);
    out.push({ dt, rows: rows.length });
  }
  // The views were made before these files existed.
  await engine.refreshViews();
  return out;
}
