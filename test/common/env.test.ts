// The one environment reader of the Lambda handlers (and of the CLI's deployed-setting
// variables), tested directly: each malformed or missing variable is named.
import { describe, expect, it } from 'vitest';
import { readCollectorConfig } from '../../collector/env.ts';
import { ConfigError, list, oneOf, optional, parsed, positive, required } from '../../common/env.ts';
import { ENV } from '../../common/env-names.ts';
import { readExportsConfig } from '../../queries/config.ts';

describe('common/env.ts', () => {
  it('reads required, optional, list, positive, one-of and parsed values, naming the variable on error', () => {
    const env = { [ENV.bucket]: 'b', [ENV.includeAccounts]: ' 1, ,2 ', [ENV.reportTimeoutSeconds]: '0' };
    expect(required(ENV.bucket, env)).toBe('b');
    expect(() => required(ENV.prefix, env)).toThrow(
      new ConfigError('environment variable CREDLAKE_PREFIX is not set'),
    );
    expect(optional(ENV.prefix, { [ENV.prefix]: '' })).toBeUndefined();
    expect(list(ENV.includeAccounts, env)).toEqual(['1', '2']);
    expect(() => positive(ENV.reportTimeoutSeconds, 300, env)).toThrow(
      /CREDLAKE_REPORT_TIMEOUT_SECONDS must be a positive whole number, got "0"/,
    );
    expect(positive(ENV.reportTimeoutSeconds, 300, {})).toBe(300);
    expect(oneOf(ENV.digest, ['changes', 'off'] as const, 'changes', {})).toBe('changes');
    expect(() =>
      oneOf(ENV.digest, ['changes', 'off'] as const, 'changes', { [ENV.digest]: 'daily' }),
    ).toThrow(/CREDLAKE_DIGEST must be changes, off, got "daily"/);
    const number = (v: string) => {
      if (!/^\d+$/.test(v)) throw new Error('not a number');
      return Number(v);
    };
    expect(parsed(ENV.evidenceRetentionDays, number, 5, {})).toBe(5);
    expect(parsed(ENV.evidenceRetentionDays, number, 5, { [ENV.evidenceRetentionDays]: '7' })).toBe(7);
    expect(() => parsed(ENV.benchmark, number, 5, { [ENV.benchmark]: 'x' })).toThrow(
      /environment variable CREDLAKE_BENCHMARK: not a number/,
    );
  });

  it('gives both handlers their configuration, and the same error kind for a bad value', () => {
    const base = {
      [ENV.bucket]: 'lake',
      [ENV.memberRoleName]: 'Member',
      [ENV.athenaWorkgroup]: 'wg',
      [ENV.glueDatabase]: 'db',
      [ENV.namedQueries]: '{"a":"1"}',
    };
    expect(readCollectorConfig(base)).toMatchObject({
      bucket: 'lake',
      memberRoleName: 'Member',
      collectPosture: true,
    });
    expect(readExportsConfig(base)).toMatchObject({
      benchmark: 'cis-5.0',
      digest: 'changes',
      ownerTags: ['owner', 'team'],
    });
    expect(readExportsConfig({ ...base, [ENV.benchmark]: 'security-hub' }).benchmark).toBe('security-hub');
    expect(() => readExportsConfig({ ...base, [ENV.benchmark]: 'cis-9' })).toThrow(ConfigError);
    expect(() => readExportsConfig({ ...base, [ENV.namedQueries]: 'not json' })).toThrow(
      /CREDLAKE_NAMED_QUERIES is not a JSON object of query ids/,
    );
    expect(() => readCollectorConfig({ ...base, [ENV.evidenceLockMode]: 'STRICT' })).toThrow(ConfigError);
    expect(readCollectorConfig(base).reportPollMs).toBeUndefined();
    expect(readCollectorConfig({ ...base, [ENV.reportPollMs]: '100' }).reportPollMs).toBe(100);
    expect(() => readCollectorConfig({ ...base, [ENV.reportPollMs]: 'soon' })).toThrow(
      /CREDLAKE_REPORT_POLL_MS must be a positive whole number/,
    );
  });
});
