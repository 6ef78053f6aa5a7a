// `credlake verify`: the chain of custody of a lake, for an auditor. Every raw object a run
// recorded is there with the size and SHA-256 the run wrote down, every raw object is recorded by
// a run, and every curated partition holds the rows of the raw report its run names.
import type { Command } from 'commander';
import { datesIn, RUNS_ZONE } from '../../lake/keys.ts';
import { openStore } from '../../lake/open-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { summarizeDates } from '../../queries/run-query.ts';
import { ReportedFailure, UsageError } from '../errors.ts';
import { requireLake } from '../lake-check.ts';
import { LAKE_FLAG, parseDateOption } from '../options.ts';
import { verifyDay } from '../verify-lake.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'check the chain of custody: raw evidence against the run manifests, curated data against raw',
    )
    .option(...LAKE_FLAG)
    .option('--date <YYYY-MM-DD>', 'only this snapshot date', parseDateOption)
    .action(async (opts: { lake: string; date?: string }) => {
      const store = await openStore(opts.lake);
      requireLake(store);
      const known = datesIn(await store.list(RUNS_ZONE));
      if (known.length === 0) throw new UsageError(`nothing to verify: no run records in ${store.location}`);
      // A date with nothing recorded is not a clean bill of health: it is nothing verified.
      if (opts.date && !known.includes(opts.date))
        throw new UsageError(
          `nothing to verify for ${opts.date}: no run records for that date in ${store.location} (dates with runs: ${summarizeDates(known)})`,
        );
      const dates = opts.date ? [opts.date] : known;
      let problems = 0;
      const engine = await DuckDbEngine.openStore(store);
      try {
        for (const dt of dates) {
          const { check, curated, waivers, all } = await verifyDay(engine, store, dt);
          process.stdout.write(
            `${dt}: ${check.checked} raw objects in ${check.manifests} run manifest(s), ${curated.checked} curated partitions${waivers.checked ? `, ${waivers.checked} waivers file(s) applied` : ''}: ${all.length ? `${all.length} problem(s)` : 'ok'}\n`,
          );
          for (const p of all) process.stdout.write(`  ${p.kind.padEnd(16)} ${p.key}: ${p.detail}\n`);
          problems += all.length;
        }
      } finally {
        engine.close();
      }
      if (problems)
        throw new ReportedFailure(`${problems} problem(s) in the chain of custody of ${store.location}`);
    });
}
