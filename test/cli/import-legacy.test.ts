// Key use that IAM never recorded: reports written before April 2015 carry no access-key use
// columns, and keys set before 2015-04-22 have no record of use before that day. Unknown use is
// never read as "never used".
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { reportCsv } from '../helpers/report-csv.ts';

const ACCOUNT = '123456789012';

async function importFile(text: string, date: string, generatedAt: string) {
  const dir = await mkdtemp(join(tmpdir(), 'credlake-legacy-'));
  const path = join(dir, 'report.csv');
  await writeFile(path, text);
  const lake = join(dir, 'lake');
  const r = await runCli([
    'import',
    path,
    '--account',
    ACCOUNT,
    '--date',
    date,
    '--generated-at',
    generatedAt,
    '--lake',
    lake,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return { lake, stdout: r.stdout };
}

async function query(lake: string, name: string) {
  const r = await runCli(['query', name, '--format', 'json', '--lake', lake]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

// The 16-column layout of early 2015: no access_key_N_last_used_* columns at all.
const HEADER_2015 =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const arn = (user: string) => `arn:aws:iam::${ACCOUNT}:user/${user}`;
const report2015 = [
  HEADER_2015,
  `<root_account>,arn:aws:iam::${ACCOUNT}:root,2012-03-01T10:00:00+00:00,not_supported,2015-01-20T08:00:00+00:00,not_supported,not_supported,true,false,N/A,false,N/A,false,N/A,false,N/A`,
  // A key-only user whose key is two years old: unused or in daily use, the report cannot say.
  `deploy,${arn('deploy')},2013-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2013-01-01T00:00:00+00:00,false,N/A,false,N/A,false,N/A`,
  // A console user who signed in long ago: password use was recorded, so this is still judged.
  `alice,${arn('alice')},2013-01-01T00:00:00+00:00,true,2014-11-01T00:00:00+00:00,2013-06-01T00:00:00+00:00,N/A,true,false,N/A,false,N/A,false,N/A,false,N/A`,
  // No credentials at all: an unused user whatever the layout.
  `old-svc,${arn('old-svc')},2013-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,false,N/A,false,N/A,false,N/A`,
].join('\r\n');

describe('a report from before April 2015 (16 columns)', () => {
  it('imports with key use unknown: such keys are neither unused credentials nor unused users', async () => {
    const { lake, stdout } = await importFile(report2015, '2015-02-01', '2015-02-01T00:00:00Z');
    expect(stdout).toContain('imported 4 rows');
    expect(stdout).toContain('no access-key use columns');
    expect(stdout).toContain('use of 1 active key(s) is unknown');

    const credentials = await query(lake, 'unused_credentials');
    expect(credentials.map((c) => [c.user_name, c.credential, c.days_unused, c.use_record])).toEqual([
      ['alice', 'password', 92, 'used'],
    ]);
    const users = await query(lake, 'unused_users');
    expect(users.map((u) => [u.user_name, u.reason])).toEqual([
      ['alice', 'inactive'],
      ['old-svc', 'no_active_credentials'],
    ]);
    // The stale-key rule needs only the rotation date, which the old layout has.
    const stale = await query(lake, 'stale_access_keys');
    expect(stale.map((k) => k.user_name)).toEqual(['deploy']);
    // An import reads no posture: those checks say "not evaluated", never an empty pass.
    const admins = await runCli(['query', 'admin_users', '--format', 'json', '--lake', lake]);
    expect(JSON.parse(admins.stdout)).toEqual([]);
    expect(admins.stderr).toContain(
      `admin_users: not evaluated on 1 collected account(s) of 2015-02-01, whose posture was not read`,
    );
    const byAccount = await query(lake, 'findings_by_account');
    expect(byAccount[0]).toMatchObject({ admin_users: null, checks_not_evaluated: 5 });
    expect(byAccount[0]).toMatchObject({ unused_credentials: 1, unused_users: 2, stale_access_keys: 1 });
  });
});

describe('a key set before 2015-04-22, when IAM began recording key use', () => {
  it('reads "no use recorded", counted from 2015-04-22, where a newer key reads "never used"', async () => {
    const text = reportCsv(ACCOUNT, [
      { user: '<root_account>', user_creation_time: '2012-01-01T00:00:00+00:00' },
      {
        user: 'legacy',
        user_creation_time: '2014-01-01T00:00:00+00:00',
        access_key_1_active: 'true',
        access_key_1_last_rotated: '2014-06-01T00:00:00+00:00',
      },
      {
        user: 'newer',
        user_creation_time: '2015-06-01T00:00:00+00:00',
        access_key_1_active: 'true',
        access_key_1_last_rotated: '2015-06-01T00:00:00+00:00',
      },
    ]);
    const { lake, stdout } = await importFile(text, '2016-03-10', '2016-03-10T00:00:00Z');
    expect(stdout).toContain('note: 1 active key(s) set before 2015-04-22');

    const credentials = await query(lake, 'unused_credentials');
    expect(credentials.map((c) => [c.user_name, c.days_unused, c.use_record])).toEqual([
      // 2015-04-22 to 2016-03-10 is 323 days; from its rotation it would read 648.
      ['legacy', 323, 'no_use_recorded'],
      ['newer', 283, 'never_used'],
    ]);
    const users = await query(lake, 'unused_users');
    expect(users.map((u) => [u.user_name, u.reason])).toEqual([
      ['legacy', 'no_use_recorded'],
      ['newer', 'never_used'],
    ]);
  });
});
