// Runs a saved query by name against an engine, with the snapshot date resolved first so a
// latest-snapshot query filters on a literal date and reads only that partition.

import { BENCHMARKS, type BenchmarkId, benchmarkValues, DEFAULT_BENCHMARK } from './catalog.ts';
import { type DuckDbEngine, type QueryResult, tablesIn } from './duckdb-engine.ts';
import { QueryInputError } from './errors.ts';
import { withFindingStatus } from './rollup.ts';
import { checkParams, loadQuerySql, type ParamValues, requireQuery, withParams } from './saved-query.ts';

export interface RunQueryOptions {
  /** Snapshot date; default the newest dt of collection_runs. */
  readonly date?: string;
  readonly params?: ParamValues;
  /** The benchmark whose thresholds and rules apply where the params do not say (default DEFAULT_BENCHMARK). */
  readonly benchmark?: BenchmarkId;
  /** For a check: each row with its owner and waiver status from the findings table (exports). */
  readonly findingStatus?: boolean;
}

/**
 * The benchmark a snapshot's findings were judged against, as its findings_daily rollup recorded
 * it; undefined when the snapshot has no rollup (or one written before benchmarks were recorded).
 */
export async function snapshotBenchmark(engine: DuckDbEngine, dt: string): Promise<BenchmarkId | undefined> {
  if (!(await engine.partitionDates('findings_daily')).includes(dt)) return undefined;
  await engine.useSnapshot(dt, ['findings_daily']);
  try {
    const { rows } = await engine.run(`SELECT DISTINCT benchmark FROM findings_daily WHERE dt = '${dt}'`);
    const found = rows.map((r) => r.benchmark).filter((b): b is string => typeof b === 'string');
    return found.length === 1 && found[0] in BENCHMARKS ? (found[0] as BenchmarkId) : undefined;
  } catch {
    // A rollup file from before the column existed.
    return undefined;
  }
}

/**
 * The benchmark a snapshot is judged by: the one asked for, else the one its rollup recorded, else
 * the default. Exports, the report and queries of a day agree with its counts this way.
 */
export async function judgingBenchmark(
  engine: DuckDbEngine,
  dt: string | undefined,
  asked?: BenchmarkId,
): Promise<BenchmarkId> {
  return asked ?? (dt ? await snapshotBenchmark(engine, dt) : undefined) ?? DEFAULT_BENCHMARK;
}

/** Snapshot dates: the dt partitions of collection_runs, read from the lake's folders. */
export async function snapshotDates(engine: DuckDbEngine): Promise<string[]> {
  return engine.partitionDates('collection_runs');
}

/** The snapshot a query reads: the date asked for (which must exist) or the newest. */
export async function resolveSnapshot(engine: DuckDbEngine, date?: string): Promise<string> {
  const dates = await snapshotDates(engine);
  if (dates.length === 0) {
    throw new QueryInputError(
      `the lake at ${engine.lakeName} has no collection runs yet: run credlake run, collect or import first`,
    );
  }
  if (date === undefined) return dates[dates.length - 1];
  if (!dates.includes(date)) {
    throw new QueryInputError(
      `no snapshot for ${date} in ${engine.lakeName}; snapshots: ${summarizeDates(dates)}`,
    );
  }
  return date;
}

/** A list of snapshot dates short enough for a message: all of them, or the first and last three. */
export function summarizeDates(dates: readonly string[]): string {
  return dates.length <= 6
    ? dates.join(', ')
    : `${dates.slice(0, 3).join(', ')}, ... ${dates.slice(-3).join(', ')}`;
}

/** The SQL that will run: the saved file with its parameters and snapshot date filled in. */
export async function prepareQuery(
  engine: DuckDbEngine,
  name: string,
  options: RunQueryOptions = {},
): Promise<string> {
  return (await prepared(engine, name, options)).sql;
}

/** The query, its SQL and the snapshot it reads (undefined for a query of every snapshot). */
async function prepared(engine: DuckDbEngine, name: string, options: RunQueryOptions) {
  const query = requireQuery(name);
  checkParams(query, options.params ?? {});
  const values: Record<string, string | number | boolean> = { ...options.params };
  let snapshot: string | undefined;
  if (query.params.some((p) => p.name === 'snapshot_dt')) {
    snapshot = await resolveSnapshot(engine, (values.snapshot_dt as string | undefined) ?? options.date);
    values.snapshot_dt = snapshot;
  }
  // A benchmark's values apply where the caller gave none: the one asked for, else the one the
  // snapshot's rollup was judged against, so a check's rows agree with the counts of its day.
  if (Object.keys(benchmarkValues(query, DEFAULT_BENCHMARK)).length > 0) {
    const benchmark = await judgingBenchmark(engine, snapshot, options.benchmark);
    for (const [name, value] of Object.entries(benchmarkValues(query, benchmark))) values[name] ??= value;
  }
  const sql = withParams(query, loadQuerySql(name), values);
  return { query, snapshot, sql };
}

export async function runSavedQuery(
  engine: DuckDbEngine,
  name: string,
  options: RunQueryOptions = {},
): Promise<QueryResult> {
  const { query, snapshot, sql: saved } = await prepared(engine, name, options);
  const sql =
    options.findingStatus && query.kind === 'check' && snapshot
      ? withFindingStatus(query, saved, snapshot)
      : saved;
  const tables = tablesIn(sql);
  if (query.latestSnapshot) await engine.useSnapshot(snapshot, tables);
  else if (query.previousSnapshot && snapshot)
    await engine.useSnapshots([snapshot, ...(await previousSnapshots(engine, snapshot))], tables);
  else await engine.useSnapshot(undefined, tables);
  return engine.run(sql);
}

/**
 * Each account's previous collected snapshot before `dt`, from collection_runs alone (one small
 * file per day), so a comparison of two snapshots reads the report partitions of those two only.
 */
export async function previousSnapshots(engine: DuckDbEngine, dt: string): Promise<string[]> {
  const { rows } = await engine.runOnTable(
    'collection_runs',
    `SELECT DISTINCT max(dt) AS previous_dt FROM t WHERE dt < '${dt}' AND status = 'collected' GROUP BY account_id`,
  );
  return rows.map((r) => String(r.previous_dt));
}

export interface NotEvaluated {
  readonly dt: string;
  /** Collected accounts the check could not judge (posture not read). */
  readonly collected: { accountId: string; accountName: string | null }[];
  /** Accounts without a collected report that day. */
  readonly notCollected: number;
}

/**
 * Where a compliance check could not run in a snapshot, from the findings_daily rollup (which
 * holds the rule): its rows there are not a pass. Undefined for summaries.
 */
export async function notEvaluated(
  engine: DuckDbEngine,
  name: string,
  date?: string,
): Promise<NotEvaluated | undefined> {
  if (requireQuery(name).kind !== 'check') return undefined;
  const dt = await resolveSnapshot(engine, date);
  await engine.useSnapshot(dt, ['findings_daily']);
  const { rows } = await engine.run(
    `SELECT account_id, account_name, status FROM findings_daily WHERE dt = '${dt}' AND check_name = '${name}' AND NOT evaluated ORDER BY account_id`,
  );
  return {
    dt,
    collected: rows
      .filter((r) => r.status === 'collected')
      .map((r) => ({
        accountId: String(r.account_id),
        accountName: (r.account_name as string | null) ?? null,
      })),
    notCollected: rows.filter((r) => r.status !== 'collected').length,
  };
}
