// A vitest reporter that prints, after the run, the files that took longest (the time of their
// tests and hooks, import included), so a slow suite says where its time goes. With
// CREDLAKE_WRITE_TEST_TIMES=1 it also keeps each file's time in test/file-times.json, the order
// test/sequencer.ts starts files in (longest first).
import { existsSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { readFileTimes, TIMES_FILE } from './sequencer.js';

const SHOWN = 10;

export function mergeFileTimes(
  kept: Map<string, number>,
  measured: { file: string; ms: number }[],
  exists: (file: string) => boolean,
): Record<string, number> {
  const merged = new Map(kept);
  for (const t of measured) merged.set(t.file, Math.round(t.ms / 100) / 10);
  return Object.fromEntries(
    [...merged].filter(([file]) => exists(file)).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

export default class SlowestFiles implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const times = modules
      .map((m) => {
        const d = m.diagnostic();
        return { file: m.relativeModuleId, ms: d.duration + d.collectDuration };
      })
      .sort((a, b) => b.ms - a.ms);
    const total = times.reduce((n, t) => n + t.ms, 0);
    const lines = times.slice(0, SHOWN).map((t) => `  ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.file}`);
    process.stdout.write(
      `\nslowest test files (of ${times.length}, ${(total / 1000).toFixed(0)} s of test time in all):\n${lines.join('\n')}\n`,
    );
    if (process.env.CREDLAKE_WRITE_TEST_TIMES === '1') {
      const seconds = mergeFileTimes(readFileTimes(), times, (file) => existsSync(file));
      writeFileSync(TIMES_FILE, `${JSON.stringify({ seconds }, null, 2)}\n`);
      process.stdout.write(`kept each file's time in ${TIMES_FILE}\n`);
    }
  }
}
