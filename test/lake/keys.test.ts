import { describe, expect, it } from 'vitest';
import {
  curatedKey,
  datesIn,
  exportKey,
  manifestKey,
  parseRawReportKey,
  rawReportKey,
} from '../../lake/keys.ts';

describe('lake key layout', () => {
  it('builds the raw report key with the GeneratedTime, colons as dashes, and parses it back', () => {
    const at = Date.parse('2024-05-01T06:07:08Z');
    const key = rawReportKey('2024-05-01', '000123456789', at);
    expect(key).toBe(
      'raw/credential_report/dt=2024-05-01/account_id=000123456789/generated_at=2024-05-01T06-07-08Z.csv',
    );
    expect(parseRawReportKey(key)).toEqual({
      key,
      dt: '2024-05-01',
      accountId: '000123456789',
      generatedAt: at,
    });
    expect(
      parseRawReportKey('raw/credential_report/dt=2024-05-01/account_id=123/generated_at=x.csv'),
    ).toBeUndefined();
  });

  it('places curated, manifest and export objects where docs/data-model.md says', () => {
    expect(curatedKey('credential_report', '2024-05-01', '000123456789')).toBe(
      'curated/credential_report/dt=2024-05-01/account_id=000123456789/data.parquet',
    );
    expect(curatedKey('accounts', '2024-05-01')).toBe('curated/accounts/dt=2024-05-01/data.parquet');
    expect(manifestKey('2024-05-01', 'r1')).toBe('raw/runs/dt=2024-05-01/run_id=r1/manifest.json');
    expect(exportKey('stale_access_keys', '2024-05-01')).toBe(
      'exports/stale_access_keys/dt=2024-05-01/stale_access_keys.csv',
    );
  });

  it('finds the dates of a key listing', () => {
    expect(datesIn(['raw/x/dt=2024-05-02/a', 'raw/x/dt=2024-05-01/b', 'raw/x/dt=2024-05-02/c'])).toEqual([
      '2024-05-01',
      '2024-05-02',
    ]);
  });
});
