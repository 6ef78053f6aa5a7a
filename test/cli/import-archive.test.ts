// Bulk import of the archives other tools write: account and date from each file's path, every
// file reported as imported, skipped or refused; a second run changes nothing; from a folder and
// from an s3:// prefix alike.
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locate } from '../../cli/import-archive.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { runCli } from '../helpers/cli.ts';
import { reportCsv } from '../helpers/report-csv.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';

const report = (account: string) =>
  reportCsv(account, [
    { user: '<root_account>', user_creation_time: '2020-01-01T00:00:00+00:00' },
    { user: 'alice', user_creation_time: '2024-04-01T00:00:00+00:00' },
  ]);

const ARCHIVE: Record<string, string> = {
  '2024-05-01/credentialReport_000000000001.csv': report('000000000001'),
  '2024-05-01/000000000002/report.csv': report('000000000002'),
  'dt=2024-05-02/credentialReport_000000000001.csv': report('000000000001'),
  'notes/summary.csv': 'a,b\n1,2\n',
  '2024-05-02/credentialReport_000000000003.csv': 'User,arn\ntruncated',
};

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3Server(['credlake-archive']);
});
afterAll(async () => {
  await s3?.close();
});

async function folderArchive(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'credlake-archive-'));
  for (const [path, text] of Object.entries(ARCHIVE)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const lines = (stdout: string, status: string) => stdout.split('\n').filter((l) => l.startsWith(status));

describe('locate', () => {
  it('reads the account and date of the common layouts, and says why it cannot', () => {
    expect(locate('2024-05-01/credentialReport_000123456789.csv')).toEqual({
      dt: '2024-05-01',
      accountId: '000123456789',
    });
    expect(locate('reports/dt=2024-05-01/000123456789/x.csv')).toEqual({
      dt: '2024-05-01',
      accountId: '000123456789',
    });
    expect(locate('x/credentialReport_000123456789.csv')).toMatchObject({
      problem: expect.stringContaining('date'),
    });
    expect(locate('2024-05-01/report.csv')).toMatchObject({ problem: expect.stringContaining('account') });
  });
});

describe.each(['folder', 's3'] as const)('credlake import of an archive in a %s', (kind) => {
  it('imports what it can, refuses the rest with why, and a second run changes nothing', async () => {
    const folder = await folderArchive();
    let source = folder;
    const env: Record<string, string> = {};
    if (kind === 's3') {
      const store = new S3Store(s3.client, 'credlake-archive', 'exports/credential-reports');
      for (const [path, text] of Object.entries(ARCHIVE)) await store.put(path, text);
      source = 's3://credlake-archive/exports/credential-reports';
      Object.assign(env, {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
      });
    }
    const lake = join(await mkdtemp(join(tmpdir(), 'credlake-archive-lake-')), 'lake');
    const first = await runCli(['import', source, '--lake', lake, '--quiet'], env);
    expect(first.code, first.stderr).toBe(1);
    expect(lines(first.stdout, 'imported')).toHaveLength(3);
    expect(first.stdout).toMatch(/refused\s+notes\/summary.csv: no folder named for a date/);
    expect(first.stdout).toMatch(
      /refused\s+2024-05-02\/credentialReport_000000000003.csv: credential report of account 000000000003/,
    );
    expect(first.stdout).toContain(`${source}: 3 imported, 0 skipped (already in the lake), 2 refused`);
    const before = (await readdir(lake, { recursive: true })).filter((p) => !p.startsWith('locks')).sort();

    const second = await runCli(['import', source, '--lake', lake, '--quiet'], env);
    expect(second.stdout).toContain(`${source}: 0 imported, 3 skipped (already in the lake), 2 refused`);
    expect((await readdir(lake, { recursive: true })).filter((p) => !p.startsWith('locks')).sort()).toEqual(
      before,
    );

    const coverage = await runCli([
      'query',
      'collection_coverage',
      '--date',
      '2024-05-01',
      '--format',
      'json',
      '--lake',
      lake,
    ]);
    expect(
      JSON.parse(coverage.stdout)
        .map((r: { account_id: string }) => r.account_id)
        .sort(),
    ).toEqual(['000000000001', '000000000002']);
  });
});

it('refuses --account with an archive: each path names its own', async () => {
  const r = await runCli([
    'import',
    await folderArchive(),
    '--account',
    '000000000001',
    '--lake',
    await mkdtemp(join(tmpdir(), 'x-')),
  ]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("is an archive: each file's account and date come from its path");
});
