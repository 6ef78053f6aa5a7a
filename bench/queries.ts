// Queries: every saved query on a local lake holding a year of daily snapshots, timed, with the
// distinct files DuckDB's own file system log says it read, the files its views were scoped to, and the
// files of the newest partition. The year is built quickly: `credlake run --simulate` collects the
// last few days for real (reports, posture, privileges, rollup), and every earlier day is a hard
// link of one of those days, so a year of 1,000 accounts costs minutes and no extra disk.
import { execFile } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { LocalStore } from '../lake/local-store.ts';
import { S3Store } from '../lake/s3-store.ts';
import { CATALOG } from '../queries/catalog.ts';
import { DuckDbEngine, tablesIn } from '../queries/duckdb-engine.ts';
import { prepareQuery, runSavedQuery } from '../queries/run-query.ts';
import { addDays } from '../transforms/dates.ts';
import { TABLES } from '../transforms/schema.ts';
import { round } from './collection.ts';

export interface QueryFigure {
  ms: number;
  rows: number;
  /** Which snapshots the query reads: the newest, the newest and the previous, or all. */
  reads: 'latest' | 'latest_and_previous' | 'all';
  /** Distinct files DuckDB's file system log says the query read bytes of. */
  files_read: number;
  /** Files under the partitions the query's views were scoped to, over the tables it reads. */
  files_in_scope: number;
  /** Files in the newest partition of the tables it reads. */
  files_latest: number;
  /** The target for this query, and whether it was met. */
  target: string;
  met: boolean;
}

const BIN = join(import.meta.dirname, '..', 'bin', 'credlake.js');

export async function buildYearLake(
  accounts: number,
  days: number,
  log: (s: string) => void,
  collectedDays = 7,
): Promise<{ root: string; latest: string; collected_days: number }> {
  const root = await mkdtemp(join(tmpdir(), 'credlake-bench-year-'));
  const end = '2026-01-15';
  const started = performance.now();
  await promisify(execFile)(
    process.execPath,
    [
      BIN,
      'run',
      '--simulate',
      '--accounts',
      String(accounts),
      '--seed',
      '5',
      '--days',
      String(collectedDays),
    ].concat(['--date', end, '--lake', root, '--quiet']),
    { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, maxBuffer: 1 << 26 },
  ).catch((error: { code?: number; stderr?: string }) => {
    // Exit 1 means some simulated accounts failed: the lake is still complete for the bench.
    if (error.code !== 1) throw error;
  });
  const collected = Array.from({ length: collectedDays }, (_, i) => addDays(end, i + 1 - collectedDays));
  const collectSeconds = (performance.now() - started) / 1000;
  let links = 0;
  for (let i = 0; i < days - collectedDays; i++) {
    const dt = addDays(end, -collectedDays - i);
    const source = collected[i % collectedDays];
    for (const table of Object.keys(TABLES)) links += await linkPartition(root, table, source, dt);
  }
  log(
    `  collected ${collectedDays} days x ${accounts} accounts in ${collectSeconds.toFixed(0)} s, linked ${days - collectedDays} earlier days (${links} files) in ${((performance.now() - started) / 1000 - collectSeconds).toFixed(0)} s`,
  );
  return { root, latest: end, collected_days: collectedDays };
}

async function linkPartition(root: string, table: string, from: string, to: string): Promise<number> {
  const source = join(root, 'curated', table, `dt=${from}`);
  let n = 0;
  const entries = await readdir(source, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const target = join(root, 'curated', table, `dt=${to}`, path.slice(source.length + 1));
    await mkdir(dirname(target), { recursive: true });
    await link(path, target);
    n++;
  }
  return n;
}

export async function benchQueries(
  root: string,
  latest: string,
  days: number,
): Promise<Record<string, QueryFigure>> {
  const engine = await DuckDbEngine.open(root);
  const store = new LocalStore(root);
  const filesUnder = async (table: string, dates: readonly string[] | undefined) => {
    if (!dates) return (await store.list(`curated/${table}/`)).length;
    let n = 0;
    for (const dt of dates) n += (await store.list(`curated/${table}/dt=${dt}/`)).length;
    return n;
  };
  const out: Record<string, QueryFigure> = {};
  try {
    for (const query of CATALOG) {
      await runSavedQuery(engine, query.name, { date: latest });
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 2; i++) {
        const t = performance.now();
        rows = (await runSavedQuery(engine, query.name, { date: latest })).rows.length;
        times.push(performance.now() - t);
      }
      // The views stay scoped as the last run left them: log the same SQL's reads over them.
      const sql = await prepareQuery(engine, query.name, { date: latest });
      const tables = tablesIn(sql);
      const scope = engine.scopedDates;
      let inScope = 0;
      let newest = 0;
      for (const table of tables) {
        inScope += await filesUnder(table, scope);
        newest += await filesUnder(table, [latest]);
      }
      const reads = query.latestSnapshot ? 'latest' : query.previousSnapshot ? 'latest_and_previous' : 'all';
      const [target, met] =
        reads === 'latest'
          ? ['only the newest partition', inScope <= newest]
          : reads === 'latest_and_previous'
            ? ['only the two snapshots compared', (scope?.length ?? Infinity) <= 2]
            : query.name === 'findings_trend'
              ? [`at most one file per dt (${days})`, inScope <= days]
              : ['(all snapshots)', true];
      out[query.name] = {
        ms: round(Math.min(...times)),
        rows,
        reads,
        files_read: await engine.filesRead(sql),
        files_in_scope: inScope,
        files_latest: newest,
        target,
        met,
      };
    }
  } finally {
    engine.close();
  }
  return out;
}

/**
 * The same saved queries on an S3 lake (the S3 server on loopback, holding the year lake's last
 * week): bytes each query fetches on a fresh engine, beside the bytes of the whole curated zone.
 */
export async function benchS3Queries(
  root: string,
  latest: string,
  days = 7,
): Promise<{ curated_bytes: number; per_query_bytes: Record<string, number> }> {
  const { startS3Server } = await import('../test/helpers/s3-server.ts');
  const s3 = await startS3Server(['credlake-bench']);
  try {
    const local = new LocalStore(root);
    const remote = new S3Store(s3.client, 'credlake-bench', 'lake');
    const keep = new Set(Array.from({ length: days }, (_, i) => addDays(latest, -i)));
    let curated = 0;
    for (const key of await local.list('curated/')) {
      const dt = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
      if (dt && !keep.has(dt)) continue;
      const body = (await local.get(key))!;
      curated += body.byteLength;
      await remote.put(key, body);
    }
    const perQuery: Record<string, number> = {};
    for (const query of CATALOG) {
      const engine = await DuckDbEngine.openStore(remote);
      try {
        await runSavedQuery(engine, query.name, { date: latest });
        perQuery[query.name] = engine.bytesFetched;
      } finally {
        engine.close();
      }
    }
    return { curated_bytes: curated, per_query_bytes: perQuery };
  } finally {
    await s3.close();
  }
}
