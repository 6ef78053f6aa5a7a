// The deployed derived tables: the day's findings, their SQL built from the checks' named
// queries, then the findings_daily rollup counted from them, each run by Athena and written as
// the snapshot's one Parquet file of its table, each partition registered before the next query
// reads it (Athena sees only registered partitions).
import { type AthenaClient, GetNamedQueryCommand } from '@aws-sdk/client-athena';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { curatedKey, prefixed } from '../../lake/keys.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { encodeParquet } from '../../transforms/parquet.ts';
import { TABLES, type TableDef } from '../../transforms/schema.ts';
import { annotateFindings, contextKeys } from '../annotate.ts';
import { COMPLIANCE_CHECKS } from '../catalog.ts';
import { dailyFindingsSql, dailyRollupSql, toTableRows } from '../rollup.ts';
import { withBenchmark } from '../sql-params.ts';
import type { PlainValue } from '../values.ts';
import { applyLakeWaivers } from '../waivers-source.ts';
import { executeOnAthena, readAthenaResults } from './client.ts';
import type { ExportTarget } from './export.ts';

export interface RollupWritten {
  readonly key: string;
  readonly rows: number;
  readonly findings: number;
  readonly waived: number;
  /** The stored waivers file applied; null when the lake has none. */
  readonly waiversKey: string | null;
  readonly bytesScanned: number;
}

export async function rollupWithAthena(
  athena: AthenaClient,
  s3: S3Client,
  target: ExportTarget,
  dt: string,
  register: (table: TableDef, dt: string) => Promise<void>,
  ownerTags: readonly string[],
): Promise<RollupWritten> {
  // The lake's waivers file, checked and kept as applied (a file that does not read stops here).
  const applied = await applyLakeWaivers(new S3Store(s3, target.bucket, target.prefix), dt);
  const keys = contextKeys(applied?.waivers ?? [], ownerTags);
  const texts = new Map<string, string>();
  for (const check of COMPLIANCE_CHECKS) {
    const id = target.namedQueries[check.name];
    if (!id) throw new Error(`no named query id for ${check.name}`);
    const named = await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }));
    texts.set(check.name, withBenchmark(check, named.NamedQuery?.QueryString ?? '', target.benchmark));
  }
  let bytesScanned = 0;
  const query = async (sql: string) => {
    const run = await executeOnAthena(athena, target, sql);
    bytesScanned += run.bytesScanned;
    return (await readAthenaResults(athena, run.queryExecutionId)).rows;
  };
  const write = async (
    table: 'findings' | 'findings_daily' | 'waivers',
    rows: Record<string, PlainValue>[],
  ) => {
    const key = curatedKey(table, dt);
    await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: prefixed(target.prefix, key),
        Body: encodeParquet(TABLES[table], toTableRows(table, rows)),
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
    await register(TABLES[table], dt);
    return { key, rows: rows.length };
  };
  const annotated = annotateFindings(
    await query(dailyFindingsSql(dt, (name) => texts.get(name)!, keys)),
    dt,
    keys,
    ownerTags,
    applied,
  );
  const found = await write('findings', annotated.findings);
  await write('waivers', annotated.waivers);
  const rollup = await write('findings_daily', await query(dailyRollupSql(dt, target.benchmark)));
  return {
    key: rollup.key,
    rows: rollup.rows,
    findings: found.rows,
    waived: annotated.findings.filter((f) => f.waiver_status === 'waived').length,
    waiversKey: applied?.key ?? null,
    bytesScanned,
  };
}
