import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerCollect } from './commands/collect.ts';
import { registerExport } from './commands/export.ts';
import { registerImport } from './commands/import.ts';
import { registerQuery } from './commands/query.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerTransform } from './commands/transform.ts';
import { registerVerify } from './commands/verify.ts';
import { registerWaivers } from './commands/waivers.ts';

/** The `credlake` command and its subcommands. */
export function createProgram(): Command {
  const program = new Command('credlake')
    .description('IAM credential reports of every account in an AWS Organization, as an evidence lake')
    .version(packageVersion(), '-V, --version', 'print the version of credlake')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerRun(program);
  registerCollect(program);
  registerImport(program);
  registerTransform(program);
  registerQuery(program);
  registerExport(program);
  registerReport(program);
  registerVerify(program);
  registerWaivers(program);
  registerSimulate(program);
  return program;
}

/** The version in package.json, the one place it is written. */
export function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
