// Two jobs at once, for work that shares nothing but must both finish: `run` builds its report
// while its exports are written, each through a DuckDB engine of its own.

/**
 * Runs two jobs at once and returns both results, or throws the first job's failure once both
 * have ended, so that the caller's cleanup (closing an engine, say) never runs under a job still
 * at work.
 */
export async function sideBySide<A, B>(a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a(), b()]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}
