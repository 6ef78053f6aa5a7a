// Where a command's time goes, for the bench: with CREDLAKE_TIMINGS set, each timed phase writes
// `timing <phase> <ms> ms` to stderr when it ends. Off by default; never changes what runs.
const enabled = () => !!process.env.CREDLAKE_TIMINGS;

export async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  if (!enabled()) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    process.stderr.write(`timing ${phase} ${Math.round(performance.now() - started)} ms\n`);
  }
}

/** The time from the process's start to now, as the phase `startup` (loading the modules). */
export function noteStartup(): void {
  if (enabled()) process.stderr.write(`timing startup ${Math.round(process.uptime() * 1000)} ms\n`);
}
