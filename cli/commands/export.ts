import type { Command } from 'commander';
import { exportKey, exportManifestKey, exportWorkbookKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { openStore } from '../../lake/open-store.ts';
import type { ObjectStore } from '../../lake/store.ts';
import { BENCHMARKS, type BenchmarkId, DEFAULT_BENCHMARK, queryLabels } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { exportSnapshot } from '../../queries/export.ts';
import { toCsv } from '../../queries/format.ts';
import { RESULT_COLUMNS } from '../../queries/result-columns.ts';
import { requireQuery } from '../../queries/saved-query.ts';
import { buildWorkbook, type WorkbookSheet } from '../../queries/workbook.ts';
import { type AthenaFlags, addEngineOptions, athenaClient, athenaTarget } from '../engine-options.ts';
import { UsageError } from '../errors.ts';
import { requireLake } from '../lake-check.ts';
import { benchmarkOption, LAKE_FLAG, parseDateOption } from '../options.ts';
import { exportSnapshotToSecurityHub, failIfRefused, securityHubSummary } from '../security-hub-export.ts';

interface ExportFlags extends AthenaFlags {
  to?: string;
  lake: string;
  date?: string;
  out?: string;
  exactCsv?: boolean;
  benchmark?: BenchmarkId;
}

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description('write every compliance query of a snapshot as CSV, with a manifest of row counts')
    .option(...LAKE_FLAG)
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: the newest)', parseDateOption)
    .option('--out <dir>', 'write into this folder instead of the lake')
    .option(
      '--exact-csv',
      'write every value exactly, even one a spreadsheet would run as a formula (for machines)',
    )
    .option(
      '--to <destination>',
      "security-hub: import the snapshot's findings into Security Hub (the account and --region of your credentials) instead of writing files",
    )
    .addOption(benchmarkOption('the benchmark whose thresholds and control ids the exports use'));
  addEngineOptions(command).action(async (opts: ExportFlags) => {
    if (opts.to !== undefined) {
      if (opts.to !== 'security-hub')
        throw new UsageError(`--to takes security-hub, got ${JSON.stringify(opts.to)}`);
      if (opts.out || opts.engine === 'athena')
        throw new UsageError(
          '--to security-hub reads the lake with DuckDB: leave out --out and --engine athena',
        );
      const source = await openStore(opts.lake);
      requireLake(source);
      const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
      const result = await exportSnapshotToSecurityHub(source, region, opts.date, opts.benchmark);
      process.stdout.write(securityHubSummary(result));
      failIfRefused(result);
      return;
    }
    const target: ObjectStore = opts.out ? new LocalStore(opts.out) : await openStore(opts.lake);
    if (opts.engine === 'athena') {
      if (!opts.out)
        throw new UsageError(
          '--engine athena writes to a folder: give --out DIR (the deployed pipeline exports into its own bucket)',
        );
      await exportFromAthena(opts, target);
      return;
    }
    const source = await openStore(opts.lake);
    requireLake(source);
    const engine = await DuckDbEngine.openStore(source);
    try {
      const manifest = await exportSnapshot(
        engine,
        target,
        opts.date,
        { exact: opts.exactCsv },
        opts.benchmark,
      );
      for (const q of manifest.queries)
        process.stdout.write(`${String(q.rows).padStart(7)}  ${target.location}/${q.key}\n`);
      process.stdout.write(`${'workbook'.padStart(7)}  ${target.location}/${manifest.workbook}\n`);
      process.stdout.write(
        `exported ${manifest.queries.length} queries of snapshot ${manifest.dt}, judged against ${manifest.benchmarkTitle}\n`,
      );
    } finally {
      engine.close();
    }
  });
}

async function exportFromAthena(opts: ExportFlags, target: ObjectStore): Promise<void> {
  const benchmark = opts.benchmark ?? DEFAULT_BENCHMARK;
  const { runExportsOnAthena } = await import('../../queries/athena/run.ts');
  const runs = await runExportsOnAthena(await athenaClient(opts), athenaTarget(opts), opts.date, benchmark);
  const dt =
    opts.date ?? String(runs.find((r) => r.run.result.rows.length)?.run.result.rows[0].dt ?? 'latest');
  const queries = [];
  const sheets: WorkbookSheet[] = [];
  for (const { name, run } of runs) {
    const key = exportKey(name, dt);
    const types = new Map(RESULT_COLUMNS[name] ?? []);
    await target.put(key, toCsv(run.result, { exact: opts.exactCsv, types }), { contentType: 'text/csv' });
    sheets.push({ query: requireQuery(name), result: run.result });
    queries.push({
      name,
      ...queryLabels(requireQuery(name), benchmark),
      rows: run.result.rows.length,
      key,
      queryExecutionId: run.queryExecutionId,
      bytesScanned: run.bytesScanned,
    });
    process.stdout.write(
      `${String(run.result.rows.length).padStart(7)}  ${target.location}/${key}  (${run.bytesScanned} bytes scanned)\n`,
    );
  }
  const exportedAt = new Date().toISOString();
  const workbook = exportWorkbookKey(dt);
  await target.put(
    workbook,
    await buildWorkbook(sheets, { dt, exportedAt, lake: target.location, benchmark }),
  );
  await target.put(
    exportManifestKey(dt),
    `${JSON.stringify({ dt, exportedAt, engine: 'athena', benchmark, benchmarkTitle: BENCHMARKS[benchmark].title, queries, workbook }, null, 2)}\n`,
  );
  process.stdout.write(`${'workbook'.padStart(7)}  ${target.location}/${workbook}\n`);
  process.stdout.write(`exported ${queries.length} queries of snapshot ${dt} from Athena\n`);
}
