// The best-known public way to collect credential reports across an organization, for the
// side-by-side figure: 10 accounts at a time, and a fixed 1 s wait between report checks.
import type { AccountAccess } from '../collector/api.ts';
import { ApiError } from '../collector/errors.ts';
import { Limiter } from '../collector/limiter.ts';

export async function collectLikeBaseline(access: AccountAccess, accountIds: string[]): Promise<number> {
  const accounts = new Limiter(10);
  let collected = 0;
  await Promise.all(
    accountIds.map((id) =>
      accounts.run(async () => {
        const api = await retry(() => access.reportApiFor(id));
        let state = await retry(() => api.generate());
        while (state !== 'COMPLETE') {
          await new Promise((r) => setTimeout(r, 1_000));
          state = await retry(() => api.generate());
        }
        await retry(() => api.fetch());
        collected++;
      }),
    ),
  );
  return collected;
}

/** The baseline retries throttling too, so both collectors finish the same work. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable || attempt > 8) throw error;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt * Math.random()));
    }
  }
}
