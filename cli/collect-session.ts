// A collection session: the AWS target (or the simulator) opened once, Ctrl-C and SIGTERM
// handled, and one day collected at a time through it (with its rollup written), for
// `credlake collect` and `credlake run`.
import { setMaxListeners } from 'node:events';
import { collectRun, type RunResult } from '../collector/collect-run.ts';
import type { AccountFilters } from '../collector/discover.ts';
import { newRunId } from '../collector/outcome.ts';
import { WAIVERS_FILE_KEY } from '../lake/keys.ts';
import { openStore } from '../lake/open-store.ts';
import { waiverSpecsForRun, waiversYaml } from '../simulator/waivers.ts';
import { type CollectTarget, openTarget } from './aws-target.ts';
import { type CollectFlags, pollPolicyFor, readAccountsFlag, reportTimeoutMsFor } from './collect-options.ts';
import { installWaivers } from './commands/waivers.ts';
import { todayUtc } from './options.ts';
import { createProgress } from './progress.ts';
import { refreshRollups } from './rollups.ts';
import { formatRunSummary } from './run-summary.ts';
import { timed } from './timings.ts';

export interface CollectSession {
  readonly target: CollectTarget;
  readonly signal: AbortSignal;
  /** Collects one day; `brief` prints one line instead of the full summary. */
  collect(dt: string, brief?: boolean): Promise<RunResult>;
}

/**
 * Opens the AWS target (or starts the simulator on `simStartDate`) once, handles Ctrl-C, and
 * lets the caller collect one or more days through it.
 */
export async function withTarget<T>(
  flags: CollectFlags,
  simStartDate: string,
  defaultSimAccounts: number,
  work: (session: CollectSession) => Promise<T>,
  /** Another way to stop (a lane's thread, which receives no signals, is told by its parent). */
  stop?: AbortSignal,
): Promise<T> {
  const { count, filters } = readAccountsFlag(flags, defaultSimAccounts);
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // every account in flight listens for the interrupt
  stop?.addEventListener('abort', () => controller.abort(), { once: true });
  const phase = { collecting: false };
  // Ctrl-C and a plain kill (SIGTERM) stop the same way: what is in flight finishes and is
  // recorded; a second signal quits at once.
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    process.stderr.write(
      phase.collecting
        ? `\n${signal}: finishing the accounts in flight and writing the run record (again to quit now)\n`
        : `\n${signal}: stopping (again to quit now)\n`,
    );
    controller.abort();
  };
  // A waivers file is checked before anything is collected: a typo fails in a second, not after.
  const store = await openStore(flags.lake, { region: flags.region });
  if (flags.waivers) await installWaivers(store, flags.waivers);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let target: CollectTarget | undefined;
  try {
    target = await openTarget(
      {
        simulate: !!flags.simulate,
        region: flags.region,
        roleName: flags.roleName,
        externalId: flags.externalId,
        sessionName: `credlake-${newRunId(Date.now())}`,
        posture: flags.posture,
        sim: {
          accounts: count,
          seed: flags.seed ?? 1,
          faults: flags.faults,
          latency: flags.latency ?? 'fast',
          date: simStartDate,
          centralizedRootAccess: flags.centralizedRoot,
        },
      },
      controller.signal,
    );
    const opened = target;
    // The simulated organization comes with waivers of its own, unless the lake has a file.
    if (opened.simulator && !flags.waivers && !(await store.exists(WAIVERS_FILE_KEY)))
      await store.put(
        WAIVERS_FILE_KEY,
        waiversYaml(
          waiverSpecsForRun(
            {
              accounts: count,
              seed: flags.seed ?? 1,
              faults: flags.faults,
              startDate: simStartDate,
              centralizedRootAccess: flags.centralizedRoot,
            },
            flags.date ?? todayUtc(),
          ),
        ),
        { contentType: 'application/yaml' },
      );
    return await work({
      target: opened,
      signal: controller.signal,
      collect: async (dt, brief) => {
        phase.collecting = true;
        try {
          return await collectDay(flags, filters, opened, dt, controller.signal, brief);
        } finally {
          phase.collecting = false;
        }
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target?.close();
  }
}

async function collectDay(
  flags: CollectFlags,
  filters: AccountFilters,
  target: CollectTarget,
  dt: string,
  signal: AbortSignal,
  brief = false,
): Promise<RunResult> {
  target.simulator?.advanceTo(dt);
  const store = await openStore(flags.lake, { region: flags.region });
  const progress = createProgress(process.stderr, flags.quiet || brief);
  const started = performance.now();
  const result = await timed(`collect.${dt}`, () =>
    collectRun({
      store,
      dt,
      access: target.access,
      org: target.org,
      filters,
      concurrency: flags.concurrency,
      reportTimeoutMs: reportTimeoutMsFor(flags),
      poll: pollPolicyFor(flags),
      signal,
      // A simulated organization lives on its own clock (the simulated day).
      now: target.simulator ? () => target.simulator!.now() : undefined,
      onProgress: (e) => progress.update(e),
    }),
  );
  progress.finish();
  await timed(`rollup.${dt}`, () => refreshRollups(store, [dt], flags.benchmark));
  const seconds = (performance.now() - started) / 1000;
  if (brief) {
    const n = (status: string) => result.outcomes.filter((o) => o.status === status).length;
    process.stderr.write(
      `${dt}: collected ${n('collected')}, failed ${n('failed')}, skipped ${n('skipped')} in ${seconds.toFixed(1)} s\n`,
    );
  } else if (!flags.quiet || result.outcomes.some((o) => o.status === 'failed')) {
    process.stdout.write(formatRunSummary(result, seconds, store.location));
  }
  return result;
}
