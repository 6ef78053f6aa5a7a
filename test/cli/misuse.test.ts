// The mistakes users make: every usage error says what was
// wrong, the value and what was expected (exit 2); nothing hangs; a closed pipe is success.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const lake = () => mkdtemp(join(tmpdir(), 'credlake-misuse-'));

describe('usage errors say what was wrong, the value and what was expected', () => {
  const cases: [string[], RegExp][] = [
    [
      ['collect', '--accounts', 'abc'],
      /--accounts "abc": "abc" is not a 12-digit account id; expected 12-digit/,
    ],
    [['collect', '--accounts', '12345678901'], /"12345678901" is not a 12-digit account id/],
    [['run', '--simulate', '--accounts', '-5'], /--accounts "-5": .*expected a number of simulated accounts/],
    [
      ['run', '--simulate', '--accounts', '0'],
      /--accounts 0: expected a simulated account count of at least 1/,
    ],
    [['collect', '--seed', '3'], /--seed only describes a simulated organization: add --simulate/],
    [
      ['collect', '--faults', 'throttle=0.1', '--latency', 'fast'],
      /--faults, --latency only describe a simulated/,
    ],
    [['collect', '--date', '2099-01-01'], /--date 2099-01-01 is in the future/],
    [
      ['import', 'report.csv', '--account', '123456789012', '--date', '2099-01-01'],
      /2099-01-01 is in the future: expected today \(\d{4}-\d{2}-\d{2}, UTC\) or an earlier date/,
    ],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const r = await runCli([...args, '--lake', await lake()]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('refuses an OU or account id that is not in the organization instead of excluding every account', async () => {
    const ou = await runCli([
      'collect',
      '--simulate',
      '--accounts',
      '5',
      '--ous',
      'ou-zzzz-zzzzzzzz',
      '--lake',
      await lake(),
    ]);
    expect(ou.code, ou.stderr).toBe(2);
    expect(ou.stderr).toMatch(
      /OU ou-zzzz-zzzzzzzz is not in the organization o-\w+: expected ids of its accounts/,
    );
    const account = await runCli([
      'collect',
      '--simulate',
      '--exclude-accounts',
      '999999999999',
      '--lake',
      await lake(),
    ]);
    expect(account.code, account.stderr).toBe(2);
    expect(account.stderr).toContain('account 999999999999 (to exclude) is not in the organization');
  });

  it('says a busy --port is in use', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await runCli(['simulate', '--port', String(port)]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--port ${port}: the port is in use`);
    } finally {
      server.close();
    }
  });
});

describe('--no-posture', () => {
  it('collects the credential report alone: no posture or privileges read or recorded', async () => {
    const dir = await lake();
    const r = await runCli([
      'collect',
      '--simulate',
      '--accounts',
      '4',
      '--no-posture',
      '--lake',
      dir,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const q = await runCli(['query', 'admin_users', '--format', 'json', '--lake', dir]);
    expect(JSON.parse(q.stdout)).toEqual([]);
    const coverage = await runCli(['query', 'collection_coverage', '--format', 'json', '--lake', dir]);
    const rows = JSON.parse(coverage.stdout) as { status: string; posture_failed: boolean | null }[];
    expect(rows.filter((row) => row.status === 'collected').length).toBeGreaterThan(0);
    expect(rows.every((row) => row.posture_failed === null)).toBe(true);
  });
});

describe('lake paths', () => {
  it('works in a folder whose name holds glob characters', async () => {
    const dir = join(await lake(), 'lake[1]*?');
    const made = await runCli([
      'run',
      '--simulate',
      '--days',
      '1',
      '--accounts',
      '4',
      '--lake',
      dir,
      '--quiet',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const q = await runCli(['query', 'collection_coverage', '--format', 'json', '--lake', dir]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toHaveLength(4);
  });

  it('says a lake it cannot write is read-only or not permitted, not that a file is missing', async () => {
    // A read-only mount where the machine allows one (root in a sandbox does), else /sys.
    const mount = join(await lake(), 'ro');
    await mkdir(mount);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro', 'none', mount]).status === 0;
    try {
      const target = mounted ? join(mount, 'lake') : '/sys/credlake-lake';
      const r = await runCli(['collect', '--simulate', '--accounts', '2', '--lake', target]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /cannot write to the lake at .*: (the file system is read-only|permission denied|operation not permitted)/,
      );
      expect(r.stderr).not.toContain('ENOENT');
    } finally {
      if (mounted) spawnSync('umount', [mount]);
    }
  });
});

describe('a closed pipe', () => {
  it('ends `credlake query ... | head` quietly with success', async () => {
    const dir = await lake();
    const made = await runCli([
      'run',
      '--simulate',
      '--days',
      '1',
      '--accounts',
      '6',
      '--lake',
      dir,
      '--quiet',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const child = spawn(process.execPath, [
      join(import.meta.dirname, '..', '..', 'bin', 'credlake.js'),
      'query',
      'stale_access_keys',
      '--format',
      'csv',
      '--lake',
      dir,
    ]);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // Read one chunk, then close the pipe as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
