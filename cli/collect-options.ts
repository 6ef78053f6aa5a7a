// The collector flags shared by `credlake collect` and `credlake run`, parsed into one object.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { PollPolicy } from '../collector/collect-account.ts';
import { DEFAULT_CONCURRENCY } from '../collector/collect-run.ts';
import type { AccountFilters } from '../collector/discover.ts';
import type { FaultRates, LatencyName } from '../simulator/faults.ts';
import { DEFAULT_ROLE_NAME } from '../simulator/simulator.ts';
import { faultSpecOption } from './commands/simulate.ts';
import { UsageError } from './errors.ts';
import {
  DEFAULT_LAKE,
  parseAccountListOption,
  parseDateOption,
  parseListOption,
  positiveInt,
} from './options.ts';

export interface CollectFlags {
  simulate?: boolean;
  lake: string;
  date?: string;
  roleName: string;
  externalId?: string;
  concurrency: number;
  reportTimeout: number;
  accounts?: string;
  excludeAccounts?: string[];
  ous?: string[];
  region: string;
  quiet?: boolean;
  seed: number;
  faults?: FaultRates;
  latency: LatencyName;
}

export function addCollectOptions(command: Command): Command {
  return command
    .option('--simulate', 'collect from a simulated organization started in this process')
    .option('--lake <path>', 'lake folder or s3://bucket/prefix', DEFAULT_LAKE)
    .option('--date <YYYY-MM-DD>', 'snapshot date (default: today, UTC)', parseDateOption)
    .option('--role-name <name>', 'member role to assume in each account', DEFAULT_ROLE_NAME)
    .option('--external-id <id>', 'external id the member role requires')
    .option(
      '--concurrency <n>',
      'API calls in flight at once',
      positiveInt('the concurrency', 500),
      DEFAULT_CONCURRENCY,
    )
    .option(
      '--report-timeout <seconds>',
      'per-account deadline for report generation',
      positiveInt('seconds', 3600),
      300,
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
    .option('--seed <n>', 'with --simulate: seed of the organization', positiveInt('a seed'), 1)
    .option(
      '--faults <spec>',
      'with --simulate: fault rates, e.g. throttle=0.1,access_denied=0.05, or none',
      faultSpecOption,
    )
    .addOption(
      new Option('--latency <model>', 'with --simulate: latency model')
        .choices(['fast', 'realistic'])
        .default('fast'),
    );
}

/** `--accounts` is an id list, or with --simulate a count: told apart by form. */
export function readAccountsFlag(
  flags: CollectFlags,
  defaultCount: number,
): { count: number; filters: AccountFilters } {
  const filters: AccountFilters = { excludeAccounts: flags.excludeAccounts, ous: flags.ous };
  const value = flags.accounts;
  if (value === undefined) return { count: defaultCount, filters };
  if (/^\d{1,6}$/.test(value)) {
    if (!flags.simulate)
      throw new UsageError(
        `--accounts ${value}: a count needs --simulate; to collect one account give its 12-digit id`,
      );
    const count = Number(value);
    if (count < 1) throw new UsageError('--accounts: the simulated organization needs at least 1 account');
    return { count, filters };
  }
  try {
    const ids = parseAccountListOption(value);
    return { count: defaultCount, filters: { ...filters, accounts: ids } };
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Poll waits: IAM's real timings by default; the fast simulator answers in milliseconds. */
export function pollPolicyFor(flags: CollectFlags): PollPolicy | undefined {
  if (flags.simulate && flags.latency === 'fast')
    return { initialMs: 40, factor: 1.5, maxMs: 400, jitter: 0.2 };
  return undefined;
}
