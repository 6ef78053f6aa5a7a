import { setMaxListeners } from 'node:events';
import type { Command } from 'commander';
import { collectRun, type RunResult } from '../../collector/collect-run.ts';
import { newRunId } from '../../collector/outcome.ts';
import { createProgress } from '../../collector/progress.ts';
import { openStore } from '../../lake/open-store.ts';
import { openTarget } from '../aws-target.ts';
import { addCollectOptions, type CollectFlags, pollPolicyFor, readAccountsFlag } from '../collect-options.ts';
import { ReportedFailure } from '../errors.ts';
import { todayUtc } from '../options.ts';
import { formatRunSummary } from '../run-summary.ts';

export function registerCollect(program: Command): void {
  addCollectOptions(
    program
      .command('collect')
      .description(
        'collect the credential report of every account into the lake (raw, curated, run records)',
      ),
  ).action(async (flags: CollectFlags) => {
    const dt = flags.date ?? todayUtc();
    const result = await collectOnce(flags, dt, 25);
    if (result.outcomes.some((o) => o.status === 'failed') || result.interrupted) {
      throw new ReportedFailure('', 1);
    }
  });
}

/** Runs one collection with the CLI's flags: progress on stderr, summary on stdout. */
export async function collectOnce(
  flags: CollectFlags,
  dt: string,
  defaultSimAccounts: number,
  simStartDate = dt,
): Promise<RunResult> {
  const { count, filters } = readAccountsFlag(flags, defaultSimAccounts);
  const controller = new AbortController();
  // Every account in flight listens for the interrupt.
  setMaxListeners(0, controller.signal);
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      '\ninterrupted: finishing the accounts in flight and writing the run record (Ctrl-C again to quit now)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const runId = newRunId(Date.now());
  const target = await openTarget(
    {
      simulate: !!flags.simulate,
      region: flags.region,
      roleName: flags.roleName,
      externalId: flags.externalId,
      sessionName: `credlake-${runId}`,
      sim: {
        accounts: count,
        seed: flags.seed,
        faults: flags.faults,
        latency: flags.latency,
        date: simStartDate,
      },
    },
    controller.signal,
  );
  try {
    target.simulator?.advanceTo(dt);
    const store = openStore(flags.lake);
    const progress = createProgress(process.stderr, flags.quiet);
    const started = performance.now();
    const result = await collectRun({
      store,
      dt,
      runId,
      access: target.access,
      org: target.org,
      filters,
      concurrency: flags.concurrency,
      reportTimeoutMs: flags.reportTimeout * 1000,
      poll: pollPolicyFor(flags),
      signal: controller.signal,
      onProgress: (e) => progress.update(e),
    });
    progress.finish();
    if (!flags.quiet || result.outcomes.some((o) => o.status === 'failed')) {
      process.stdout.write(formatRunSummary(result, (performance.now() - started) / 1000, store.location));
    }
    return result;
  } finally {
    process.off('SIGINT', onSigint);
    await target.close();
  }
}
