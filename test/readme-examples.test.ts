// The README's quick start does what it says, in the order it shows it: `npm start` prints the
// sample's lines (every line, with only dates, run ids, timings and counts free to differ), the
// fault example that follows exits 1 naming failed accounts, and the query after it reads the
// lake. Node.js versions agree between package.json, the README and the dependencies.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const quickStart = readme.slice(
  readme.indexOf('## Quick start'),
  readme.indexOf('\n## ', readme.indexOf('## Quick start') + 4),
);

/** Runs an npm script line of the README (`npm start -- ...`, `npx credlake ...`) in a folder, as a user would. */
function shell(line: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // In the project folder npm finds package.json; elsewhere the bin is what `npx credlake` runs.
  const args = line.replace(/^npm start(?: --)?/, 'run --simulate').replace(/^npx credlake /, '');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'credlake.js'), ...args.split(/\s+/).filter(Boolean)],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A sample line as a pattern: its words exact, its numbers, dates, run ids and times free. */
function shape(line: string): RegExp {
  const token =
    /(\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4})|(\d{4}-\d{2}-\d{2})|([a-z0-9-]+ \(\d+\))|((?<![\w.-])\d+(?:\.\d+)?(?![\w-]))|( +)/g;
  let pattern = '';
  let at = 0;
  for (const m of line.trimEnd().matchAll(token)) {
    pattern += line.slice(at, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (m[1]) pattern += '\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f]{4}';
    else if (m[2]) pattern += '\\d{4}-\\d{2}-\\d{2}';
    // Which accounts have the most findings is the organization's, not the format's.
    else if (m[3]) pattern += '[a-z0-9-]+ \\(\\d+\\)';
    else if (m[4]) pattern += '\\d+(?:\\.\\d+)?';
    else pattern += ' +';
    at = m.index + m[0].length;
  }
  pattern += line
    .trimEnd()
    .slice(at)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${pattern}$`);
}

describe('the README quick start, run as shown', () => {
  let cwd: string;
  let start: Awaited<ReturnType<typeof shell>>;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'credlake-readme-'));
    start = await shell('npm start', cwd);
  }, 120_000);

  it('npm start prints every line of the sample, in order', () => {
    expect(start.code, start.stderr).toBe(0);
    const sample = /```\n(run \d{8}T[\s\S]*?)```/.exec(quickStart)?.[1];
    expect(sample, 'the sample output in the quick start').toBeDefined();
    const lines = sample!.trimEnd().split('\n');
    const printed = start.stdout.trimEnd().split('\n');
    expect(printed).toHaveLength(lines.length);
    for (const [i, line] of lines.entries()) expect(printed[i], `line ${i + 1}`).toMatch(shape(line));
  });

  it('the fault example after it collects into its own lake and exits 1 naming the failed accounts', async () => {
    const line = /^npm start -- --lake \S+ .*--faults \S+$/m.exec(quickStart)?.[0];
    expect(line, 'the fault example').toBeDefined();
    const r = await shell(line!, cwd);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/failed accounts:\n {2}\d{12} /);
    // Throttling was retried, not reported; every account of the organization has its outcome.
    expect(r.stderr).not.toContain('Rate exceeded');
    const lake = /--lake (\S+)/.exec(line!)![1];
    const coverage = await shell(`npx credlake query collection_coverage --format json --lake ${lake}`, cwd);
    expect(JSON.parse(coverage.stdout)).toHaveLength(30);
    const query = /`(npx credlake query \w+)`/.exec(quickStart)?.[1];
    const q = await shell(query!, cwd);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/\(\d+ rows\)/);
  });
});

describe('Node.js versions', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    engines: { node: string };
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const engines = (name: string) =>
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        engines?: { node?: string };
      }
    ).engines?.node;
  /** Whether an engines range admits some Node.js 20 (`>=N`, `^N`, `>= N.x`, alternatives with `||`). */
  const admits20 = (range: string | undefined) =>
    !range ||
    range.split('||').some((part) => {
      const major = Number(/\d+/.exec(part)?.[0] ?? 0);
      return part.trim().startsWith('^') ? major === 20 : major <= 20;
    });

  it('package.json and the README name the same lowest version', () => {
    expect(pkg.engines.node).toBe('>=20');
    expect(quickStart).toContain('Node.js 20 or later');
  });

  it('every runtime dependency runs on it', () => {
    const above = Object.keys(pkg.dependencies).filter((d) => !admits20(engines(d)));
    expect(above).toEqual([]);
  });

  it('a test-only dependency that asks for more is named in the README with the reason', () => {
    const above = Object.keys(pkg.devDependencies).filter((d) => !admits20(engines(d)));
    expect(above).toEqual(['aws-local-stepfunctions']);
    const section = readme.slice(readme.indexOf('## Node.js versions'));
    for (const d of above) expect(section, d).toContain(`\`${d}\``);
  });
});
