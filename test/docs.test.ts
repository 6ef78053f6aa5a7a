// Keeps the README and docs/ true to the code: every command has its section, every table and
// column of the schema is in the data model, every saved query in the queries page, every setting
// in the deploy page; every command line shown parses with the CLI's own parser; every relative
// link resolves; nothing cites a document outside the repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../cli/program.ts';
import { CATALOG } from '../queries/catalog.ts';
import { TABLES } from '../transforms/schema.ts';

const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'test/fixtures/README.md',
];

/** A `## heading` section of a page, up to the next heading of the same level. */
function section(file: string, heading: string): string {
  const text = read(file);
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, `${file}: section ${heading}`).toBeGreaterThan(0);
  const end = text.indexOf('\n## ', start + 4);
  return text.slice(start, end < 0 ? undefined : end);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('the README', () => {
  it('shows the two quick-start commands, and stays short', () => {
    expect(section('README.md', 'Quick start')).toContain('npm ci && npm start');
    expect(section('README.md', 'Quick start')).toContain('npm test');
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
  });

  it('names every command in its table, and docs/cli.md has a section for each', async () => {
    const commands = (await createProgram()).commands.map((c) => c.name()).sort();
    const listed = [...section('README.md', 'Commands').matchAll(/^\| `credlake ([a-z]+)`/gm)].map(
      (m) => m[1],
    );
    expect(listed.sort()).toEqual(commands);
    const documented = [...read('docs/cli.md').matchAll(/^## `credlake ([a-z]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(commands);
  });

  it('lists every page of docs/', () => {
    const table = section('README.md', 'Documentation');
    for (const page of DOCS.filter((d) => d.startsWith('docs/') && !d.startsWith('docs/decisions/')))
      expect(table, page).toContain(`](${page})`);
  });
});

describe('docs/data-model.md and docs/queries.md', () => {
  it('lists every table with exactly the columns of transforms/schema.ts', () => {
    const model = read('docs/data-model.md');
    const tables = [...model.matchAll(/^## `([a-z_]+)`/gm)].map((m) => m[1]);
    expect(tables.sort()).toEqual(Object.keys(TABLES).sort());
    for (const table of Object.values(TABLES)) {
      const start = model.indexOf(`## \`${table.name}\``);
      const end = model.indexOf('\n## ', start + 4);
      const columns = [
        ...model.slice(start, end < 0 ? undefined : end).matchAll(/^\| `([a-z0-9_]+)`\s*\|/gm),
      ].map((m) => m[1]);
      const expected = [...table.partitionKeys, ...table.columns].map((c) => c.name);
      expect(columns.sort(), table.name).toEqual([...new Set(expected)].sort());
    }
  });

  it('lists every saved query of the catalog', () => {
    const table = read('docs/queries.md').split('## Benchmarks')[0];
    const queries = [...table.matchAll(/^\| `([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(queries.sort()).toEqual(CATALOG.map((q) => q.name).sort());
  });

  it("names each check's CIS ids per version as the catalog does", () => {
    const table = read('docs/queries.md').split('## Benchmarks')[0];
    for (const row of table.matchAll(/^\| `([a-z_]+)`(.*)$/gm)) {
      const query = CATALOG.find((q) => q.name === row[1])!;
      const cells = row[2].split('|').map((c) => c.trim());
      const ids = (v: '1.4' | '3.0' | '5.0') => query.controls.cis[v].join(', ') || '–';
      expect(query.controls.cis['1.4'], query.name).toEqual(query.controls.cis['3.0']);
      expect([cells[4], cells[5]], query.name).toEqual([ids('1.4'), ids('5.0')]);
    }
  });
});

describe('docs/deploy.md', () => {
  it('lists every CDK setting with its default, as infra/settings.ts declares them', async () => {
    const { SETTINGS_DOC } = await import('../infra/settings.ts');
    const rows = [
      ...section('docs/deploy.md', 'Settings').matchAll(/^\| `([a-zA-Z]+)`\s*\|\s*([^|]+?)\s*\|/gm),
    ].map((m) => [m[1], m[2].trim()]);
    expect(rows).toEqual(SETTINGS_DOC.map((d) => [d.key, d.default]));
  });

  it("says how long each zone is kept as the bucket's lifecycle rules keep it, and prices the raw zone by them", async () => {
    const { testApp } = await import('./helpers/cdk-app.ts');
    const { Template } = await import('aws-cdk-lib/assertions');
    const { DEFAULTS } = await import('../infra/settings.ts');
    const bucket = Object.values(
      Template.fromStack(testApp().pipeline).findResources('AWS::S3::Bucket'),
    ).find((b) => b.Properties.ObjectLockEnabled)!;
    const rules = bucket.Properties.LifecycleConfiguration.Rules as {
      Prefix?: string;
      ExpirationInDays?: number;
      NoncurrentVersionExpiration?: { NoncurrentDays: number };
    }[];
    const text = section('docs/deploy.md', 'Where everything lands');
    const settingOf: Record<string, number> = {
      rawRetentionDays: DEFAULTS.rawRetentionDays,
      exportsRetentionDays: DEFAULTS.exportsRetentionDays,
      athenaResultsRetentionDays: DEFAULTS.athenaResultsRetentionDays,
    };
    for (const row of text.matchAll(/^\| `([a-z_-]+\/)[^|]*\|[^|]*\|\s*(?:at most )?`(\w+)`/gm)) {
      const rule = rules.find((r) => r.Prefix === row[1]);
      expect(rule?.ExpirationInDays, row[1]).toBe(settingOf[row[2]]);
      expect(rule?.NoncurrentVersionExpiration?.NoncurrentDays, row[1]).toBe(1);
    }
    expect(text).toContain('removes that version one day later');
    // The cost paragraph: 12 MB a year for the default years, priced at $0.023 per GB-month.
    const cost = section('docs/deploy.md', 'What it costs');
    const years = DEFAULTS.rawRetentionDays / 365;
    expect(cost).toContain(`default ${years} years settle at about 85 MB per account`);
    expect(Math.abs(12 * years - 85)).toBeLessThan(2);
    for (const [accounts, dollars] of [
      [100, '$0.20'],
      [1000, '$2 per 1,000'],
      [10000, '$20 per 10,000'],
    ] as const) {
      expect(cost).toContain(dollars);
      const monthly = ((85 * accounts) / 1000) * 0.023;
      expect(Math.abs(monthly - Number(dollars.split(' ')[0].slice(1))) / monthly).toBeLessThan(0.05);
    }
  });

  it('shows the key policy an existing key needs exactly as synth prints it', async () => {
    const { existingKeyPolicy } = await import('../infra/key-policy.ts');
    const block = /```json\n([\s\S]*?)```/.exec(section('docs/deploy.md', 'An existing KMS key'))?.[1];
    expect(JSON.parse(block ?? 'null')).toEqual(
      existingKeyPolicy({ partition: 'aws', region: 'REGION', account: 'TOOLING' }),
    );
  });
});

/** Every `credlake` command line of the ```sh blocks of a page, as the arguments it passes. */
function commandLines(file: string): string[][] {
  const lines: string[][] = [];
  for (const block of read(file).matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = block[1].replace(/\\\n\s*/g, ' ');
    for (const raw of joined.split('\n')) {
      const line = raw
        .replace(/\s+#.*$/, '')
        .replace(/^(\w+=\S+\s+)+/, '')
        .split(/\s[|>]\s/)[0]
        .trim();
      const m = /^(?:npx credlake|npm start(?: --)?)(?:\s|$)(.*)$/.exec(line);
      if (!m) continue;
      const args = m[1].split(/\s+/).filter(Boolean);
      lines.push(line.startsWith('npm start') ? ['run', '--simulate', ...args] : args);
    }
  }
  return lines;
}

/** The CLI's own parser with every action replaced by nothing: flags and values are checked, nothing runs. */
async function parse(args: string[]): Promise<string | undefined> {
  const program = await createProgram();
  const quiet = (c: Command) => {
    c.configureOutput({ writeOut: () => {}, writeErr: () => {} });
    c.action(() => {});
    for (const sub of c.commands) quiet(sub);
  };
  quiet(program);
  try {
    await program.parseAsync(['node', 'credlake', ...args]);
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return undefined;
    return error instanceof Error ? error.message : String(error);
  }
}

describe('every command line shown', () => {
  for (const file of DOCS) {
    const lines = commandLines(file);
    if (lines.length === 0) continue;
    it(`in ${file} parses with the CLI's own parser`, async () => {
      const failures: string[] = [];
      for (const args of lines) {
        const problem = await parse(args);
        if (problem) failures.push(`credlake ${args.join(' ')}: ${problem}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('is checked: a line with an unknown flag or a bad value fails to parse', async () => {
    expect(await parse(['query', 'stale_access_keys', '--no-such-flag'])).toMatch(/unknown option/);
    expect(await parse(['collect', '--date', '2026-13-01'])).toMatch(/not a calendar date/);
    expect(await parse(['export', '--lake', './x'])).toBeUndefined();
  });
});

describe('links', () => {
  it('every relative link and anchor resolves', () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      const text = read(file).replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const resolved = path ? relative(ROOT, join(ROOT, dirname(file), path)) : file;
        if (!existsSync(join(ROOT, resolved))) {
          broken.push(`${file}: ${target} (no ${resolved})`);
          continue;
        }
        if (anchor && resolved.endsWith('.md')) {
          const headings = [
            ...read(resolved)
              .replace(/```[\s\S]*?```/g, '')
              .matchAll(/^#+ (.+)$/gm),
          ].map((h) => slug(h[1]));
          if (!headings.includes(anchor))
            broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing in the repository cites a document outside it', () => {
    const citing: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        if (['node_modules', '.git', 'test-output', 'lake-data'].includes(e.name)) continue;
        const path = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path);
        else if (/\.(ts|md|sql|json|js|mjs)$/.test(e.name) && e.name !== 'package-lock.json')
          if (read(path).includes(['DESIGN', 'md'].join('.'))) citing.push(path);
      }
    };
    walk('');
    expect(citing).toEqual([]);
  });
});
