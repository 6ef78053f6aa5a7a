// Keeps the findings_daily rollup in step with the curated tables: every command that changes a
// day's curated data (collect, run, import, transform) rewrites that day's rollup before it ends.
import { ConfigError, parsed } from '../common/env.ts';
import { ENV } from '../common/env-names.ts';
import type { ObjectStore } from '../lake/store.ts';
import { DEFAULT_OWNER_TAGS, parseOwnerTags } from '../queries/annotate.ts';
import { type BenchmarkId, DEFAULT_BENCHMARK, parseBenchmark } from '../queries/catalog.ts';
import { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { type RollupDay, writeDailyRollups } from '../queries/local-rollup.ts';
import { UsageError } from './errors.ts';

export async function refreshRollups(
  store: ObjectStore,
  dates: readonly string[],
  benchmark: BenchmarkId = benchmarkFromEnv(),
): Promise<RollupDay[]> {
  if (dates.length === 0) return [];
  const engine = await DuckDbEngine.openStore(store);
  try {
    return await writeDailyRollups(engine, store, dates, { ownerTags: ownerTags(), benchmark });
  } finally {
    engine.close();
  }
}

/** The benchmark from CREDLAKE_BENCHMARK (the deployed setting's variable) or the default. */
export function benchmarkFromEnv(env: NodeJS.ProcessEnv = process.env): BenchmarkId {
  return fromEnv(() => parsed(ENV.benchmark, (v) => parseBenchmark(v.trim()), DEFAULT_BENCHMARK, env));
}

/** The owner tag keys, from CREDLAKE_OWNER_TAGS (the deployed setting's variable) or the default. */
export function ownerTags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return fromEnv(() => parsed(ENV.ownerTags, parseOwnerTags, DEFAULT_OWNER_TAGS, env));
}

/** The environment read as the Lambdas read it; a bad value is a usage error on the command line. */
function fromEnv<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
