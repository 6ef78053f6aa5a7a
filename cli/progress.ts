// Progress of a run on stderr: a bar redrawn in place on a terminal, a plain line every few
// seconds otherwise (CI logs, pipes). Results go to stdout, so output stays pipeable.
import type { ProgressEvent } from '../collector/collect-run.ts';

export interface ProgressReporter {
  update(event: ProgressEvent): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream, quiet = false): ProgressReporter {
  if (quiet) return { update() {}, finish() {} };
  const started = performance.now();
  let last = 0;
  let lastEvent: ProgressEvent | undefined;
  const line = (e: ProgressEvent) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? e.done / seconds : 0;
    const w = e.waiting;
    const waits = w?.accounts
      ? `, ${w.accounts} waiting for IAM to generate their report (longest ${Math.round(w.longestMs / 1000)} s of ${Math.round(w.deadlineMs / 1000)} s allowed)`
      : '';
    return `${e.done}/${e.total} accounts, ${e.failed} failed, ${e.inFlight} in flight${waits}, ${rate.toFixed(1)}/s`;
  };
  if (stream.isTTY) {
    return {
      update(e) {
        lastEvent = e;
        const now = performance.now();
        if (now - last < 100 && e.done < e.total) return;
        last = now;
        const width = 24;
        const filled = e.total ? Math.round((e.done / e.total) * width) : width;
        stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(e)}`);
      },
      finish() {
        if (lastEvent) stream.write('\n');
      },
    };
  }
  return {
    update(e) {
      lastEvent = e;
      const now = performance.now();
      if (now - last < 5_000 && e.done < e.total) return;
      last = now;
      stream.write(`collecting: ${line(e)}\n`);
    },
    finish() {},
  };
}
