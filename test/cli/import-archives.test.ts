// Reports as other tools and years left them: a report time guessed only from events and
// recorded as guessed, files holding several accounts refused before a row is filed under the
// wrong one, duplicate users kept and named.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../transforms/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { reportCsv } from '../helpers/report-csv.ts';

const ACCOUNT = '123456789012';
const OTHER = '210987654321';

async function file(name: string, text: string): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'credlake-archive-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return { dir, path };
}

const importArgs = (path: string, dir: string, ...extra: string[]) => [
  'import',
  path,
  '--account',
  ACCOUNT,
  '--date',
  '2016-03-10',
  '--lake',
  join(dir, 'lake'),
  ...extra,
];

async function query(dir: string, name: string) {
  const r = await runCli(['query', name, '--format', 'json', '--lake', join(dir, 'lake')]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

// A 2016 account with a password policy: the next rotation lies 86 days after the report.
const policyReport = reportCsv(ACCOUNT, [
  {
    user: '<root_account>',
    user_creation_time: '2014-05-01T00:00:00+00:00',
    password_last_used: '2016-03-09T10:00:00+00:00',
  },
  {
    user: 'alice',
    user_creation_time: '2014-05-01T00:00:00+00:00',
    password_enabled: 'true',
    password_last_changed: '2016-02-20T08:00:00+00:00',
    password_next_rotation: '2016-06-04T08:00:00+00:00',
    access_key_1_active: 'true',
    access_key_1_last_rotated: '2015-10-01T00:00:00+00:00',
  },
]);

describe('a report imported without --generated-at', () => {
  it('takes its time from events only, never from password_next_rotation, and records it as guessed', async () => {
    const { dir, path } = await file('report.csv', policyReport);
    const r = await runCli(importArgs(path, dir));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'generated at 2016-03-09T10:00:00.000Z: GUESSED from the newest event in the file',
    );
    const keys = await query(dir, 'stale_access_keys');
    expect(keys.map((k) => k.key_age_days)).toEqual([160]);
    const coverage = await query(dir, 'collection_coverage');
    expect(coverage[0]).toMatchObject({ status: 'collected' });
    expect(String(coverage[0].message)).toContain('report time guessed from the newest event in the file');
  });

  it('lets a time given later outrank the guess, and transform keeps it', async () => {
    const { dir, path } = await file('report.csv', policyReport);
    expect((await runCli(importArgs(path, dir))).code).toBe(0);
    const given = await runCli(importArgs(path, dir, '--generated-at', '2016-03-10T12:00:00Z'));
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toContain('generated at 2016-03-10T12:00:00.000Z: as given');
    const transform = await runCli(['transform', '--lake', join(dir, 'lake')]);
    expect(transform.code, transform.stderr).toBe(0);
    const keys = await query(dir, 'stale_access_keys');
    expect(keys.map((k) => k.key_age_days)).toEqual([161]);
    const sources = await runCli([
      'query',
      'collection_coverage',
      '--format',
      'json',
      '--lake',
      join(dir, 'lake'),
    ]);
    expect(JSON.parse(sources.stdout)[0].report_generated_at).toMatch(/^2016-03-10T12:00:00/);
  });

  it('counts event timestamps later than the report time instead of making negative ages', async () => {
    const { dir, path } = await file('report.csv', policyReport);
    const r = await runCli(importArgs(path, dir, '--generated-at', '2016-02-01T00:00:00Z'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/note: 2 timestamp\(s\) later than the report time/);
    // The time was given: the note does not ask for it again.
    expect(r.stdout).toContain('; check the --generated-at given');
    expect(r.stdout).not.toContain('give --generated-at');
    // alice's password changed after the report time: no age, so no old-password finding.
    expect(await query(dir, 'passwords_not_rotated')).toEqual([]);
    const coverage = await query(dir, 'collection_coverage');
    expect(String(coverage[0].message)).toContain('2 timestamp(s) later than the report time');
  });
});

describe('a file holding several accounts', () => {
  it('is refused when rows of another account are concatenated under one header (CRLF)', async () => {
    const a = reportCsv(ACCOUNT, [{ user: '<root_account>' }, { user: 'alice' }]).split('\n');
    const b = reportCsv(OTHER, [{ user: '<root_account>' }, { user: 'bob' }]).split('\n');
    const { dir, path } = await file(
      'merged.csv',
      [...a.filter(Boolean), ...b.slice(1).filter(Boolean)].join('\r\n'),
    );
    const r = await runCli(importArgs(path, dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`rows of other accounts: ${OTHER} (2 rows)`);
    expect(r.stderr).toContain('split the file by account');
    const nothing = await runCli(['query', 'stale_access_keys', '--lake', join(dir, 'lake')]);
    expect(nothing.code).toBe(2);
  });

  it('is refused when an added account_id column names another account', async () => {
    const lines = reportCsv(ACCOUNT, [{ user: '<root_account>' }, { user: 'alice' }])
      .trim()
      .split('\n');
    const withColumn = [
      `${lines[0]},account_id`,
      `${lines[1]},${ACCOUNT}`,
      // A test-style ARN names no account; the added column does.
      `${lines[2].replace(`arn:aws:iam::${ACCOUNT}:user/alice`, 'arn:aws:iam::acct:user/alice')},${OTHER}`,
    ].join('\n');
    const { dir, path } = await file('with-account.csv', withColumn);
    const r = await runCli(importArgs(path, dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`rows of other accounts: ${OTHER} (1 row)`);
  });

  it('accepts test-style ARNs that carry no 12-digit account', async () => {
    const text = reportCsv(ACCOUNT, [{ user: '<root_account>' }, { user: 'alice' }]).replace(
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      'arn:aws:iam::acct:user/alice',
    );
    const { dir, path } = await file('test-style.csv', text);
    expect((await runCli(importArgs(path, dir, '--generated-at', '2016-03-10T00:00:00Z'))).code).toBe(0);
  });
});

describe('duplicate user rows', () => {
  it('keeps every line, as in the evidence, and says so', async () => {
    const lines = reportCsv(ACCOUNT, [
      { user: '<root_account>' },
      { user: 'carol', password_enabled: 'true', password_last_changed: '2016-01-01T00:00:00+00:00' },
    ])
      .trim()
      .split('\n');
    const duplicate = lines[2].replace(/,true,/, ',false,');
    const { dir, path } = await file('dup.csv', `${[...lines, duplicate].join('\n')}\n`);
    const r = await runCli(importArgs(path, dir, '--generated-at', '2016-03-10T00:00:00Z'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('imported 3 rows');
    expect(r.stdout).toContain('note: users on more than one line, every line kept: carol');
    expect(REPORT_COLUMNS.length).toBeGreaterThan(16);
  });
});

describe('root in GovCloud', () => {
  it('has no MFA check (root cannot sign in there), while a root access key is still a finding', async () => {
    const text = reportCsv(ACCOUNT, [
      {
        user: '<root_account>',
        access_key_1_active: 'true',
        access_key_1_last_rotated: '2015-10-01T00:00:00+00:00',
      },
      { user: 'alice' },
    ]).replaceAll('arn:aws:iam::', 'arn:aws-us-gov:iam::');
    const { dir, path } = await file('gov.csv', text);
    expect((await runCli(importArgs(path, dir, '--generated-at', '2016-03-10T00:00:00Z'))).code).toBe(0);
    const findings = (await query(dir, 'root_account_findings')).map((r) => r.finding);
    expect(findings).toEqual(['root_access_key_active']);
  });
});
