import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orderByTime, readFileTimes } from './sequencer.js';
import { mergeFileTimes } from './slowest-files.js';

describe('the order test files start in', () => {
  it('starts the longest kept first, and files with no time yet ahead of them, larger first', () => {
    const times = new Map([
      ['test/a.test.ts', 3],
      ['test/b.test.ts', 90],
      ['test/c.test.ts', 12],
    ]);
    const files = [
      { item: 'a', key: 'test/a.test.ts', size: 9_000 },
      { item: 'b', key: 'test/b.test.ts', size: 100 },
      { item: 'new-small', key: 'test/new-small.test.ts', size: 50 },
      { item: 'c', key: 'test/c.test.ts', size: 5_000 },
      { item: 'new-large', key: 'test/new-large.test.ts', size: 700 },
    ];
    expect(orderByTime(files, times)).toEqual(['new-large', 'new-small', 'b', 'c', 'a']);
  });

  it('keeps what a run measured, a tenth of a second at most, and forgets files that are gone', () => {
    const kept = new Map([
      ['test/gone.test.ts', 4],
      ['test/kept.test.ts', 7.5],
      ['test/ran.test.ts', 60],
    ]);
    const merged = mergeFileTimes(
      kept,
      [
        { file: 'test/ran.test.ts', ms: 41_234 },
        { file: 'test/added.test.ts', ms: 260 },
      ],
      (file) => file !== 'test/gone.test.ts',
    );
    expect(merged).toEqual({ 'test/added.test.ts': 0.3, 'test/kept.test.ts': 7.5, 'test/ran.test.ts': 41.2 });
  });

  it('reads the kept times, and none from a file that is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'credlake-times-'));
    const file = join(dir, 'times.json');
    writeFileSync(file, JSON.stringify({ seconds: { 'test/x.test.ts': 12.5 } }));
    expect([...readFileTimes(file)]).toEqual([['test/x.test.ts', 12.5]]);
    expect(readFileTimes(join(dir, 'missing.json')).size).toBe(0);
  });
});
