import { isMainThread } from 'node:worker_threads';
import { CommanderError } from 'commander';
import { PlanInputError } from '../collector/errors.ts';
import { LakeWriteError } from '../lake/local-store.ts';
import { QueryInputError } from '../queries/errors.ts';
import { WaiversFileError } from '../queries/waivers.ts';
import { MalformedReportError } from '../transforms/errors.ts';
import { ReportedFailure, UsageError } from './errors.ts';
import { createProgram } from './program.ts';

// A thread of `run --simulate` collecting its lane of days (cli/day-lanes.ts) starts here too.
// Only a thread loads that module: the main thread loads just the subcommand it runs.
const lanes = isMainThread ? undefined : await import('./day-lanes.ts');
if (lanes?.isLaneThread()) await lanes.runLane();
else await main();

async function main(): Promise<void> {
  const program = await createProgram(process.argv);

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
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (isMissingCredentials(error)) {
    const message = error instanceof Error ? error.message : String(error);
    const profile = process.env.AWS_PROFILE ? ` for profile ${process.env.AWS_PROFILE}` : '';
    process.stderr.write(
      `credlake: no AWS credentials${profile} (${message}): sign in (aws sso login --profile NAME) or set AWS_PROFILE to a configured profile; add --simulate to try credlake without AWS\n`,
    );
    return 2;
  }
  if (
    error instanceof UsageError ||
    error instanceof QueryInputError ||
    error instanceof PlanInputError ||
    error instanceof WaiversFileError
  ) {
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

/** The SDK found no credentials (directly, or as the cause of the collector's own error). */
function isMissingCredentials(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause)
    if (e.name === 'CredentialsProviderError' || (e as { code?: string }).code === 'CredentialsProviderError')
      return true;
  return false;
}
