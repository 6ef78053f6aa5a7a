// Retries: throttling is retried longer than server errors and slows every caller sharing the
// run's adaptive state; access denied is never retried.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../collector/errors.ts';
import { AdaptiveBackoff, retryPolicyForRun, withRetry } from '../../collector/retry.ts';

const throttle = () => new ApiError('throttled', 'Throttling', 'Rate exceeded');
const failing = (errors: ApiError[]) => {
  let n = 0;
  return async () => {
    if (n < errors.length) throw errors[n++];
    return 'ok';
  };
};

describe('withRetry', () => {
  const policy = { maxAttempts: 3, throttledMaxAttempts: 6, baseMs: 1, maxMs: 2 };

  it('gives throttling more attempts than server errors', async () => {
    const counter = { attempts: 0 };
    expect(await withRetry(failing(Array.from({ length: 5 }, throttle)), counter, policy)).toBe('ok');
    expect(counter.attempts).toBe(6);
    const server = () => new ApiError('server_error', 'InternalFailure', 'oops');
    await expect(withRetry(failing([server(), server(), server()]), { attempts: 0 }, policy)).rejects.toThrow(
      'oops',
    );
  });

  it('never retries access denied', async () => {
    const counter = { attempts: 0 };
    const denied = new ApiError('access_denied', 'AccessDenied', 'no');
    await expect(withRetry(failing([denied]), counter, policy)).rejects.toBe(denied);
    expect(counter.attempts).toBe(1);
  });

  it('slows every caller of a run once one is throttled, and recovers on success', async () => {
    const run = retryPolicyForRun({ ...policy, baseMs: 1, maxMs: 400 });
    await withRetry(failing([throttle(), throttle(), throttle()]), { attempts: 0 }, run);
    // The throttled call succeeded in the end: the pause has halved once from its peak.
    expect(run.adaptive!.currentPauseMs).toBeGreaterThan(0);
    const other = run.adaptive!.delay(() => 0.999);
    expect(other).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) await withRetry(async () => 'ok', { attempts: 0 }, run);
    expect(run.adaptive!.currentPauseMs).toBe(0);
  });
});

describe('AdaptiveBackoff', () => {
  it('doubles its pause on each throttle up to the cap, and halves it on each success', () => {
    const b = new AdaptiveBackoff(100, 1000);
    b.throttled();
    expect(b.currentPauseMs).toBe(100);
    for (let i = 0; i < 5; i++) b.throttled();
    expect(b.currentPauseMs).toBe(1000);
    b.succeeded();
    expect(b.currentPauseMs).toBe(500);
    expect(b.delay(() => 0.5)).toBe(250);
  });
});
