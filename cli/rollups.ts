// Keeps the findings_daily rollup in step with the curated tables: every command that changes a
// day's curated data (collect, run, import, transform) rewrites that day's rollup before it ends.
import type { ObjectStore } from '../lake/store.ts';
import { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { type RollupDay, writeDailyRollups } from '../queries/local-rollup.ts';

export async function refreshRollups(store: ObjectStore, dates: readonly string[]): Promise<RollupDay[]> {
  if (dates.length === 0) return [];
  const engine = await DuckDbEngine.openStore(store);
  try {
    return await writeDailyRollups(engine, store, dates);
  } finally {
    engine.close();
  }
}
