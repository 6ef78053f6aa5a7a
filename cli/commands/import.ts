import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { importReport } from '../../collector/import-report.ts';
import { openStore } from '../../lake/open-store.ts';
import { UsageError } from '../errors.ts';
import { withLakeLock } from '../lake-lock.ts';
import { DEFAULT_LAKE, parseAccountIdOption, parseInstantOption, parsePastDateOption } from '../options.ts';

interface ImportOptions {
  account: string;
  date: string;
  generatedAt?: number;
  accountName?: string;
  lake: string;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'bring an existing credential report CSV into the lake (raw copy, curated partition, run record)',
    )
    .argument('<file>', 'credential report CSV, as IAM GetCredentialReport returns it')
    .requiredOption('--account <id>', 'the 12-digit account the report belongs to', parseAccountIdOption)
    .requiredOption('--date <YYYY-MM-DD>', 'the snapshot date (dt) to file it under', parsePastDateOption)
    .option(
      '--generated-at <iso>',
      "the report's GeneratedTime (default: its newest timestamp)",
      parseInstantOption,
    )
    .option('--account-name <name>', 'account name to record with the rows')
    .option('--lake <path>', 'lake folder or s3://bucket/prefix', DEFAULT_LAKE)
    .action(async (file: string, opts: ImportOptions) => {
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(
          `cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
        );
      });
      const store = openStore(opts.lake);
      const result = await withLakeLock(store, 'import', () =>
        importReport(store, {
          bytes: new Uint8Array(bytes),
          accountId: opts.account,
          dt: opts.date,
          generatedAt: opts.generatedAt,
          accountName: opts.accountName,
          sourceName: file,
        }),
      );
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
        `  curated: ${store.location}/curated/credential_report/dt=${opts.date}/account_id=${opts.account}/`,
      ];
      if (result.unknownColumns.length) {
        lines.push(`  note: unknown columns kept in raw only: ${result.unknownColumns.join(', ')}`);
      }
      if (result.futureTimestamps)
        lines.push(
          `  note: ${result.futureTimestamps} timestamp(s) later than the report time: their day counts are left empty (give --generated-at if the guess is wrong)`,
        );
      if (result.duplicateUsers.length)
        lines.push(
          `  note: users on more than one line, every line kept as in the file: ${result.duplicateUsers.join(', ')}`,
        );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
