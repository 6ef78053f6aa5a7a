// The curation stage's pure part: a raw report's exact bytes in, the curated object out (key and
// Parquet bytes, read back by DuckDB), or a typed rejection; nothing is written either way.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountsObject } from '../../curation/day-tables.ts';
import { curateReport } from '../../curation/report.ts';
import { curatedKey, parseRawReportKey, rawReportKey } from '../../lake/keys.ts';
import { MalformedReportError } from '../../transforms/errors.ts';
import { duckRows as queryRows } from '../helpers/duckdb.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const ref = parseRawReportKey(
  rawReportKey('2024-05-01', '000123456789', Date.parse('2024-05-01T06:07:08Z')),
)!;

describe('curateReport', () => {
  it('turns a report into its account partition: the key, and Parquet any reader gets the rows from', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'reports', 'basic.csv')));
    const curated = curateReport(ref, bytes, { runId: 'r1', accountName: 'Fixture Account' });
    if (!curated.ok) throw curated.rejection;
    expect(curated.object.key).toBe(curatedKey('credential_report', '2024-05-01', '000123456789'));
    expect(curated.object.rows).toBe(4);
    const path = join(await mkdtemp(join(tmpdir(), 'credlake-curation-')), 'data.parquet');
    await writeFile(path, curated.object.body);
    const rows = await queryRows(`SELECT user_name, run_id FROM read_parquet('${path}') ORDER BY user_name`);
    expect(rows.map((r) => r.user_name)).toEqual(['<root_account>', 'alice', 'bob', 'ci-deployer']);
    expect(new Set(rows.map((r) => r.run_id))).toEqual(new Set(['r1']));
  });

  it('rejects a malformed report with a typed rejection naming line and column, and returns no object', () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'bad', 'bad-timestamp.csv')));
    const curated = curateReport(ref, bytes, { runId: 'r1', accountName: null });
    expect(curated.ok).toBe(false);
    if (curated.ok) return;
    expect(curated.rejection).toBeInstanceOf(MalformedReportError);
    expect(curated.rejection.line).toBe(3);
    expect(curated.rejection.column).toBe('password_last_changed');
  });

  it('leaves run_id empty when the run that fetched the bytes is unknown', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'reports', 'basic.csv')));
    const curated = curateReport(ref, bytes, { runId: null, accountName: null });
    if (!curated.ok) throw curated.rejection;
    const path = join(await mkdtemp(join(tmpdir(), 'credlake-curation-')), 'data.parquet');
    await writeFile(path, curated.object.body);
    const rows = await queryRows(`SELECT count(*) AS n FROM read_parquet('${path}') WHERE run_id IS NULL`);
    expect(Number(rows[0].n)).toBe(4);
  });
});

describe('accountsObject', () => {
  it('marks the management account, and says NULL when the snapshot came from a plain list', async () => {
    const accounts = [
      {
        accountId: '111111111111',
        name: 'mgmt',
        email: null,
        state: 'ACTIVE',
        ouPath: 'Root',
        joinedAt: null,
      },
      {
        accountId: '222222222222',
        name: 'app',
        email: null,
        state: 'ACTIVE',
        ouPath: 'Root',
        joinedAt: null,
      },
    ];
    const dir = await mkdtemp(join(tmpdir(), 'credlake-curation-'));
    const read = async (object: { body: Uint8Array }, name: string) => {
      await writeFile(join(dir, name), object.body);
      return queryRows(`SELECT account_id, is_management FROM read_parquet('${join(dir, name)}') ORDER BY 1`);
    };
    const org = accountsObject('2024-05-01', { accounts, managementAccountId: '111111111111' });
    expect(org.key).toBe(curatedKey('accounts', '2024-05-01'));
    expect((await read(org, 'a.parquet')).map((r) => r.is_management)).toEqual([true, false]);
    const list = accountsObject('2024-05-01', { accounts });
    expect((await read(list, 'b.parquet')).map((r) => r.is_management)).toEqual([null, null]);
  });
});
