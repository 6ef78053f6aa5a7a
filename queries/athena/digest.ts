// The deployed digest: findings_changes for the run's snapshot, run by Athena from its named
// query, turned into the same digest `credlake run --notify` sends.
import { type AthenaClient, GetNamedQueryCommand } from '@aws-sdk/client-athena';
import { buildDigest, type Digest, ownerDigests } from '../digest.ts';
import { requireQuery, withParams } from '../sql-params.ts';
import type { PlainValue } from '../values.ts';
import { executeOnAthena, readAthenaResults } from './client.ts';
import type { ExportTarget } from './export.ts';

export async function digestWithAthena(
  athena: AthenaClient,
  target: ExportTarget,
  dt: string,
): Promise<{ digest: Digest; owners: Digest[]; rows: Record<string, PlainValue>[] }> {
  const id = target.namedQueries.findings_changes;
  if (!id) throw new Error('no named query id for findings_changes');
  const named = await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }));
  const sql = withParams(requireQuery('findings_changes'), named.NamedQuery?.QueryString ?? '', {
    snapshot_dt: dt,
  });
  const run = await executeOnAthena(athena, target, sql);
  const { rows } = await readAthenaResults(athena, run.queryExecutionId);
  const lake = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
  return {
    digest: buildDigest(rows, dt, lake, undefined, target.benchmark),
    owners: ownerDigests(rows, dt, lake, target.benchmark),
    rows,
  };
}
