import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { importReport } from '../../collector/import-report.ts';
import { curatedAccountPrefix } from '../../lake/keys.ts';
import { openStore } from '../../lake/open-store.ts';
import type { BenchmarkId } from '../../queries/catalog.ts';
import { ReportedFailure, UsageError } from '../errors.ts';
import { importArchive, listArchive } from '../import-archive.ts';
import { withLakeLock } from '../lake-lock.ts';
import {
  benchmarkOption,
  LAKE_FLAG,
  parseAccountIdOption,
  parseInstantOption,
  parsePastDateOption,
} from '../options.ts';
import { refreshRollups } from '../rollups.ts';

interface ImportOptions {
  account?: string;
  date?: string;
  quiet?: boolean;
  generatedAt?: number;
  accountName?: string;
  lake: string;
  benchmark?: BenchmarkId;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'bring an existing credential report CSV into the lake (raw copy, curated partition, run record)',
    )
    .argument(
      '<source>',
      'a credential report CSV, or a folder or s3://bucket/prefix holding an archive of them (account and date read from each path)',
    )
    .option(
      '--account <id>',
      'with one file: the 12-digit account the report belongs to',
      parseAccountIdOption,
    )
    .option(
      '--date <YYYY-MM-DD>',
      'with one file: the snapshot date (dt) to file it under',
      parsePastDateOption,
    )
    .option('--quiet', 'no progress output (archives)')
    .option(
      '--generated-at <iso>',
      "the report's GeneratedTime (default: its newest timestamp)",
      parseInstantOption,
    )
    .option('--account-name <name>', 'account name to record with the rows')
    .option(...LAKE_FLAG)
    .addOption(benchmarkOption("judge the imported days' findings against this benchmark"))
    .action(async (file: string, opts: ImportOptions) => {
      const local = /^s3:\/\//.test(file) ? undefined : await stat(file).catch(() => null);
      if (local === null)
        throw new UsageError(
          `no such file or folder: ${file} (expected a credential report CSV, or a folder of them)`,
        );
      if (local === undefined || local.isDirectory()) {
        if (opts.account || opts.date || opts.generatedAt)
          throw new UsageError(
            `${file} is an archive: each file's account and date come from its path; --account, --date and --generated-at are for one file`,
          );
        await importFromArchive(file, opts);
        return;
      }
      if (!opts.account || !opts.date)
        throw new UsageError(`importing one file needs --account <12-digit id> and --date <YYYY-MM-DD>`);
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(
          `cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
        );
      });
      const store = await openStore(opts.lake);
      const result = await withLakeLock(store, 'import', async () => {
        const imported = await importReport(store, {
          bytes: new Uint8Array(bytes),
          accountId: opts.account!,
          dt: opts.date!,
          generatedAt: opts.generatedAt,
          accountName: opts.accountName,
          sourceName: file,
        });
        await refreshRollups(store, [opts.date!], opts.benchmark);
        return imported;
      });
      const when = new Date(result.generatedAt).toISOString();
      const source = {
        given: 'as given',
        newest_timestamp:
          'GUESSED from the newest event in the file (no --generated-at; recorded as guessed)',
        date_midnight: 'GUESSED as the snapshot date at 00:00Z (no --generated-at, no event in the file)',
      }[result.generatedAtSource];
      const lines = [
        `imported ${result.rows} rows of account ${opts.account} for ${opts.date} in ${result.durationMs} ms`,
        `  generated at ${when}: ${source}`,
        `  raw:     ${store.location}/${result.rawKey}${result.wroteRaw ? '' : ' (already there, kept as it was)'}`,
        `  curated: ${store.location}/${curatedAccountPrefix('credential_report', opts.date!, opts.account!)}`,
      ];
      // Each note as curation says it, with what an import can do about a late timestamp.
      for (const note of result.notes) {
        const hint =
          note.kind !== 'future_timestamps'
            ? ''
            : opts.generatedAt === undefined
              ? '; give --generated-at if the guess is wrong'
              : '; check the --generated-at given';
        lines.push(`  note: ${note.text}${hint}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

async function importFromArchive(source: string, opts: ImportOptions): Promise<void> {
  const files = await listArchive(source).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the archive ${source}: ${error.message}`);
  });
  if (files.length === 0) throw new UsageError(`${source} holds no .csv files`);
  const store = await openStore(opts.lake);
  const results = await withLakeLock(store, 'import', () =>
    importArchive(files, store, {
      quiet: opts.quiet,
      benchmark: opts.benchmark,
      onFile: (r) => process.stdout.write(`${r.status.padEnd(9)} ${r.path}: ${r.detail}\n`),
    }),
  );
  const count = (status: string) => results.filter((r) => r.status === status).length;
  process.stdout.write(
    `${source}: ${count('imported')} imported, ${count('skipped')} skipped (already in the lake), ${count('refused')} refused\n`,
  );
  if (count('refused')) throw new ReportedFailure(`${count('refused')} file(s) refused: see above`, 1);
}
