import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildHtmlReport } from '../../dashboard/build-report.ts';
import { htmlReportKey } from '../../lake/keys.ts';
import { openStore } from '../../lake/open-store.ts';
import type { BenchmarkId } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { requireLake } from '../lake-check.ts';
import { benchmarkOption, LAKE_FLAG, parseDateOption } from '../options.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the dashboard as one self-contained HTML file (opens from disk, prints for auditors)')
    .option(...LAKE_FLAG)
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: the newest)', parseDateOption)
    .option(
      '--out <file.html>',
      'where to write it (default: reports/dt=.../credlake-report.html in the lake)',
    )
    .addOption(benchmarkOption("the benchmark whose control ids and thresholds the report's tables use"))
    .action(async (opts: { lake: string; date?: string; out?: string; benchmark?: BenchmarkId }) => {
      const store = await openStore(opts.lake);
      requireLake(store);
      const engine = await DuckDbEngine.openStore(store);
      try {
        const { dt, html } = await buildHtmlReport(engine, store.location, opts.date, opts.benchmark);
        if (opts.out) await writeFile(opts.out, html);
        else await store.put(htmlReportKey(dt), html, { contentType: 'text/html' });
        process.stdout.write(`${opts.out ?? `${store.location}/${htmlReportKey(dt)}`}\n`);
      } finally {
        engine.close();
      }
    });
}
