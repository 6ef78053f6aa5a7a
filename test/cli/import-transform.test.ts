import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { duckRows } from '../helpers/duckdb.ts';

const fixture = (...p: string[]) => join(import.meta.dirname, '..', 'fixtures', ...p);
const newLake = () => mkdtemp(join(tmpdir(), 'credlake-lake-'));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('credlake import', () => {
  it('writes the exact raw bytes, a curated partition and a collection_runs row', async () => {
    const lake = await newLake();
    const r = await runCli([
      'import',
      fixture('reports', 'basic.csv'),
      '--account',
      '000123456789',
      '--date',
      '2024-05-01',
      '--generated-at',
      '2024-05-01T06:07:08Z',
      '--lake',
      lake,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('imported 4 rows of account 000123456789 for 2024-05-01');
    const raw = join(
      lake,
      'raw/credential_report/dt=2024-05-01/account_id=000123456789/generated_at=2024-05-01T06-07-08Z.csv',
    );
    expect(await readFile(raw)).toEqual(await readFile(fixture('reports', 'basic.csv')));
    const rows = await duckRows(
      `SELECT account_id, user_name, report_generated_at FROM read_parquet('${lake}/curated/credential_report/*/*/*.parquet', hive_partitioning = true, hive_types = {'account_id': VARCHAR}) ORDER BY user_name`,
    );
    expect(rows.map((x) => x.user_name)).toEqual(['<root_account>', 'alice', 'bob', 'ci-deployer']);
    expect(rows[0]).toMatchObject({
      account_id: '000123456789',
      report_generated_at: '2024-05-01T06:07:08.000Z',
    });
    const runs = await duckRows(
      `SELECT status, reason, user_count FROM '${lake}/curated/collection_runs/dt=2024-05-01/data.parquet'`,
    );
    expect(runs).toEqual([{ status: 'collected', reason: 'imported', user_count: 4 }]);
  });

  it("states the report's newest timestamp when --generated-at is not given", async () => {
    const lake = await newLake();
    const r = await runCli([
      'import',
      fixture('reports', 'basic.csv'),
      '--account',
      '000123456789',
      '--date',
      '2024-05-01',
      '--lake',
      lake,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'generated at 2024-04-30T23:59:59.000Z: GUESSED from the newest event in the file (no --generated-at; recorded as guessed)',
    );
  });

  it('rejects a malformed report with account, line and column, and writes nothing', async () => {
    const lake = await newLake();
    const r = await runCli([
      'import',
      fixture('bad', 'bad-timestamp.csv'),
      '--account',
      '000123456789',
      '--date',
      '2024-05-01',
      '--lake',
      lake,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('account 000123456789 (line 3, column password_last_changed)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await filesUnder(lake)).toEqual([]);
  });

  it('rejects bad flags with a clear message, exit code 2 and no stack trace', async () => {
    const cases = [
      [
        ['import', fixture('reports', 'basic.csv'), '--account', '12345', '--date', '2024-05-01'],
        'expected a 12-digit AWS account id, got "12345"',
      ],
      [
        ['import', fixture('reports', 'basic.csv'), '--account', '000123456789', '--date', '2024-02-30'],
        '2024-02-30 is not a calendar date (2024-02 has 29 days, not 30)',
      ],
      [
        [
          'import',
          fixture('reports', 'basic.csv'),
          '--account',
          '000123456789',
          '--date',
          '2024-05-01',
          '--bogus',
        ],
        "unknown option '--bogus'",
      ],
      [
        ['import', '/no/such/file.csv', '--account', '000123456789', '--date', '2024-05-01'],
        'no such file or folder: /no/such/file.csv',
      ],
      [
        ['import', fixture('reports', 'basic.csv'), '--date', '2024-05-01'],
        'importing one file needs --account <12-digit id> and --date <YYYY-MM-DD>',
      ],
    ] as const;
    for (const [args, message] of cases) {
      const r = await runCli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('credlake transform', () => {
  it('rebuilds the same rows from raw, every time', async () => {
    const lake = await newLake();
    // Both fixtures are reports of account 000123456789: one snapshot each.
    for (const [file, date] of [
      ['basic.csv', '2024-05-01'],
      ['quoted-names.csv', '2024-05-02'],
    ]) {
      const r = await runCli([
        'import',
        fixture('reports', file),
        '--account',
        '000123456789',
        '--date',
        date,
        '--lake',
        lake,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    const query = `SELECT * FROM read_parquet('${lake}/curated/credential_report/*/*/*.parquet', hive_partitioning = true, hive_types = {'account_id': VARCHAR}) ORDER BY dt, account_id, user_name`;
    const before = await duckRows(query);
    for (let i = 0; i < 2; i++) {
      const t = await runCli(['transform', '--lake', lake]);
      expect(t.code).toBe(0);
      expect(t.stdout).toContain('2024-05-01: 1 reports, 4 rows');
      expect(t.stdout).toContain('2024-05-02: 1 reports, 4 rows');
      expect(await duckRows(query)).toEqual(before);
    }
    expect(before.filter((r) => r.dt === '2024-05-02').map((r) => r.user_name)).toContain(
      'dev+ops=team,east',
    );
  });

  it('says so when the lake holds nothing to transform (nothing was done: exit 2)', async () => {
    const r = await runCli(['transform', '--lake', await newLake()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing to transform');
  });
});

describe('credlake --help', () => {
  it('documents every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)]
      .map((m) => m[1])
      .filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const command of commands) {
      const r = await runCli([command, '--help']);
      expect(r.code, command).toBe(0);
      expect(r.stdout).toContain(`Usage: credlake ${command}`);
    }
  });
});
