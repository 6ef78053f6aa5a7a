// The local derived tables: findings and findings_daily for each given snapshot, computed by
// DuckDB from the lake's curated tables with the same SQL the deployed pipeline gives Athena.
import { curatedKey, curatedPrefix } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import { DEFAULT_OWNER_TAGS, waiverTableRows } from './annotate.ts';
import { type BenchmarkId, DEFAULT_BENCHMARK } from './catalog.ts';
import { type DuckDbEngine, tablesIn } from './duckdb-engine.ts';
import { dailyRollupSql, findingsTableSql, toTableRows, typedTableSql } from './rollup.ts';
import { benchmarkSqlOf } from './saved-query.ts';
import { applyLakeWaivers } from './waivers-source.ts';

export interface RollupDay {
  readonly dt: string;
  /** Rows of findings_daily (accounts x checks). */
  readonly rows: number;
  /** Rows of findings. */
  readonly findings: number;
  /** Of those, covered by a waiver in force. */
  readonly waived: number;
  /** The stored waivers file applied; undefined when the lake has none. */
  readonly waiversKey?: string;
}

export interface RollupOptions {
  /** Tag keys naming a finding's owner, first found wins (default owner, team). */
  readonly ownerTags?: readonly string[];
  /** The benchmark the checks are judged against (default DEFAULT_BENCHMARK). */
  readonly benchmark?: BenchmarkId;
}

/** Writes the rollup of each date (one Parquet file per dt, the partition replaced whole). */
export async function writeDailyRollups(
  engine: DuckDbEngine,
  store: ObjectStore,
  dates: readonly string[],
  options: RollupOptions = {},
): Promise<RollupDay[]> {
  const out: RollupDay[] = [];
  const ownerTags = options.ownerTags ?? DEFAULT_OWNER_TAGS;
  const benchmark = options.benchmark ?? DEFAULT_BENCHMARK;
  for (const dt of [...new Set(dates)].sort()) {
    const applied = await applyLakeWaivers(store, dt);
    const sql = findingsTableSql(dt, benchmarkSqlOf(benchmark), ownerTags, applied);
    // The day's tables the checks read, each read once into memory: every check reads them again.
    await engine.useSnapshot(dt, tablesIn(sql), { materialize: true });
    const found = await engine.run(sql);
    const matched = new Map<string, number>();
    for (const f of found.rows)
      if (f.waiver_id !== null) matched.set(String(f.waiver_id), (matched.get(String(f.waiver_id)) ?? 0) + 1);
    await write(engine, store, 'findings', dt, toTableRows('findings', found.rows));
    await write(engine, store, 'waivers', dt, toTableRows('waivers', waiverTableRows(applied, dt, matched)));
    // The rollup counts from the findings just written: its view must see that file.
    const rollupSql = typedTableSql('findings_daily', dailyRollupSql(dt, benchmark), [
      'account_id',
      'check_name',
    ]);
    await engine.useSnapshot(dt, tablesIn(rollupSql));
    const { rows } = await engine.run(rollupSql);
    await write(engine, store, 'findings_daily', dt, toTableRows('findings_daily', rows));
    out.push({
      dt,
      rows: rows.length,
      findings: found.rows.length,
      waived: found.rows.filter((f) => f.waiver_status === 'waived').length,
      waiversKey: applied?.key,
    });
  }
  return out;
}

async function write(
  engine: DuckDbEngine,
  store: ObjectStore,
  table: 'findings' | 'findings_daily' | 'waivers',
  dt: string,
  rows: ReturnType<typeof toTableRows>,
): Promise<void> {
  const key = curatedKey(table, dt);
  const body = encodeParquet(TABLES[table], rows);
  await store.put(key, body);
  await engine.noteWritten(key, body);
  // The partition is this file alone: what a deployed run's Athena wrote there (or any other
  // earlier file) would count every finding twice.
  for (const other of await store.list(curatedPrefix(table, dt)))
    if (other !== key) {
      await store.delete(other);
      await engine.noteDeleted(other);
    }
}
