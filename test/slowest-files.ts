// A vitest reporter that prints, after the run, the files that took longest (the time of their
// tests and hooks, import included), so a slow suite says where its time goes.
import type { Reporter, TestModule } from 'vitest/node';

const SHOWN = 10;

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
  }
}
