import { type Command, InvalidArgumentError, Option } from 'commander';
import { openStore } from '../../lake/open-store.ts';
import {
  type BenchmarkId,
  benchmarkControls,
  benchmarkValues,
  CATALOG,
  DEFAULT_BENCHMARK,
} from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from '../../queries/format.ts';
import { notEvaluated, runSavedQuery } from '../../queries/run-query.ts';
import { loadQuerySql, requireQuery, withBenchmark } from '../../queries/saved-query.ts';
import { type AthenaFlags, addEngineOptions, athenaClient, athenaTarget } from '../engine-options.ts';
import { UsageError } from '../errors.ts';
import { requireLake } from '../lake-check.ts';
import { benchmarkOption, LAKE_FLAG, parseDateOption } from '../options.ts';

interface QueryOptions extends AthenaFlags {
  lake: string;
  date?: string;
  format: OutputFormat;
  param: Record<string, string>;
  list?: boolean;
  showSql?: boolean;
  exactCsv?: boolean;
  benchmark?: BenchmarkId;
}

/** The terminal's width; none when output is piped, so nothing is ever cut there. */
function terminalWidth(): number {
  return process.stdout.isTTY ? process.stdout.columns || 160 : Number.POSITIVE_INFINITY;
}

function collectParam(value: string, previous: Record<string, string>): Record<string, string> {
  const m = /^([a-z_]+)=(.+)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected name=value, got ${JSON.stringify(value)}`);
  return { ...previous, [m[1]]: m[2] };
}

export function registerQuery(program: Command): void {
  const command = program
    .command('query')
    .description('run a saved query on the lake with DuckDB, or on Athena (--list shows the catalog)')
    .argument('[name]', 'saved query name')
    .option(...LAKE_FLAG)
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: the newest)', parseDateOption)
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--param <name=value>', 'set a query parameter (repeatable)', collectParam, {})
    .option('--list', 'list the saved queries with their controls and parameters')
    .addOption(benchmarkOption('the benchmark whose thresholds, rules and control ids apply'))
    .option('--show-sql', "print the query's SQL (as Athena's named query holds it) instead of running it")
    .option(
      '--exact-csv',
      'with --format csv: every value exactly, even one a spreadsheet would run as a formula',
    );
  addEngineOptions(command).action(async (name: string | undefined, opts: QueryOptions) => {
    if (opts.list) {
      process.stdout.write(listCatalog(opts.format, opts.benchmark ?? DEFAULT_BENCHMARK));
      return;
    }
    if (!name)
      throw new UsageError(
        `name a saved query, or use --list; known: ${CATALOG.map((q) => q.name).join(', ')}`,
      );
    if (opts.showSql) {
      const query = requireQuery(name);
      process.stdout.write(
        opts.benchmark ? withBenchmark(query, loadQuerySql(name), opts.benchmark) : loadQuerySql(name),
      );
      return;
    }
    if (opts.engine === 'athena') {
      const { runSavedQueryOnAthena } = await import('../../queries/athena/run.ts');
      const run = await runSavedQueryOnAthena(await athenaClient(opts), athenaTarget(opts), name, {
        date: opts.date,
        params: opts.param,
        benchmark: opts.benchmark,
      });
      process.stdout.write(formatResult(run.result, opts.format, terminalWidth(), { exact: opts.exactCsv }));
      process.stderr.write(`athena: query ${run.queryExecutionId} scanned ${run.bytesScanned} bytes\n`);
      return;
    }
    const store = await openStore(opts.lake);
    requireLake(store);
    const engine = await DuckDbEngine.openStore(store);
    try {
      const result = await runSavedQuery(engine, name, {
        date: opts.date,
        params: opts.param,
        benchmark: opts.benchmark,
      });
      process.stdout.write(formatResult(result, opts.format, terminalWidth(), { exact: opts.exactCsv }));
      const missing = await notEvaluated(engine, name, opts.date);
      if (missing?.collected.length) {
        const list = missing.collected.map(
          (a) => `${a.accountId}${a.accountName ? ` (${a.accountName})` : ''}`,
        );
        process.stderr.write(
          `${name}: not evaluated on ${list.length} collected account(s) of ${missing.dt}, whose posture was not read (imported, or collected with --no-posture): ${list.slice(0, 20).join(', ')}${list.length > 20 ? `, ... ${list.length - 20} more` : ''}\n`,
        );
      }
      if (missing?.notCollected)
        process.stderr.write(
          `${name}: ${missing.notCollected} account(s) of ${missing.dt} not collected, so not evaluated (see collection_coverage)\n`,
        );
    } finally {
      engine.close();
    }
  });
}

function listCatalog(format: OutputFormat, benchmark: BenchmarkId): string {
  if (format === 'json') return `${JSON.stringify(CATALOG, null, 2)}\n`;
  const rows = CATALOG.map((q) => {
    const ids = benchmarkControls(q, benchmark);
    const values: Record<string, unknown> = benchmarkValues(q, benchmark);
    return {
      name: q.name,
      kind: q.kind,
      title: q.title,
      severity: q.severity ?? '',
      [benchmark]: ids.controls.join(' '),
      security_hub: ids.securityHub.join(' '),
      params: q.params.map((p) => `${p.name}=${values[p.name] ?? p.default}`).join(' '),
    };
  });
  return formatResult({ columns: Object.keys(rows[0]), rows }, format, terminalWidth());
}
