import type { Command } from 'commander';
import { LocalStore } from '../../lake/local-store.ts';
import { openStore } from '../../lake/open-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { exportSnapshot } from '../../queries/export.ts';
import { DEFAULT_LAKE, parseDateOption } from '../options.ts';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write every compliance query of a snapshot as CSV, with a manifest of row counts')
    .option('--lake <path>', 'lake folder or s3://bucket/prefix', DEFAULT_LAKE)
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: the newest)', parseDateOption)
    .option('--out <dir>', 'write into this folder instead of the lake')
    .action(async (opts: { lake: string; date?: string; out?: string }) => {
      const store = openStore(opts.lake);
      const target = opts.out ? new LocalStore(opts.out) : store;
      const engine = await DuckDbEngine.openStore(store);
      try {
        const manifest = await exportSnapshot(engine, target, opts.date);
        for (const q of manifest.queries) {
          process.stdout.write(`${String(q.rows).padStart(7)}  ${target.location}/${q.key}\n`);
        }
        process.stdout.write(`exported ${manifest.queries.length} queries of snapshot ${manifest.dt}\n`);
      } finally {
        engine.close();
      }
    });
}
