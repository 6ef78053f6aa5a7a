import { readFileSync } from 'node:fs';
import { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every subcommand, in the order help lists them, each loaded only when wanted: a command's
 * module brings the packages it needs (the AWS SDK, DuckDB, exceljs), and loading all of them
 * took most of a second on every start, even for `credlake --version`.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./commands/run.ts')).registerRun,
  collect: async () => (await import('./commands/collect.ts')).registerCollect,
  import: async () => (await import('./commands/import.ts')).registerImport,
  transform: async () => (await import('./commands/transform.ts')).registerTransform,
  query: async () => (await import('./commands/query.ts')).registerQuery,
  export: async () => (await import('./commands/export.ts')).registerExport,
  report: async () => (await import('./commands/report.ts')).registerReport,
  verify: async () => (await import('./commands/verify.ts')).registerVerify,
  waivers: async () => (await import('./commands/waivers.ts')).registerWaivers,
  simulate: async () => (await import('./commands/simulate.ts')).registerSimulate,
};

/**
 * The `credlake` command. Given the command line, it registers only the subcommand named there;
 * `--version` none; anything else (no subcommand, `help`, a flag, a name it does not know) gets
 * every subcommand, so help lists them all and a mistyped name is answered with its neighbours.
 */
export async function createProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('credlake')
    .description('IAM credential reports of every account in an AWS Organization, as an evidence lake')
    .version(packageVersion(), '-V, --version', 'print the version of credlake')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const named = argv?.[2];
  const wanted =
    named === '-V' || named === '--version'
      ? []
      : named !== undefined && Object.hasOwn(COMMANDS, named)
        ? [named]
        : Object.keys(COMMANDS);
  const registers = await Promise.all(wanted.map((name) => COMMANDS[name]()));
  for (const register of registers) register(program);
  return program;
}

/** The version in package.json, the one place it is written. */
export function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
