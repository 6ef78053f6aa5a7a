import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCredentialReport } from '../../transforms/credential-report.ts';
import { MalformedReportError } from '../../transforms/errors.ts';
import { FIXTURE_CONTEXT, toGolden } from '../helpers/golden.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const read = (...parts: string[]) => new Uint8Array(readFileSync(join(fixtures, ...parts)));

describe('golden credential reports', () => {
  const files = readdirSync(join(fixtures, 'reports')).filter((f) => f.endsWith('.csv'));
  it('has fixtures to check', () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const file of files) {
    it(`parses ${file} into its expected rows`, () => {
      const expected = JSON.parse(
        readFileSync(join(fixtures, 'reports', file.replace('.csv', '.expected.json')), 'utf8'),
      );
      const parsed = parseCredentialReport(read('reports', file), FIXTURE_CONTEXT);
      expect(parsed.unknownColumns).toEqual(expected.unknownColumns);
      expect(toGolden(parsed.rows)).toEqual(expected.rows);
    });
  }
});

describe('bad reports', () => {
  const expected: Record<string, { message: string; line?: number; column?: string }> = JSON.parse(
    readFileSync(join(fixtures, 'bad', 'expected-errors.json'), 'utf8'),
  );
  const files = readdirSync(join(fixtures, 'bad')).filter((f) => f.endsWith('.csv'));
  it('lists an expected error for every bad fixture', () =>
    expect(Object.keys(expected).sort()).toEqual(files.sort()));
  for (const file of files) {
    it(`rejects ${file} naming the account, line and column`, () => {
      const want = expected[file];
      let caught: unknown;
      try {
        parseCredentialReport(read('bad', file), FIXTURE_CONTEXT);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MalformedReportError);
      const error = caught as MalformedReportError;
      expect(error.message).toContain('account 000123456789');
      expect(error.message).toContain(want.message);
      // A fixture without a line expects none: a whole-file problem names no line.
      expect(error.line).toBe(want.line);
      if (want.line !== undefined) expect(error.message).toContain(`line ${want.line}`);
      expect(error.column).toBe(want.column);
      expect(error.reason).toBe('malformed_report');
    });
  }
});

describe('normalization rules', () => {
  const basic = () => parseCredentialReport(read('reports', 'basic.csv'), FIXTURE_CONTEXT).rows;

  it('marks the root row and keeps its not_supported password as NULL', () => {
    const root = basic().find((r) => r.is_root);
    expect(root).toMatchObject({
      user_name: '<root_account>',
      password_enabled: null,
      password_last_changed: null,
    });
  });

  it('counts whole UTC calendar days to the report, whatever the machine time zone', () => {
    const one = parseCredentialReport(read('reports', 'basic.csv'), FIXTURE_CONTEXT).rows;
    const previous = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      const two = parseCredentialReport(read('reports', 'basic.csv'), FIXTURE_CONTEXT).rows;
      expect(two).toEqual(one);
    } finally {
      process.env.TZ = previous;
    }
    // 2024-04-30T23:59:59Z is one UTC day before a report generated on 2024-05-01.
    expect(one.find((r) => r.user_name === 'alice')?.password_days_since_use).toBe(1);
  });

  it('parses a 5,000-user report', () => {
    const header = readFileSync(join(fixtures, 'reports', 'basic.csv'), 'utf8').split('\n')[0];
    const line = (i: number) =>
      `user${i},arn:aws:iam::000123456789:user/user${i},2020-01-01T00:00:00+00:00,true,2024-04-01T00:00:00+00:00,2024-01-01T00:00:00+00:00,N/A,false,true,2023-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    const csv = [header, ...Array.from({ length: 5000 }, (_, i) => line(i)), ''].join('\n');
    const { rows } = parseCredentialReport(new TextEncoder().encode(csv), FIXTURE_CONTEXT);
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toMatchObject({
      user_name: 'user4999',
      access_key_1_age_days: 486,
      access_key_1_days_since_use: null,
    });
  });
});
