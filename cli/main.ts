import { Command, CommanderError } from 'commander';
import { QueryInputError } from '../queries/errors.ts';
import { MalformedReportError } from '../transforms/errors.ts';
import { registerCollect } from './commands/collect.ts';
import { registerExport } from './commands/export.ts';
import { registerImport } from './commands/import.ts';
import { registerQuery } from './commands/query.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerTransform } from './commands/transform.ts';
import { ReportedFailure, UsageError } from './errors.ts';

const program = new Command('credlake')
  .description('IAM credential reports of every account in an AWS Organization, as an evidence lake')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerRun(program);
registerCollect(program);
registerImport(program);
registerTransform(program);
registerQuery(program);
registerExport(program);
registerReport(program);
registerSimulate(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError || error instanceof QueryInputError) {
    process.stderr.write(`credlake: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ReportedFailure) {
    if (error.message) process.stderr.write(`credlake: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof MalformedReportError) {
    process.stderr.write(`credlake: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`credlake: ${message}\n`);
  if (process.env.CREDLAKE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('(set CREDLAKE_DEBUG=1 for a stack trace)\n');
  return 1;
}
