import type { Command } from 'commander';
import { rawDates, rebuildDate } from '../../collector/rebuild.ts';
import { openStore } from '../../lake/open-store.ts';
import type { BenchmarkId } from '../../queries/catalog.ts';
import { ReportedFailure, UsageError } from '../errors.ts';
import { requireLake } from '../lake-check.ts';
import { withLakeLock } from '../lake-lock.ts';
import { benchmarkOption, LAKE_FLAG, parseDateOption } from '../options.ts';
import { refreshRollups } from '../rollups.ts';

export function registerTransform(program: Command): void {
  program
    .command('transform')
    .description('rebuild curated partitions from the raw zone (all dates unless --date)')
    .option(...LAKE_FLAG)
    .option('--date <YYYY-MM-DD>', 'only this snapshot date', parseDateOption)
    .addOption(benchmarkOption('judge the rebuilt findings against this benchmark'))
    .action(async (opts: { lake: string; date?: string; benchmark?: BenchmarkId }) => {
      const store = await openStore(opts.lake);
      requireLake(store);
      const known = await rawDates(store);
      if (known.length === 0) throw new UsageError(`nothing to transform: no raw data in ${store.location}`);
      if (opts.date && !known.includes(opts.date))
        throw new UsageError(
          `nothing to transform for ${opts.date}: no raw data for that date in ${store.location} (dates with raw data: ${known.join(', ')})`,
        );
      const failed = await withLakeLock(store, 'transform', async () => {
        const dates = opts.date ? [opts.date] : known;
        let failures = 0;
        for (const dt of dates) {
          const r = await rebuildDate(store, dt);
          process.stdout.write(
            `${dt}: ${r.reports} reports, ${r.rows} rows${r.failures.length ? `, ${r.failures.length} failed` : ''}${r.orphans.length ? `, ${r.orphans.length} orphaned` : ''}\n`,
          );
          for (const f of r.failures) process.stderr.write(`  ${f.accountId}: ${f.message}\n`);
          if (r.orphans.length)
            process.stderr.write(
              `  ${r.orphans.length} raw report(s) no run names (left by an interrupted run): kept as evidence, not used\n${r.orphans.map((k) => `    ${k}\n`).join('')}`,
            );
          failures += r.failures.length;
        }
        // The rollup is derived from the curated tables just rebuilt: never a second truth.
        const rollups = await refreshRollups(store, dates, opts.benchmark);
        process.stdout.write(
          `findings_daily: ${rollups.length} day(s) rebuilt from the curated tables (${rollups.reduce((n, r) => n + r.rows, 0)} rows)\n`,
        );
        return failures;
      });
      if (failed) throw new ReportedFailure(`${failed} report(s) could not be transformed (see above)`);
    });
}
