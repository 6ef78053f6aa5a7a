// Retries with exponential backoff and full jitter for throttling and server errors; anything
// else (access denied above all) fails at once. Every attempt is counted for the run record.
// Throttling gets more attempts than server errors, and slows every caller that shares the
// policy's AdaptiveBackoff (one account's calls, in a run): a throttled API is asked less often
// until it recovers.
import { ApiError, InterruptedError } from './errors.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Attempts for a call that keeps being throttled (AWS asks to slow down, not to give up). */
  readonly throttledMaxAttempts?: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** Shared by the calls of one run (or one API): see AdaptiveBackoff. */
  readonly adaptive?: AdaptiveBackoff;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  throttledMaxAttempts: 16,
  baseMs: 200,
  maxMs: 8_000,
};

/**
 * Client-side rate adaptation, as the AWS SDKs' adaptive retry mode does: each throttle doubles
 * a shared pause (up to maxMs) that every new attempt waits a random part of; each success
 * halves it. Under heavy throttling the whole run slows down instead of failing calls.
 */
export class AdaptiveBackoff {
  private pauseMs = 0;

  constructor(
    private readonly baseMs = 100,
    private readonly maxMs = 4_000,
  ) {}

  get currentPauseMs(): number {
    return this.pauseMs;
  }

  throttled(): void {
    this.pauseMs = Math.min(this.maxMs, Math.max(this.baseMs, this.pauseMs * 2));
  }

  succeeded(): void {
    this.pauseMs = this.pauseMs < this.baseMs ? 0 : this.pauseMs / 2;
  }

  /** How long the next attempt waits first. */
  delay(random: () => number): number {
    return this.pauseMs ? Math.floor(random() * this.pauseMs) : 0;
  }
}

/** A policy with its own adaptive state, for one run. */
export function retryPolicyForRun(policy: RetryPolicy = DEFAULT_RETRY): RetryPolicy {
  return { ...policy, adaptive: new AdaptiveBackoff(Math.min(100, policy.baseMs), policy.maxMs / 2) };
}

/**
 * A policy with adaptive state of its own for one account's calls. IAM's request quotas are per
 * account, so a throttle in one account slows that account, not the other hundreds: a shared
 * pause cost a third of a run's time at 2% throttling in the benchmark, for nothing.
 */
export const retryPolicyForAccount = retryPolicyForRun;

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
    const pause = policy.adaptive?.delay(random) ?? 0;
    if (pause) await sleep(pause, signal);
    counter.attempts++;
    try {
      const result = await call();
      policy.adaptive?.succeeded();
      return result;
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable) throw error;
      const throttled = error.kind === 'throttled';
      if (throttled) policy.adaptive?.throttled();
      const limit = throttled ? (policy.throttledMaxAttempts ?? policy.maxAttempts) : policy.maxAttempts;
      if (attempt >= limit) throw error;
      const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
      await sleep(Math.max(1, Math.floor(random() * cap)), signal);
    }
  }
}
