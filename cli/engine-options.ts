// `--engine duckdb|athena` and the Athena flags shared by `credlake query` and `credlake export`.
import type { AthenaClient } from '@aws-sdk/client-athena';
import { type Command, Option } from 'commander';
import type { AthenaTarget } from '../queries/athena/client.ts';
import { UsageError } from './errors.ts';

export interface AthenaFlags {
  engine: 'duckdb' | 'athena';
  workgroup?: string;
  database?: string;
  region?: string;
}

export function addEngineOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--engine <engine>', 'where the query runs').choices(['duckdb', 'athena']).default('duckdb'),
    )
    .option('--workgroup <name>', 'with --engine athena: the Athena workgroup (the deployed one is credlake)')
    .option('--database <name>', 'with --engine athena: the Glue database (the deployed one is credlake)')
    .option('--region <region>', 'with --engine athena: the AWS region of the pipeline');
}

export function athenaTarget(flags: AthenaFlags): AthenaTarget {
  if (!flags.workgroup || !flags.database)
    throw new UsageError(
      '--engine athena needs --workgroup and --database (the deployed pipeline uses credlake for both)',
    );
  return { workgroup: flags.workgroup, database: flags.database };
}

/** The default credential chain, as for every AWS call from the CLI. The SDK loads only here. */
export async function athenaClient(flags: AthenaFlags): Promise<AthenaClient> {
  const { AthenaClient } = await import('@aws-sdk/client-athena');
  return new AthenaClient({
    region: flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  });
}
