// The deployed derived tables: the day's findings, their SQL built from the checks' named
// queries with owners and waivers decided in SQL, then the findings_daily rollup counted from
// them, each written into its partition by Athena (UNLOAD) and registered before the next query
// reads it (Athena sees only registered partitions); the small waivers table is written here.
import { type AthenaClient, GetNamedQueryCommand } from '@aws-sdk/client-athena';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { curatedKey, curatedPrefix, prefixed } from '../../lake/keys.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { encodeParquet } from '../../transforms/parquet.ts';
import { TABLES, type TableDef } from '../../transforms/schema.ts';
import { waiverTableRows } from '../annotate.ts';
import { COMPLIANCE_CHECKS } from '../catalog.ts';
import { dailyRollupSql, findingsTableSql, toTableRows, typedTableSql } from '../rollup.ts';
import { withBenchmark } from '../sql-params.ts';
import { applyLakeWaivers } from '../waivers-source.ts';
import { executeOnAthena, readAthenaResults } from './client.ts';
import type { ExportTarget } from './export.ts';
import { unloadToPartition } from './unload.ts';

export interface RollupWritten {
  /** The rollup's partition folder. */
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
  // Athena writes the findings and the rollup into their partitions; the function reads back only
  // counts (a row per waiver and status), so nothing here grows with the organization.
  const unload = async (table: 'findings' | 'findings_daily', sql: string) => {
    const written = await unloadToPartition(athena, s3, target, table, dt, sql);
    bytesScanned += written.bytesScanned;
    await register(TABLES[table], dt);
  };
  await unload(
    'findings',
    findingsTableSql(dt, (name) => texts.get(name)!, ownerTags, applied),
  );
  const counts = await query(
    `SELECT waiver_id, waiver_status, count(*) AS n FROM findings WHERE dt = '${dt}' GROUP BY waiver_id, waiver_status`,
  );
  const matched = new Map<string, number>();
  for (const c of counts)
    if (c.waiver_id !== null)
      matched.set(String(c.waiver_id), (matched.get(String(c.waiver_id)) ?? 0) + Number(c.n));
  const waiversKey = curatedKey('waivers', dt);
  await s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: prefixed(target.prefix, waiversKey),
      Body: encodeParquet(TABLES.waivers, toTableRows('waivers', waiverTableRows(applied, dt, matched))),
      ContentType: 'application/vnd.apache.parquet',
    }),
  );
  await register(TABLES.waivers, dt);
  await unload(
    'findings_daily',
    typedTableSql('findings_daily', dailyRollupSql(dt, target.benchmark), ['account_id', 'check_name']),
  );
  const [rollup] = await query(`SELECT count(*) AS n FROM findings_daily WHERE dt = '${dt}'`);
  return {
    key: curatedPrefix('findings_daily', dt),
    rows: Number(rollup.n),
    findings: counts.reduce((sum, c) => sum + Number(c.n), 0),
    waived: counts.filter((c) => c.waiver_status === 'waived').reduce((sum, c) => sum + Number(c.n), 0),
    waiversKey: applied?.key ?? null,
    bytesScanned,
  };
}
