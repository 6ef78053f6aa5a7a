// Keeps the findings_daily rollup in step with the curated tables: every command that changes a
// day's curated data (collect, run, import, transform) rewrites that day's rollup before it ends.
import { ConfigError, parsed } from '../common/env.ts';
import { ENV } from '../common/env-names.ts';
import type { ObjectStore } from '../lake/store.ts';
import { DEFAULT_OWNER_TAGS, parseOwnerTags } from '../queries/annotate.ts';
import type { BenchmarkId } from '../queries/catalog.ts';
import { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { type RollupDay, writeDailyRollups } from '../queries/local-rollup.ts';
import { UsageError } from './errors.ts';

export async function refreshRollups(
  store: ObjectStore,
  dates: readonly string[],
  /** From --benchmark (or CREDLAKE_BENCHMARK, which the flag reads); default DEFAULT_BENCHMARK. */
  benchmark?: BenchmarkId,
): Promise<RollupDay[]> {
  if (dates.length === 0) return [];
  const engine = await DuckDbEngine.openStore(store);
  try {
    return await writeDailyRollups(engine, store, dates, { ownerTags: ownerTags(), benchmark });
  } finally {
    engine.close();
  }
}

/**
 * The owner tag keys, from CREDLAKE_OWNER_TAGS (the deployed setting's variable) or the default,
 * read as the Lambdas read it; a bad value is a usage error on the command line.
 */
export function ownerTags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  try {
    return parsed(ENV.ownerTags, parseOwnerTags, DEFAULT_OWNER_TAGS, env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
