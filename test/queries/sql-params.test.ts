// The params CTE of a saved query, read and written directly: the one place thresholds, the
// snapshot date and a benchmark's values go into SQL, validated and never pasted in raw.
import { describe, expect, it } from 'vitest';
import { findQuery } from '../../queries/catalog.ts';
import { QueryInputError } from '../../queries/errors.ts';
import { loadQuerySql } from '../../queries/saved-query.ts';
import {
  checkParams,
  readParamsCte,
  requireQuery,
  withBenchmark,
  withParams,
} from '../../queries/sql-params.ts';

const root = findQuery('root_account_findings')!;
const rootSql = loadQuerySql('root_account_findings');

describe('the params CTE', () => {
  it('reads each parameter as its file writes it', () => {
    expect(Object.fromEntries(readParamsCte(rootSql))).toEqual({
      snapshot_dt: '(SELECT max(dt) FROM collection_runs)',
      root_recent_use_days: '90',
      root_mfa_without_password: 'false',
    });
    expect(readParamsCte('SELECT 1').size).toBe(0);
  });

  it('writes a date, a whole number and a boolean, touching nothing else of the SQL', () => {
    const sql = withParams(root, rootSql, {
      snapshot_dt: '2024-05-01',
      root_recent_use_days: 30,
      root_mfa_without_password: true,
    });
    expect(Object.fromEntries(readParamsCte(sql))).toEqual({
      snapshot_dt: "'2024-05-01'",
      root_recent_use_days: '30',
      root_mfa_without_password: 'true',
    });
    const outside = (text: string) => text.slice(text.indexOf('\n)'));
    expect(outside(sql)).toBe(outside(rootSql));
    expect(withParams(root, rootSql, {})).toBe(rootSql);
  });

  it('refuses what is not a value of its type, naming it', () => {
    const bad = (values: Record<string, string | number | boolean>) => () =>
      withParams(root, rootSql, values);
    expect(bad({ snapshot_dt: "2024-05-01'; DROP TABLE x; --" })).toThrow(QueryInputError);
    expect(bad({ snapshot_dt: '2024-02-30' })).toThrow(/snapshot_dt must be a date as YYYY-MM-DD/);
    expect(bad({ root_recent_use_days: '9 OR 1=1' })).toThrow(/root_recent_use_days must be a whole number/);
    expect(bad({ root_recent_use_days: -1 })).toThrow(/whole number/);
    expect(bad({ root_mfa_without_password: 'yes' })).toThrow(
      /root_mfa_without_password must be true or false/,
    );
  });

  it("checks given names against the query's own parameters", () => {
    expect(() => checkParams(root, { root_recent_use_days: 1 })).not.toThrow();
    expect(() => checkParams(root, { max_key_age_days: 1 })).toThrow(
      /root_account_findings has no parameter "max_key_age_days"; its parameters: snapshot_dt, root_recent_use_days, root_mfa_without_password/,
    );
    expect(() => requireQuery('nope')).toThrow(/unknown query "nope"; known: /);
  });

  it("writes a benchmark's values and only those the query has", () => {
    expect(readParamsCte(withBenchmark(root, rootSql, 'cis-1.4')).get('root_mfa_without_password')).toBe(
      'true',
    );
    const unused = findQuery('unused_credentials')!;
    const sql = loadQuerySql('unused_credentials');
    expect(readParamsCte(withBenchmark(unused, sql, 'security-hub')).get('unused_credential_days')).toBe(
      '90',
    );
    expect(withBenchmark(findQuery('admin_users')!, loadQuerySql('admin_users'), 'security-hub')).toBe(
      loadQuerySql('admin_users'),
    );
  });
});
