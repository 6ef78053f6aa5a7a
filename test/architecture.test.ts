// The dependency rules of docs/architecture.md, over relative and package imports alike: cli,
// infra and the handler.ts files sit on top; collector, queries and dashboard use transforms and
// lake; the collector curates through curation/, which does no I/O of its own; transforms does
// no I/O and imports nothing of ours but its own files; the collector's
// core stays free of the AWS SDK and its adapters; each handler wires only its own area, the AWS
// adapters and the lake; infra imports only declarations; common/ holds the pure declarations
// (environment names, defaults) the areas share. Each rule is a pure function of the
// import graph, and each is shown to fail on an import that breaks it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const FOLDERS = [
  'cli',
  'collector',
  'common',
  'curation',
  'dashboard',
  'infra',
  'lake',
  'queries',
  'simulator',
  'transforms',
];

/** Source file -> what it imports: our files as `folder/file.ts`, packages as written. */
type Graph = Map<string, string[]>;

/**
 * What a file imports, in every form a specifier takes: `import`/`export ... from`, dynamic
 * `import()` and `require()`, single or double quotes; a relative one as the file it names
 * (`x`, `x.js` and `x.ts` are all `x.ts`, a folder its `index.ts`), a package as written.
 */
function targetsOf(file: string, text: string): string[] {
  const forms = [
    // import/export ... from '...' on one line, and the closing line of a multi-line one
    /^\s*(?:import|export)\b[^'"\n]*?\bfrom\s*(['"])([^'"\s]+)\1/gm,
    /^\s*\}\s*from\s*(['"])([^'"\s]+)\1/gm,
    // import '...' for its effects
    /^\s*import\s*(['"])([^'"\s]+)\1/gm,
    // import('...') and require('...')
    /\b(?:import|require)\s*\(\s*(['"])([^'"\s]+)\1\s*\)/g,
  ];
  const found = forms
    .flatMap((re) => [...text.matchAll(re)].map((m) => ({ at: m.index, spec: m[2] })))
    .sort((a, b) => a.at - b.at);
  return found.map(({ spec }) => {
    if (!spec.startsWith('.')) return spec;
    const path = normalize(join(dirname(file), spec));
    if (path.endsWith('.ts')) return path;
    if (/\.[cm]?js$/.test(path)) return path.replace(/\.[cm]?js$/, '.ts');
    return existsSync(join(ROOT, path)) && !existsSync(join(ROOT, `${path}.ts`))
      ? `${path}/index.ts`
      : `${path}.ts`;
  });
}

function imports(): Graph {
  const out: Graph = new Map();
  for (const folder of FOLDERS) {
    for (const entry of readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = relative(ROOT, join(entry.parentPath, entry.name));
      out.set(file, targetsOf(file, readFileSync(join(ROOT, file), 'utf8')));
    }
  }
  return out;
}

const isOurs = (target: string) => target.endsWith('.ts') && FOLDERS.includes(target.split('/')[0]);
const area = (file: string) => file.split('/')[0];
const isHandler = (file: string) => file.endsWith('/handler.ts');

/** What each area may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  // Pure declarations every area reads: the Lambda environment's names and the defaults.
  common: [],
  transforms: [],
  lake: ['transforms'],
  // Raw bytes in, curated objects out: the stage the collector, import and transform share.
  curation: ['transforms', 'lake'],
  collector: ['common', 'transforms', 'lake', 'curation'],
  queries: ['common', 'transforms', 'lake'],
  dashboard: ['transforms', 'lake', 'queries'],
  // The simulator's Athena runs the saved queries for real, over the lake.
  simulator: ['common', 'transforms', 'lake', 'queries'],
  cli: ['common', 'transforms', 'lake', 'curation', 'collector', 'queries', 'dashboard', 'simulator'],
};

/** The declarations infra may read at synth time. */
const INFRA_MAY_IMPORT = [
  'transforms/schema.ts',
  'lake/glue-table.ts',
  'queries/catalog.ts',
  'queries/result-columns.ts',
  // The benchmark's values written into each named query's params CTE, and what that needs.
  'queries/sql-params.ts',
  'queries/errors.ts',
  'transforms/dates.ts',
  // The summaries' SQL, generated from the catalog.
  'queries/summary-sql.ts',
  'dashboard/spec.ts',
  'common/env-names.ts',
  'common/defaults.ts',
  // The lake's key layout: IAM grants and lifecycle rules are scoped to its zones.
  'lake/keys.ts',
];

/**
 * The only packages transforms/ may import: pure parsing and encoding, nothing that reaches a
 * disk, a network, a process or a thread. An allowlist, so a new module is a decision.
 */
const TRANSFORMS_PACKAGES = ['apache-arrow', 'parquet-wasm/node', 'csv-parse/sync'];
const AWS_SDK = /^@aws-sdk\/|^@smithy\//;

type Rule = (graph: Graph) => string[];

const edges = (graph: Graph) =>
  [...graph].flatMap(([file, targets]) => targets.map((t) => [file, t] as const));

const RULES: Record<string, Rule> = {
  // The IAM engine of the deployed-path tests is AGPL-3.0: a devDependency only test/ may import.
  'no source, bundle or CLI path imports the test-only IAM engine': (graph) =>
    edges(graph)
      .filter(([, target]) => target.startsWith('@cloud-copilot/'))
      .map(([file, target]) => `${file} -> ${target}`),
  'each area imports only the areas below it; handler.ts files sit on top': (graph) =>
    edges(graph)
      .filter(([file, target]) => area(file) !== 'infra' && isOurs(target) && area(target) !== area(file))
      .filter(([file, target]) => {
        const allowed = isHandler(file) ? ALLOWED.cli : ALLOWED[area(file)];
        return !allowed.includes(area(target)) || ['cli', 'infra'].includes(area(target));
      })
      .map(([file, target]) => `${file} -> ${target}`),

  'transforms/ does no I/O: its own files and an allowlist of pure packages only': (graph) =>
    edges(graph)
      .filter(([file]) => area(file) === 'transforms')
      .filter(
        ([, target]) =>
          !(isOurs(target) && area(target) === 'transforms') && !TRANSFORMS_PACKAGES.includes(target),
      )
      .map(([file, target]) => `${file} -> ${target}`),

  'curation/ does no I/O of its own: it imports our code and no package (it writes through the lake)': (
    graph,
  ) =>
    edges(graph)
      .filter(([file, target]) => area(file) === 'curation' && !isOurs(target))
      .map(([file, target]) => `${file} -> ${target}`),

  "the collector's core uses neither the AWS SDK nor its adapters in collector/aws/": (graph) =>
    edges(graph)
      .filter(
        ([file]) => area(file) === 'collector' && !file.startsWith('collector/aws/') && !isHandler(file),
      )
      .filter(([, target]) => AWS_SDK.test(target) || target.startsWith('collector/aws/'))
      .map(([file, target]) => `${file} -> ${target}`),

  'each handler wires only its own area, the AWS adapters, the lake and the env names': (graph) =>
    edges(graph)
      .filter(([file, target]) => isHandler(file) && isOurs(target))
      .filter(([file, target]) => ![area(file), 'lake', 'transforms', 'common'].includes(area(target)))
      .map(([file, target]) => `${file} -> ${target}`),

  'infra imports only declarations (schema, catalog, dashboard spec, env names, lake keys)': (graph) =>
    edges(graph)
      .filter(([file, target]) => area(file) === 'infra' && isOurs(target) && area(target) !== 'infra')
      .filter(([, target]) => !INFRA_MAY_IMPORT.includes(target))
      .map(([file, target]) => `${file} -> ${target}`),

  'the declarations infra reads import nothing but declarations': (graph) =>
    INFRA_MAY_IMPORT.flatMap((file) =>
      (graph.get(file) ?? [])
        .filter((t) => isOurs(t) && !INFRA_MAY_IMPORT.includes(t))
        .map((t) => `${file} -> ${t}`),
    ),
};

/** For each rule, an import that breaks it: the rule must name it. */
const VIOLATIONS: Record<string, [string, string]> = {
  'no source, bundle or CLI path imports the test-only IAM engine': [
    'collector/handler.ts',
    '@cloud-copilot/iam-simulate',
  ],
  'each area imports only the areas below it; handler.ts files sit on top': [
    'lake/keys.ts',
    'collector/outcome.ts',
  ],
  'transforms/ does no I/O: its own files and an allowlist of pure packages only': [
    'transforms/schema.ts',
    'node:worker_threads',
  ],
  'curation/ does no I/O of its own: it imports our code and no package (it writes through the lake)': [
    'curation/report.ts',
    'node:os',
  ],
  "the collector's core uses neither the AWS SDK nor its adapters in collector/aws/": [
    'collector/run-steps.ts',
    '@aws-sdk/client-s3',
  ],
  'each handler wires only its own area, the AWS adapters, the lake and the env names': [
    'queries/handler.ts',
    'collector/env.ts',
  ],
  'infra imports only declarations (schema, catalog, dashboard spec, env names, lake keys)': [
    'infra/functions.ts',
    'collector/run-steps.ts',
  ],
  'the declarations infra reads import nothing but declarations': ['lake/keys.ts', 'lake/store.ts'],
};

describe('dependency rules', () => {
  const graph = imports();

  it('finds the source files and their package imports', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get('collector/handler.ts')).toContain('@aws-sdk/client-s3');
  });

  for (const [name, rule] of Object.entries(RULES)) {
    it(name, () => expect(rule(graph)).toEqual([]));

    it(`${name}: fails on a violating import`, () => {
      const [file, target] = VIOLATIONS[name];
      const broken: Graph = new Map(graph);
      broken.set(file, [...(graph.get(file) ?? []), target]);
      expect(rule(broken)).toContain(`${file} -> ${target}`);
    });
  }

  it('sees an import of ours however it is written: extensionless, .js, double quotes, re-export, dynamic', () => {
    const text = [
      "import { a } from '../collector/outcome.js';",
      'import b from "../collector/outcome";',
      "export { c } from '../lake/keys';",
      "const d = await import('../queries/catalog.js');",
    ].join('\n');
    expect(targetsOf('transforms/x.ts', text)).toEqual([
      'collector/outcome.ts',
      'collector/outcome.ts',
      'lake/keys.ts',
      'queries/catalog.ts',
    ]);
    const broken: Graph = new Map(graph);
    broken.set('transforms/schema.ts', targetsOf('transforms/schema.ts', text));
    expect(RULES['each area imports only the areas below it; handler.ts files sit on top'](broken)).toEqual([
      'transforms/schema.ts -> collector/outcome.ts',
      'transforms/schema.ts -> collector/outcome.ts',
      'transforms/schema.ts -> lake/keys.ts',
      'transforms/schema.ts -> queries/catalog.ts',
    ]);
  });

  it('transforms/ refuses modules a denylist would miss (threads, os)', () => {
    const rule = RULES['transforms/ does no I/O: its own files and an allowlist of pure packages only'];
    for (const module of ['node:os', 'node:worker_threads', 'os']) {
      const broken: Graph = new Map(graph);
      broken.set('transforms/dates.ts', [...(graph.get('transforms/dates.ts') ?? []), module]);
      expect(rule(broken)).toEqual([`transforms/dates.ts -> ${module}`]);
    }
  });

  it('the collector core also avoids the SDK through another package name', () => {
    const broken: Graph = new Map(graph);
    broken.set('collector/journal.ts', [...(graph.get('collector/journal.ts') ?? []), '@smithy/types']);
    expect(
      RULES["the collector's core uses neither the AWS SDK nor its adapters in collector/aws/"](broken),
    ).toEqual(['collector/journal.ts -> @smithy/types']);
  });
});
