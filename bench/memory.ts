import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Simulator } from '../simulator/simulator.ts';

export interface MemoryFigures {
  peak_rss_mb_5000_users: number;
  /** The same process after loading its modules, before any work: the baseline. */
  loaded_rss_mb: number;
  users: number;
}

export async function benchMemory(): Promise<MemoryFigures> {
  const sim = await Simulator.start({ accounts: 1, seed: 3, date: '2026-01-15', usersPerAccount: 5_000 });
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'collect-one.ts')],
      {
        env: {
          ...process.env,
          CREDLAKE_BENCH_ENDPOINT: sim.endpoint,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    return { peak_rss_mb_5000_users: out.peak_rss_mb, loaded_rss_mb: out.loaded_rss_mb, users: out.users };
  } finally {
    await sim.close();
  }
}
