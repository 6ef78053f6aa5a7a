// Simulated history collected side by side: `credlake run --simulate` splits its days into
// lanes of consecutive days, and each lane runs in a thread of its own with its own simulated
// organization (replayed from the same seed to the lane's first day) and its own collector.
// Every day is still collected by the real collector against the simulator, with its evidence,
// run record and rollup, exactly as one after another: no day of the lake reads another day,
// and a simulated day is the same whichever lane reaches it (a test compares the two ways).
// The last lane runs in the calling thread, so its simulator is the one `run` keeps for the
// exports, the report and the digest.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { RunResult } from '../collector/collect-run.ts';
import type { CollectFlags } from './collect-options.ts';
import { type CollectSession, withTarget } from './collect-session.ts';
import { ReportedFailure } from './errors.ts';
import { timed } from './timings.ts';

/** The command itself: the bundle or the TypeScript, as this process was started. */
const BIN = fileURLToPath(new URL('../bin/credlake.js', import.meta.url));

/** What a lane's thread is given. */
interface LaneData {
  readonly credlakeLane: true;
  readonly flags: CollectFlags;
  readonly simStartDate: string;
  readonly defaultSimAccounts: number;
  readonly days: readonly string[];
}

type LaneMessage = { type: 'done' } | { type: 'error'; message: string };

/** Lanes by default: one per core, at most two (more gain nothing on the days of a demo). */
export function defaultLanes(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * Splits `days` (in order) into at most `lanes` runs of consecutive days. The calling thread
 * takes the last and longest run: it starts at once, where a thread first loads the modules.
 */
export function splitDays(days: readonly string[], lanes: number): string[][] {
  const n = Math.max(1, Math.min(lanes, days.length));
  const out: string[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor((days.length - start) / (n - i));
    out.push(days.slice(start, start + size));
    start += size;
  }
  return out;
}

/**
 * Collects `days` of a simulated organization in lanes, then calls `work` with the calling
 * thread's session (on the last day) once every lane is done. A lane that fails fails the
 * whole: its error is raised once the others have stopped. An interrupt stops every lane.
 */
export async function collectInLanes<T>(
  flags: CollectFlags,
  simStartDate: string,
  defaultSimAccounts: number,
  days: readonly string[],
  lanes: number,
  work: (session: CollectSession, last: RunResult) => Promise<T>,
): Promise<T> {
  const runs = splitDays(days, lanes);
  const mine = runs.pop()!;
  if (runs.length > 0 && !flags.quiet)
    process.stderr.write(
      `collecting ${days.length} days in ${runs.length + 1} lanes side by side (--lanes 1: one after another)\n`,
    );
  return withTarget(flags, simStartDate, defaultSimAccounts, async (session) => {
    // The session has written the simulated waivers file: the threads find it in the lake.
    const { last, failure, threadFailure } = await timed('days', async () => {
      const threads = runs.map((run) =>
        startLane(flags, simStartDate, defaultSimAccounts, run, session.signal),
      );
      let last: RunResult | undefined;
      let failure: unknown;
      try {
        last = await collectEach(session, mine, days.at(-1)!);
      } catch (error) {
        failure = error;
      }
      const ended = await Promise.allSettled(threads);
      return { last, failure, threadFailure: ended.find((e) => e.status === 'rejected') };
    });
    if (failure !== undefined) throw failure;
    if (threadFailure) throw threadFailure.reason;
    if (!last) throw new ReportedFailure('interrupted before a day was collected', 130);
    return work(session, last);
  });
}

/**
 * Collects the days one after another until an interrupt; each in one line but `fullDay`,
 * which prints the whole summary. Returns the last day's result.
 */
async function collectEach(
  session: CollectSession,
  days: readonly string[],
  fullDay: string | undefined,
): Promise<RunResult | undefined> {
  let last: RunResult | undefined;
  for (const dt of days) {
    if (session.signal.aborted) break;
    last = await session.collect(dt, dt !== fullDay);
  }
  return last;
}

function startLane(
  flags: CollectFlags,
  simStartDate: string,
  defaultSimAccounts: number,
  days: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  // The waivers file was checked and installed by the calling thread already.
  const data: LaneData = {
    credlakeLane: true,
    flags: { ...flags, waivers: undefined },
    simStartDate,
    defaultSimAccounts,
    days,
  };
  const worker = new Worker(BIN, { workerData: data });
  const abort = () => worker.postMessage('abort');
  signal.addEventListener('abort', abort, { once: true });
  return new Promise<void>((resolve, reject) => {
    let outcome: LaneMessage | undefined;
    worker.on('message', (m: LaneMessage) => {
      outcome = m;
    });
    worker.on('error', reject);
    worker.on('exit', () => {
      signal.removeEventListener('abort', abort);
      if (outcome?.type === 'done') resolve();
      else
        reject(
          new Error(
            `the lane collecting ${days[0]} to ${days.at(-1)} failed: ${outcome?.type === 'error' ? outcome.message : 'its thread stopped early'}`,
          ),
        );
    });
  });
}

/** True in a lane's thread: the command's entry point runs the lane instead of the CLI. */
export function isLaneThread(): boolean {
  return !isMainThread && (workerData as Partial<LaneData> | undefined)?.credlakeLane === true;
}

/** A lane's thread: collects its days, each as `run` would, and says how it ended. */
export async function runLane(): Promise<void> {
  const data = workerData as LaneData;
  const controller = new AbortController();
  parentPort!.on('message', (m) => {
    if (m === 'abort') controller.abort();
  });
  parentPort!.unref();
  try {
    await withTarget(
      data.flags,
      data.simStartDate,
      data.defaultSimAccounts,
      async (session) => {
        await collectEach(session, data.days, undefined);
      },
      controller.signal,
    );
    parentPort!.postMessage({ type: 'done' } satisfies LaneMessage);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    parentPort!.postMessage({ type: 'error', message } satisfies LaneMessage);
  }
}
