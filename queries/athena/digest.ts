// The deployed digest: findings_changes for the run's snapshot, run by Athena from its named
// query and summarised there (digestSummarySql), turned into the same digest `credlake run
// --notify` sends; and, for Security Hub, the changes themselves.
import { type AthenaClient, GetNamedQueryCommand } from '@aws-sdk/client-athena';
import { buildDigest, type Digest, digestSummarySql, ownerDigests } from '../digest.ts';
import { requireQuery, withParams } from '../sql-params.ts';
import type { PlainValue } from '../values.ts';
import { executeOnAthena, readAthenaResults } from './client.ts';
import type { ExportTarget } from './export.ts';

async function changesSql(athena: AthenaClient, target: ExportTarget, dt: string): Promise<string> {
  const id = target.namedQueries.findings_changes;
  if (!id) throw new Error('no named query id for findings_changes');
  const named = await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }));
  return withParams(requireQuery('findings_changes'), named.NamedQuery?.QueryString ?? '', {
    snapshot_dt: dt,
  });
}

/** The digest and each owner's part, from a summary of the changes a few rows long. */
export async function digestWithAthena(
  athena: AthenaClient,
  target: ExportTarget,
  dt: string,
): Promise<{ digest: Digest; owners: Digest[] }> {
  const sql = digestSummarySql(await changesSql(athena, target, dt));
  const run = await executeOnAthena(athena, target, sql);
  const { rows } = await readAthenaResults(athena, run.queryExecutionId);
  const lake = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
  return {
    digest: buildDigest(rows, dt, lake, undefined, target.benchmark),
    owners: ownerDigests(rows, dt, lake, target.benchmark),
  };
}

/** Every row of findings_changes: what Security Hub is told, one finding at a time. */
export async function changesWithAthena(
  athena: AthenaClient,
  target: ExportTarget,
  dt: string,
): Promise<Record<string, PlainValue>[]> {
  const run = await executeOnAthena(athena, target, await changesSql(athena, target, dt));
  return (await readAthenaResults(athena, run.queryExecutionId)).rows;
}
