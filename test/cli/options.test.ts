// The CLI's flag parsers, tested directly: each refuses a bad value with what it got and what it
// expected (commander turns the InvalidArgumentError into a usage error, exit 2).
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  benchmarkOption,
  parseAccountIdOption,
  parseAccountListOption,
  parseDateOption,
  parseInstantOption,
  parsePastDateOption,
  positiveInt,
} from '../../cli/options.ts';

describe('flag parsers', () => {
  it('dates: a real calendar date, and why not', () => {
    expect(parseDateOption('2024-02-29')).toBe('2024-02-29');
    expect(() => parseDateOption('2026-13-01')).toThrow(/there is no month 13/);
    expect(() => parseDateOption('2023-02-29')).toThrow(/2023-02 has 28 days, not 29/);
    expect(() => parseDateOption('1/5/2024')).toThrow(/expected a date as YYYY-MM-DD, got "1\/5\/2024"/);
    expect(() => parsePastDateOption('2999-01-01')).toThrow(/is in the future/);
    expect(() => parseDateOption('x')).toThrow(InvalidArgumentError);
  });

  it('instants need an offset; account ids are 12 digits with their zeros', () => {
    expect(parseInstantOption('2024-05-01T06:07:08Z')).toBe(Date.parse('2024-05-01T06:07:08Z'));
    expect(() => parseInstantOption('2024-05-01 06:07')).toThrow(/ISO 8601 timestamp with offset/);
    expect(parseAccountIdOption('000123456789')).toBe('000123456789');
    expect(() => parseAccountIdOption('123456789')).toThrow(/12-digit AWS account id, got "123456789"/);
    expect(parseAccountListOption(' 000123456789, 111111111111 ,')).toEqual(['000123456789', '111111111111']);
    expect(() => parseAccountListOption(' , ')).toThrow(/comma-separated list/);
  });

  it('whole numbers within their range', () => {
    const seconds = positiveInt('seconds', 3600);
    expect(seconds('60')).toBe(60);
    for (const bad of ['0', '3601', '1.5', '-2', '1e3'])
      expect(() => seconds(bad), bad).toThrow(/expected seconds as a whole number from 1 to 3600/);
  });

  it('--benchmark takes the known ids only, and reads CREDLAKE_BENCHMARK', () => {
    const option = benchmarkOption('judge by');
    expect(option.argChoices).toEqual(['cis-1.4', 'cis-3.0', 'cis-5.0', 'security-hub']);
    expect(option.envVar).toBe('CREDLAKE_BENCHMARK');
  });
});
