// Queries: every saved query on a local lake holding a year of daily snapshots, timed, and for
// latest-snapshot queries the Parquet files DuckDB's own profile says were read.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseRawReport,
  writeAccounts,
  writeCollectionRuns,
  writeCuratedReport,
} from '../collector/curate.ts';
import { writeOutcome } from '../collector/journal.ts';
import { parseRawReportKey, rawAccountsKey, rawReportKey } from '../lake/keys.ts';
import { LocalStore } from '../lake/local-store.ts';
import { S3Store } from '../lake/s3-store.ts';
import { CATALOG } from '../queries/catalog.ts';
import { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { prepareQuery, runSavedQuery } from '../queries/run-query.ts';
import { renderReport } from '../simulator/report-csv.ts';
import { Simulator } from '../simulator/simulator.ts';
import { addDays } from '../transforms/dates.ts';
import { TABLES } from '../transforms/schema.ts';
import { round } from './collection.ts';

export interface QueryFigure {
  ms: number;
  rows: number;
  latest_snapshot: boolean;
  files_read?: number;
  files_latest?: number;
}

export async function buildYearLake(
  accounts: number,
  days: number,
  log: (s: string) => void,
): Promise<{ root: string; latest: string }> {
  const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-bench-year-')));
  const end = '2026-01-15';
  const start = addDays(end, 1 - days);
  const sim = new Simulator({ accounts, seed: 5, date: start });
  const started = performance.now();
  for (let i = 0; i < days; i++) {
    const dt = addDays(start, i);
    sim.advanceTo(dt);
    const at = Date.parse(`${dt}T06:00:00Z`);
    const runId = `bench-${dt}`;
    for (const account of sim.org.accounts) {
      const outcome = {
        accountId: account.id,
        accountName: account.name,
        runId,
        attempts: 1,
        durationMs: 1,
        reportAgeHours: 0,
        reportGeneratedAt: new Date(at).toISOString(),
      };
      if (account.state !== 'ACTIVE') {
        await writeOutcome(store, dt, {
          ...outcome,
          status: 'skipped',
          reason: 'not_active',
          message: null,
          userCount: null,
          rawKey: null,
          reportGeneratedAt: null,
        });
        continue;
      }
      const ref = parseRawReportKey(rawReportKey(dt, account.id, at))!;
      const parsed = parseRawReport(ref, new TextEncoder().encode(renderReport(account)), {
        runId,
        accountName: account.name,
      });
      await writeCuratedReport(store, ref, parsed);
      await writeOutcome(store, dt, {
        ...outcome,
        status: 'collected',
        reason: null,
        message: null,
        userCount: parsed.rows.length,
        rawKey: ref.key,
      });
    }
    await store.put(
      rawAccountsKey(dt),
      JSON.stringify({
        dt,
        takenAt: new Date(at).toISOString(),
        organizationId: sim.org.id,
        source: 'organizations',
        accounts: sim.org.accounts.map((a) => ({
          accountId: a.id,
          name: a.name,
          email: a.email,
          state: a.state,
          ouPath: a.ouPath,
          joinedAt: new Date(a.joinedAt).toISOString(),
        })),
      }),
    );
    await writeAccounts(store, dt);
    await writeCollectionRuns(store, dt);
  }
  log(
    `  built a lake of ${days} daily snapshots x ${accounts} accounts in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  return { root: store.root, latest: end };
}

export async function benchQueries(root: string, latest: string): Promise<Record<string, QueryFigure>> {
  const engine = await DuckDbEngine.open(root);
  const store = new LocalStore(root);
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
      // Files read with the views over every snapshot: DuckDB's own partition pruning.
      const sql = await prepareQuery(engine, query.name, { date: latest });
      await engine.useSnapshot(undefined);
      const figure: QueryFigure = {
        ms: round(Math.min(...times)),
        rows,
        latest_snapshot: query.latestSnapshot,
      };
      if (query.latestSnapshot) {
        figure.files_read = await engine.filesRead(sql);
        // Files in the newest partition of every table the query reads.
        let files = 0;
        for (const table of Object.values(TABLES)) {
          if (new RegExp(`\\b(FROM|JOIN)\\s+${table.name}\\b`).test(sql)) {
            files += (await store.list(`curated/${table.name}/dt=${latest}/`)).length;
          }
        }
        figure.files_latest = files;
      }
      out[query.name] = figure;
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
