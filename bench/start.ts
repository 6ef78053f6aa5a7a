// `npm start` as a user runs it: the whole process (`credlake run --simulate`, 30 accounts, 7
// days) in a folder of its own, timed from spawn to exit, with the split the run itself reports
// when CREDLAKE_TIMINGS is set (each day's collection and rollup, the exports, the report).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StartFigures {
  readonly runs: number;
  /** Wall time of each whole process, spawn to exit. */
  readonly wall_s: number[];
  readonly median_wall_s: number;
  /** Seconds per phase of the median run, as the run reported them. */
  readonly split_s: Record<string, number>;
}

const BIN = join(import.meta.dirname, '..', 'bin', 'credlake.js');

function once(): Promise<{ wall: number; split: Record<string, number> }> {
  const cwd = mkdtempSync(join(tmpdir(), 'credlake-bench-start-'));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', '--simulate'], {
      cwd,
      env: { ...process.env, CREDLAKE_TIMINGS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`npm start exited ${code}: ${stderr.slice(-500)}`));
      const split: Record<string, number> = {};
      for (const m of stderr.matchAll(/^timing (\S+) (\d+) ms$/gm))
        split[m[1]] = Math.round(((split[m[1]] ?? 0) * 1000 + Number(m[2])) / 10) / 100;
      resolve({ wall: Math.round(wall * 100) / 100, split });
    });
  });
}

/** Runs `npm start` `runs` times, one after another, and reports each wall time and the median's split. */
export async function benchStart(runs: number, log: (s: string) => void): Promise<StartFigures> {
  const results: { wall: number; split: Record<string, number> }[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await once();
    log(`  npm start ${i + 1}/${runs}: ${r.wall} s`);
    results.push(r);
  }
  const sorted = [...results].sort((a, b) => a.wall - b.wall);
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    runs,
    wall_s: results.map((r) => r.wall),
    median_wall_s: median.wall,
    split_s: median.split,
  };
}
