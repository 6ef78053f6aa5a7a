import { CommanderError } from 'commander';
import { PlanInputError } from '../collector/errors.ts';
import { LakeWriteError } from '../lake/local-store.ts';
import { QueryInputError } from '../queries/errors.ts';
import { MalformedReportError } from '../transforms/errors.ts';
import { ReportedFailure, UsageError } from './errors.ts';
import { createProgram } from './program.ts';

const program = createProgram();

// A reader that stops early (`credlake query ... | head`) closes the pipe: that is success.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError || error instanceof QueryInputError || error instanceof PlanInputError) {
    process.stderr.write(`credlake: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ReportedFailure) {
    if (error.message) process.stderr.write(`credlake: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof MalformedReportError || error instanceof LakeWriteError) {
    process.stderr.write(`credlake: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`credlake: ${message}\n`);
  if (process.env.CREDLAKE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('(set CREDLAKE_DEBUG=1 for a stack trace)\n');
  return 1;
}
