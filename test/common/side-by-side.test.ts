import { describe, expect, it } from 'vitest';
import { sideBySide } from '../../common/side-by-side.ts';

const after = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms),
  );

describe('sideBySide', () => {
  it('runs both jobs at once and returns both results in order', async () => {
    const events: string[] = [];
    const job =
      <T>(name: string, value: T) =>
      async () => {
        events.push(`${name} started`);
        await after(20, null);
        events.push(`${name} ended`);
        return value;
      };
    expect(await sideBySide(job('a', 'a'), job('b', 1))).toEqual(['a', 1]);
    expect(events.slice(0, 2)).toEqual(['a started', 'b started']);
  });

  it('throws a failure only once the other job has ended', async () => {
    let otherEnded = false;
    const slow = async () => {
      await after(80, null);
      otherEnded = true;
      return 'done';
    };
    await expect(sideBySide(() => after(5, 'exports broke', true), slow)).rejects.toThrow('exports broke');
    expect(otherEnded).toBe(true);
    otherEnded = false;
    await expect(sideBySide(slow, () => after(5, 'report broke', true))).rejects.toThrow('report broke');
    expect(otherEnded).toBe(true);
  });

  it("throws the first job's failure when both fail", async () => {
    await expect(
      sideBySide(
        () => after(30, 'first', true),
        () => after(5, 'second', true),
      ),
    ).rejects.toThrow('first');
  });
});
