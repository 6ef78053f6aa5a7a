// The collector flags shared by `credlake collect` and `credlake run`, parsed into one object.

import { type Command, Option } from 'commander';
import type { PollPolicy } from '../collector/collect-account.ts';
import { DEFAULT_CONCURRENCY } from '../collector/collect-run.ts';
import type { AccountFilters } from '../collector/discover.ts';
import { COLLECTOR_DEFAULTS } from '../common/defaults.ts';
import { ACCOUNT_ID_PATTERN } from '../lake/keys.ts';
import type { BenchmarkId } from '../queries/catalog.ts';
import type { FaultRates, LatencyName } from '../simulator/faults.ts';
import { UsageError } from './errors.ts';
import {
  benchmarkOption,
  faultSpecOption,
  LAKE_FLAG,
  parseAccountListOption,
  parseDateOption,
  parseListOption,
  positiveInt,
  todayUtc,
} from './options.ts';

export interface CollectFlags {
  simulate?: boolean;
  lake: string;
  date?: string;
  roleName: string;
  externalId?: string;
  concurrency: number;
  reportTimeout?: number;
  accounts?: string;
  excludeAccounts?: string[];
  ous?: string[];
  region: string;
  quiet?: boolean;
  /** Commander's --no-posture: false to collect the credential report alone. */
  posture: boolean;
  seed?: number;
  faults?: FaultRates;
  latency?: LatencyName;
  centralizedRoot?: boolean;
  /** A waivers file to check and install as the lake's before collecting. */
  waivers?: string;
  /** The benchmark the day's findings are judged against (rollup). */
  benchmark?: BenchmarkId;
}

/** The flags that describe a simulated organization: refused without --simulate. */
const SIMULATION_FLAGS = {
  seed: '--seed',
  faults: '--faults',
  latency: '--latency',
  centralizedRoot: '--centralized-root',
} as const;

export function addCollectOptions(command: Command): Command {
  return command
    .option('--simulate', 'collect from a simulated organization started in this process')
    .option(...LAKE_FLAG)
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: today, UTC)', parseDateOption)
    .option('--role-name <name>', 'member role to assume in each account', COLLECTOR_DEFAULTS.memberRoleName)
    .option('--external-id <id>', 'external id the member role requires')
    .option(
      '--concurrency <n>',
      'API calls in flight at once',
      positiveInt('the concurrency', 500),
      DEFAULT_CONCURRENCY,
    )
    .option(
      '--report-timeout <seconds>',
      `per-account deadline for report generation (default ${COLLECTOR_DEFAULTS.reportTimeoutSeconds}; with --simulate 5, or 30 with realistic latency)`,
      positiveInt('seconds', 3600),
    )
    .option(
      '--accounts <ids|n>',
      'only these account ids (comma-separated); with --simulate, a number sets the simulated account count',
    )
    .option('--exclude-accounts <ids>', 'skip these account ids', parseAccountListOption)
    .option('--ous <ids>', 'only accounts under these OU ids (nested OUs included)', parseListOption)
    .option(
      '--region <region>',
      'AWS region for STS',
      process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    )
    .option('--quiet', 'no progress output')
    .option(
      '--waivers <file>',
      "check this waivers file and make it the lake's before collecting (see credlake waivers); with --simulate and no file the simulated organization's own is installed",
    )
    .addOption(benchmarkOption("judge the day's findings against this benchmark"))
    .option(
      '--no-posture',
      'collect the credential report alone: no account posture or user privileges (the member role then needs only the two report actions)',
    )
    .option('--seed <n>', 'with --simulate: seed of the organization (default 1)', positiveInt('a seed'))
    .option(
      '--faults <spec>',
      'with --simulate: fault rates, e.g. throttle=0.1,access_denied=0.05, or none',
      faultSpecOption,
    )
    .option(
      '--centralized-root',
      'with --simulate: the organization manages member root credentials centrally (most member roots have none)',
    )
    .addOption(
      new Option('--latency <model>', 'with --simulate: latency model (default fast)').choices([
        'fast',
        'realistic',
      ]),
    );
}

/** `--accounts` is an id list, or with --simulate a count: told apart by form. */
export function readAccountsFlag(
  flags: CollectFlags,
  defaultCount: number,
): { count: number; filters: AccountFilters } {
  if (!flags.simulate) {
    const given = Object.entries(SIMULATION_FLAGS)
      .filter(([key]) => flags[key as keyof typeof SIMULATION_FLAGS] !== undefined)
      .map(([, flag]) => flag);
    if (given.length)
      throw new UsageError(
        `${given.join(', ')} only describe${given.length === 1 ? 's' : ''} a simulated organization: add --simulate, or leave ${given.length === 1 ? 'it' : 'them'} out to collect from AWS`,
      );
  }
  if (!flags.simulate && flags.date && flags.date > todayUtc())
    throw new UsageError(
      `--date ${flags.date} is in the future: a real organization can only be collected as it is today (${todayUtc()})`,
    );
  const filters: AccountFilters = { excludeAccounts: flags.excludeAccounts, ous: flags.ous };
  const value = flags.accounts;
  if (value === undefined) return { count: defaultCount, filters };
  if (flags.simulate && /^\d{1,6}$/.test(value)) {
    const count = Number(value);
    if (count < 1)
      throw new UsageError(`--accounts ${value}: expected a simulated account count of at least 1`);
    return { count, filters };
  }
  const ids = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = ids.filter((id) => !ACCOUNT_ID_PATTERN.test(id));
  if (ids.length && !bad.length) return { count: defaultCount, filters: { ...filters, accounts: ids } };
  const expected = flags.simulate
    ? 'a number of simulated accounts, or 12-digit account ids separated by commas'
    : '12-digit account ids separated by commas (a number of accounts needs --simulate)';
  const what = bad.length
    ? `${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is not a 12-digit account id' : 'are not 12-digit account ids'}`
    : 'no account id given';
  throw new UsageError(`--accounts ${JSON.stringify(value)}: ${what}; expected ${expected}`);
}

/**
 * The per-account report deadline. IAM needs up to minutes on a bad day; a simulated report is
 * ready within 0.2 s (fast) or 15 s (realistic, slow accounts), so a simulated run that meets a
 * stuck report does not wait five minutes for it.
 */
export function reportTimeoutMsFor(flags: CollectFlags): number {
  if (flags.reportTimeout !== undefined) return flags.reportTimeout * 1000;
  if (!flags.simulate) return COLLECTOR_DEFAULTS.reportTimeoutSeconds * 1000;
  return flags.latency === 'realistic' ? 30_000 : 5_000;
}

/** Poll waits: IAM's real timings by default; the fast simulator answers in milliseconds. */
export function pollPolicyFor(flags: CollectFlags): PollPolicy | undefined {
  if (flags.simulate && (flags.latency ?? 'fast') === 'fast')
    return { initialMs: 40, factor: 1.5, maxMs: 400, jitter: 0.2 };
  return undefined;
}
