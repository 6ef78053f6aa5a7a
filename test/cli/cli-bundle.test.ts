// The `credlake` command runs from a bundle precompiled into dist/ (scripts/cli-bundle.mjs). It
// must never run stale code: an edited source is in the very next start. A copy of the project
// lets the test edit a source file without touching the real one.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const LEFT_OUT = new Set(['node_modules', '.git', 'dist', 'test', 'test-output', 'cdk.out', 'lake-data']);
const RUN_DESCRIPTION = 'in one go: the main job';

async function credlake(copy: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(copy, 'bin', 'credlake.js'), ...args],
    {
      env: { ...process.env, CREDLAKE_NO_BUNDLE: '', ...env },
    },
  );
  return stdout;
}

const manifest = async (copy: string) =>
  JSON.parse(await readFile(join(copy, 'dist', 'cli.json'), 'utf8')) as {
    bundle: string;
    hash: string;
    inputs: string[];
  };

describe('the precompiled command', () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'credlake-bundle-'));
    for (const name of await readdir(ROOT))
      if (!LEFT_OUT.has(name)) await cp(join(ROOT, name), join(copy, name), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  });

  it('is built on the first start and reused while the sources are unchanged', async () => {
    expect(await credlake(copy, ['--version'])).toMatch(/^\d+\.\d+\.\d+/);
    const first = await manifest(copy);
    expect(first.inputs).toContain('cli/main.ts');
    expect(first.inputs).toContain('collector/collect-run.ts');
    expect(first.inputs.some((f) => f.includes('node_modules'))).toBe(false);
    const built = (await stat(join(copy, 'dist', 'cli.json'))).mtimeMs;
    await credlake(copy, ['--version']);
    expect((await stat(join(copy, 'dist', 'cli.json'))).mtimeMs).toBe(built);
    expect((await manifest(copy)).bundle).toBe(first.bundle);
  });

  it('is rebuilt on the next start after a source file changes', async () => {
    const before = await manifest(copy);
    expect(await credlake(copy, ['--help'])).toContain(RUN_DESCRIPTION);
    const file = join(copy, 'cli', 'commands', 'run.ts');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(RUN_DESCRIPTION, 'in one go: an edited job'),
    );
    const help = await credlake(copy, ['--help']);
    expect(help).toContain('in one go: an edited job');
    expect(help).not.toContain(RUN_DESCRIPTION);
    expect((await manifest(copy)).bundle).not.toBe(before.bundle);
    // The TypeScript itself, through tsx, says the same.
    expect(await credlake(copy, ['--help'], { CREDLAKE_NO_BUNDLE: '1' })).toContain(
      'in one go: an edited job',
    );
  });

  it('runs the TypeScript through tsx where esbuild is not installed', async () => {
    // An install without devDependencies: every package but esbuild (tsx keeps its own).
    const bare = await mkdtemp(join(tmpdir(), 'credlake-bare-'));
    for (const name of await readdir(copy))
      if (name !== 'node_modules' && name !== 'dist')
        await cp(join(copy, name), join(bare, name), { recursive: true });
    await mkdir(join(bare, 'node_modules'));
    for (const name of await readdir(join(ROOT, 'node_modules')))
      if (name !== 'esbuild' && name !== '.bin')
        await symlink(join(ROOT, 'node_modules', name), join(bare, 'node_modules', name));
    expect(await credlake(bare, ['--help'])).toContain('in one go: an edited job');
    await expect(stat(join(bare, 'dist'))).rejects.toThrow(/ENOENT/);
  });
});

describe('what a command loads', () => {
  // A loader hook that names every package the command imports, as Node resolves it.
  const HOOK = `data:text/javascript,${encodeURIComponent(
    `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(s, c, next) {
  if (!/^(\\\\.|\\\\/|node:|file:|data:)/.test(s)) process.stderr.write('package ' + s + '\\\\n');
  return next(s, c);
}\`));`,
  )}`;
  const packagesOf = async (args: string[]) => {
    const { stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', HOOK, join(ROOT, 'bin', 'credlake.js'), ...args],
      { env: { ...process.env, CREDLAKE_NO_BUNDLE: '' } },
    );
    return new Set([...stderr.matchAll(/^package (\S+)$/gm)].map((m) => m[1]));
  };
  const HEAVY = ['@duckdb/node-api', 'exceljs', 'apache-arrow', 'parquet-wasm/node'];

  it('loads no AWS SDK, DuckDB or Parquet writer for --version, and only its own for a subcommand', async () => {
    const version = await packagesOf(['--version']);
    expect([...version].filter((p) => p.startsWith('@aws-sdk/') || HEAVY.includes(p))).toEqual([]);
    // A query on the local lake needs DuckDB, not the AWS SDK (Athena and S3 load when asked for).
    const query = await packagesOf(['query', '--list']);
    expect([...query].filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
    expect([...query].filter((p) => HEAVY.includes(p) && p !== '@duckdb/node-api')).toEqual([]);
    // The hook sees what it should: help for every command loads them all.
    const help = await packagesOf(['--help']);
    for (const p of ['@aws-sdk/client-organizations', 'apache-arrow']) expect(help).toContain(p);
  });
});
