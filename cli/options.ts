// Parsers for flag values. Each rejects a bad value with what was received and what was expected.
import { InvalidArgumentError, Option } from 'commander';
import { ENV } from '../common/env-names.ts';
import { ACCOUNT_ID_PATTERN } from '../lake/keys.ts';
import { DEFAULT_LAKE } from '../lake/open-store.ts';
import { BENCHMARK_IDS, DEFAULT_BENCHMARK } from '../queries/catalog.ts';
import { parseFaultSpec } from '../simulator/faults.ts';
import { isIsoDate, parseIsoInstant } from '../transforms/dates.ts';

export { DEFAULT_LAKE };

/** The `--lake` flag every command that reads or writes a lake takes, declared once. */
export const LAKE_FLAG = ['--lake <path>', 'lake folder or s3://bucket/prefix', DEFAULT_LAKE] as const;

/**
 * The `--benchmark` flag: which benchmark's control ids, thresholds and rules the checks use.
 * CREDLAKE_BENCHMARK (the deployed setting's variable) gives it too; a bad value is refused.
 */
export function benchmarkOption(what: string): Option {
  return new Option(
    '--benchmark <id>',
    `${what} (default ${DEFAULT_BENCHMARK}${what.startsWith('judge') ? '' : ", else the one the snapshot's findings were judged against"})`,
  )
    .choices(BENCHMARK_IDS)
    .env(ENV.benchmark);
}

export function parseDateOption(value: string): string {
  if (isIsoDate(value)) return value;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const [year, month, day] = m.slice(1).map(Number);
  const why =
    month < 1 || month > 12
      ? `there is no month ${month}`
      : `${m[1]}-${m[2]} has ${new Date(Date.UTC(year, month, 0)).getUTCDate()} days, not ${day}`;
  throw new InvalidArgumentError(
    `${value} is not a calendar date (${why}): expected a real date as YYYY-MM-DD`,
  );
}

/**
 * A snapshot date that is not in the future: a future snapshot would become the newest one and
 * hide the real organization from every default query and the report.
 */
export function parsePastDateOption(value: string): string {
  const date = parseDateOption(value);
  if (date > todayUtc())
    throw new InvalidArgumentError(
      `${value} is in the future: expected today (${todayUtc()}, UTC) or an earlier date`,
    );
  return date;
}

export function parseInstantOption(value: string): number {
  const ms = parseIsoInstant(value);
  if (ms === undefined) {
    throw new InvalidArgumentError(
      `expected an ISO 8601 timestamp with offset such as 2024-05-01T06:07:08Z, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export function parseAccountIdOption(value: string): string {
  if (!ACCOUNT_ID_PATTERN.test(value)) {
    throw new InvalidArgumentError(`expected a 12-digit AWS account id, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseAccountListOption(value: string): string[] {
  const ids = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (ids.length === 0)
    throw new InvalidArgumentError('expected a comma-separated list of 12-digit account ids');
  return ids.map(parseAccountIdOption);
}

export function parseListOption(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export function positiveInt(what: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) {
      throw new InvalidArgumentError(
        `expected ${what} as a whole number from 1 to ${max}, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
}

/** The UTC date of now, the default `--date` of a run. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** `--faults`: the simulator's fault rates, e.g. `throttle=0.1,access_denied=0.05`, or `none`. */
export function faultSpecOption(value: string) {
  try {
    return parseFaultSpec(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
