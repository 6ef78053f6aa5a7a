// Every command follows the README's one table of exit codes: 0 done, 1 the work ran and
// something failed, 2 nothing was done (a wrong flag or value, no lake, nothing for that date).
// A command that fails leaves no folder behind that was not there before it.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { reportCsv } from '../helpers/report-csv.ts';

const DATE = '2026-03-10';
const README = join(import.meta.dirname, '..', '..', 'README.md');

describe('exit codes', () => {
  let root: string;
  let lake: string;
  let missing: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'credlake-exit-'));
    lake = join(root, 'lake');
    missing = join(root, 'no-such-lake');
    const r = await runCli([
      'run',
      '--simulate',
      '--accounts',
      '4',
      '--days',
      '1',
      '--date',
      DATE,
      '--lake',
      lake,
    ]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  const cases: [string, () => string[], number, RegExp?][] = [
    ['--version', () => ['--version'], 0],
    ['run with a bad value', () => ['run', '--simulate', '--days', '0', '--lake', missing], 2, /--days/],
    ['collect with a bad account id', () => ['collect', '--accounts', 'abc', '--lake', missing], 2],
    ['query of a snapshot', () => ['query', 'stale_access_keys', '--lake', lake], 0],
    ['query of no lake', () => ['query', 'stale_access_keys', '--lake', missing], 2, /no lake at/],
    [
      'query of a date without data',
      () => ['query', 'stale_access_keys', '--date', '2026-03-09', '--lake', lake],
      2,
      /no snapshot for 2026-03-09/,
    ],
    ['report', () => ['report', '--lake', lake, '--out', join(root, 'r.html')], 0],
    ['report of no lake', () => ['report', '--lake', missing], 2, /no lake at/],
    ['export', () => ['export', '--lake', lake, '--out', join(root, 'out')], 0],
    ['export of no lake', () => ['export', '--lake', missing], 2, /no lake at/],
    ['transform', () => ['transform', '--lake', lake], 0],
    ['transform of no lake', () => ['transform', '--lake', missing], 2, /no lake at/],
    [
      'transform of a date without data',
      () => ['transform', '--date', '2026-03-09', '--lake', lake],
      2,
      /nothing to transform for 2026-03-09/,
    ],
    ['verify', () => ['verify', '--lake', lake], 0],
    ['verify of no lake', () => ['verify', '--lake', missing], 2, /no lake at/],
    [
      'verify of a date without data',
      () => ['verify', '--date', '2026-03-09', '--lake', lake],
      2,
      /nothing to verify for 2026-03-09/,
    ],
    [
      'import of a missing file',
      () => ['import', join(root, 'nope.csv'), '--lake', missing],
      2,
      /no such file or folder/,
    ],
    [
      'a date that is not on the calendar',
      () => ['query', 'stale_access_keys', '--date', '2026-13-01', '--lake', lake],
      2,
      /2026-13-01 is not a calendar date \(there is no month 13\)/,
    ],
    ['an unknown command', () => ['nonsense'], 2],
  ];
  for (const [what, args, code, message] of cases) {
    it(`${what}: exit ${code}`, async () => {
      const r = await runCli(args());
      expect(r.code, r.stderr).toBe(code);
      if (message) expect(r.stderr).toMatch(message);
      if (code === 2) expect(r.stderr.trim().split('\n')[0]).toMatch(/^(credlake: |error: )/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(missing), 'no folder left behind').toBe(false);
    });
  }

  it('--version prints the version of package.json', async () => {
    const r = await runCli(['--version']);
    const { version } = JSON.parse(
      await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    );
    expect(r.stdout.trim()).toBe(version);
  });

  it('a run whose accounts fail exits 1 naming them, after writing the lake', async () => {
    const failing = join(root, 'failing');
    const r = await runCli([
      'run',
      '--simulate',
      '--accounts',
      '3',
      '--days',
      '1',
      '--faults',
      'access_denied=1',
      '--lake',
      failing,
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/failed accounts:/);
    // The whole AccessDenied message: the action and the role are what the reader must fix.
    expect(r.stdout).toMatch(
      /not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\d{12}:role\/CredlakeMemberRole\n/,
    );
    expect(existsSync(join(failing, 'curated', 'collection_runs'))).toBe(true);
  });

  it('an import refused exits 1 and says which account the file belongs to', async () => {
    const other = '999999999999';
    const file = join(root, 'other.csv');
    await writeFile(file, reportCsv(other, [{ user: '<root_account>' }, { user: 'alice' }]));
    const target = join(root, 'import-lake');
    const r = await runCli(['import', file, '--account', '111111111111', '--date', DATE, '--lake', target]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `every row belongs to account ${other} (by its ARN), not 111111111111: if this is account ${other}'s report, import it with --account ${other}`,
    );
    expect(r.stderr).not.toContain('split the file');
    expect(existsSync(target), 'a refused import leaves no lake behind').toBe(false);
  });

  it('a run without AWS credentials says what to do in one line, exit 2, and leaves no lake', async () => {
    const target = join(root, 'no-credentials');
    const r = await runCli(['run', '--lake', target], {
      AWS_PROFILE: 'credlake-test-missing',
      AWS_CONFIG_FILE: join(root, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(root, 'none'),
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^credlake: no AWS credentials for profile credlake-test-missing .*aws sso login.*--simulate/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
  });

  it('the README has one table of these exit codes', async () => {
    const readme = await readFile(README, 'utf8');
    const table = readme.slice(readme.indexOf('## Exit codes'));
    for (const code of ['0', '1', '2', '130'])
      expect(table).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });
});
