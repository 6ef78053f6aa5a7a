// The limiter bounds the API calls in flight; a freed slot goes to the most urgent waiting call
// (priority 0 first), and among calls of one priority to the one that came first.
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../collector/limiter.ts';

describe('the call limiter', () => {
  it('never runs more than its limit, and serves waiting calls by priority, then arrival', async () => {
    const limiter = new Limiter(2);
    const order: string[] = [];
    let inFlight = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const call = (name: string, priority: number) =>
      limiter.run(async () => {
        order.push(name);
        most = Math.max(most, ++inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight--;
      }, priority);
    const all = [
      call('first', 2),
      call('second', 2),
      call('posture a', 2),
      call('fetch', 2),
      call('next page', 1),
      call('generate', 0),
      call('posture b', 2),
    ];
    // Release one call at a time: each freed slot is handed to the next in line.
    while (order.length < all.length || releases.length) {
      await new Promise((r) => setTimeout(r, 1));
      releases.shift()?.();
    }
    await Promise.all(all);
    expect(order).toEqual(['first', 'second', 'generate', 'next page', 'posture a', 'fetch', 'posture b']);
    expect(most).toBe(2);
    expect(limiter.inUse).toBe(0);
  });
});
