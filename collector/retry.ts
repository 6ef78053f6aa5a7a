// Retries with exponential backoff and full jitter for throttling and server errors; anything
// else (access denied above all) fails at once. Every attempt is counted for the run record.
import { ApiError, InterruptedError } from './errors.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 200, maxMs: 8_000 };

export interface AttemptCounter {
  attempts: number;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function withRetry<T>(
  call: () => Promise<T>,
  counter: AttemptCounter,
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
  random: () => number = Math.random,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new InterruptedError();
    counter.attempts++;
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable || attempt >= policy.maxAttempts) throw error;
      const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
      await sleep(Math.max(1, Math.floor(random() * cap)), signal);
    }
  }
}
