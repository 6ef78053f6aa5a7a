// The deployed rollup: the findings_daily SQL, built from the checks' named queries, run by
// Athena for one snapshot; its rows written as the snapshot's one Parquet file of the table.
import { type AthenaClient, GetNamedQueryCommand } from '@aws-sdk/client-athena';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { curatedKey, prefixed } from '../lake/keys.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import { TABLES } from '../transforms/schema.ts';
import { executeOnAthena, readAthenaResults } from './athena.ts';
import type { ExportTarget } from './athena-export.ts';
import { COMPLIANCE_CHECKS } from './catalog.ts';
import { dailyRollupSql, toRollupRows } from './rollup.ts';

export interface RollupWritten {
  readonly key: string;
  readonly rows: number;
  readonly queryExecutionId: string;
  readonly bytesScanned: number;
}

export async function rollupWithAthena(
  athena: AthenaClient,
  s3: S3Client,
  target: ExportTarget,
  dt: string,
): Promise<RollupWritten> {
  const texts = new Map<string, string>();
  for (const check of COMPLIANCE_CHECKS) {
    const id = target.namedQueries[check.name];
    if (!id) throw new Error(`no named query id for ${check.name}`);
    const named = await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }));
    texts.set(check.name, named.NamedQuery?.QueryString ?? '');
  }
  const run = await executeOnAthena(
    athena,
    target,
    dailyRollupSql(dt, (name) => texts.get(name)!),
  );
  const { rows } = await readAthenaResults(athena, run.queryExecutionId);
  const key = curatedKey('findings_daily', dt);
  await s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: prefixed(target.prefix, key),
      Body: encodeParquet(TABLES.findings_daily, toRollupRows(rows)),
      ContentType: 'application/vnd.apache.parquet',
    }),
  );
  return { key, rows: rows.length, queryExecutionId: run.queryExecutionId, bytesScanned: run.bytesScanned };
}
