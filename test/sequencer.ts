// The order vitest starts test files in. Its own order needs the timings of an earlier run on this
// machine; a fresh clone (CI) has none, so vitest falls back to file size and the slowest small
// files start last and run alone at the end while the other workers wait. This order reads the
// times kept in test/file-times.json (written by the slowest-files reporter, see CONTRIBUTING.md)
// and starts the longest first, so the tail is made of short files. Files with no time yet (new
// ones) go ahead of them, as vitest does with unknown files, the larger first.
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const TIMES_FILE = join(import.meta.dirname, 'file-times.json');

/** Seconds each test file took in the run that wrote the file, by path from the repository root. */
export function readFileTimes(path = TIMES_FILE): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return new Map();
  }
  const parsed = JSON.parse(text) as { seconds?: Record<string, number> };
  return new Map(Object.entries(parsed.seconds ?? {}));
}

/** Test files ordered longest first by their kept time; unknown files ahead, larger first. */
export function orderByTime<T>(
  files: { item: T; key: string; size: number }[],
  times: Map<string, number>,
): T[] {
  const weight = (key: string): number => times.get(key) ?? Number.POSITIVE_INFINITY;
  return files
    .map((f) => ({ ...f, weight: weight(f.key) }))
    .sort((a, b) => (a.weight === b.weight ? b.size - a.size : b.weight - a.weight))
    .map((f) => f.item);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const times = readFileTimes();
    const root = this.ctx.config.root;
    return orderByTime(
      files.map((f) => ({
        item: f,
        key: relative(root, f.moduleId).split('\\').join('/'),
        size: sizeOf(f.moduleId),
      })),
      times,
    );
  }
}
