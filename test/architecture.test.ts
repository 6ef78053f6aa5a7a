// The dependency rules of DESIGN.md section 1: cli, infra and the handler.ts files sit on top;
// collector, queries and dashboard use transforms and lake; transforms imports nothing of ours
// but its own files; infra imports only declarations, never runtime code.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const FOLDERS = ['cli', 'collector', 'dashboard', 'infra', 'lake', 'queries', 'simulator', 'transforms'];

/** Our own imports of every source file: `folder/file.ts` to the files it imports. */
function imports(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const folder of FOLDERS) {
    for (const entry of readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = relative(ROOT, join(entry.parentPath, entry.name));
      const text = readFileSync(join(ROOT, file), 'utf8');
      const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
        normalize(join(dirname(file), m[1])),
      );
      out.set(file, targets);
    }
  }
  return out;
}

const area = (file: string) => file.split('/')[0];
const isHandler = (file: string) => file.endsWith('/handler.ts');

/** What each area may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  transforms: [],
  lake: ['transforms'],
  collector: ['transforms', 'lake'],
  queries: ['transforms', 'lake'],
  dashboard: ['transforms', 'lake', 'queries'],
  // The simulator's Athena runs the saved queries for real, over the lake.
  simulator: ['transforms', 'lake', 'queries'],
  cli: ['transforms', 'lake', 'collector', 'queries', 'dashboard', 'simulator'],
};

/** The declarations infra may read at synth time. */
const INFRA_MAY_IMPORT = [
  'transforms/schema.ts',
  'transforms/glue-table.ts',
  'queries/catalog.ts',
  'queries/result-columns.ts',
  'dashboard/spec.ts',
  'collector/env-names.ts',
  // The lake's key layout: IAM grants are scoped to its zones.
  'lake/keys.ts',
];

describe('dependency rules', () => {
  const graph = imports();

  it('finds the source files', () => expect(graph.size).toBeGreaterThan(40));

  it('each area imports only the areas below it; handler.ts files sit on top', () => {
    const violations: string[] = [];
    for (const [file, targets] of graph) {
      const from = area(file);
      if (from === 'infra') continue;
      for (const target of targets) {
        const to = area(target);
        if (to === from) continue;
        const allowed = isHandler(file) ? ALLOWED.cli : ALLOWED[from];
        if (!allowed.includes(to) || to === 'cli' || to === 'infra') violations.push(`${file} -> ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('infra imports only declarations (schema, catalog, dashboard spec, env names)', () => {
    const violations = [...graph]
      .filter(([file]) => area(file) === 'infra')
      .flatMap(([file, targets]) =>
        targets
          .filter((t) => area(t) !== 'infra' && !INFRA_MAY_IMPORT.includes(t))
          .map((t) => `${file} -> ${t}`),
      );
    expect(violations).toEqual([]);
  });

  it('the declarations infra reads import nothing but declarations', () => {
    for (const file of INFRA_MAY_IMPORT) {
      const outside = (graph.get(file) ?? []).filter((t) => !INFRA_MAY_IMPORT.includes(t));
      expect(outside, file).toEqual([]);
    }
  });
});
