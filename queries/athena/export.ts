// The deployed exports: each exported saved query run by Athena for a snapshot, its CSV result
// streamed from the workgroup's output location to exports/<query>/dt=.../<query>.csv.

import type { Readable } from 'node:stream';
import { type AthenaClient, GetNamedQueryCommand } from '@aws-sdk/client-athena';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import { exportKey, exportManifestKey, prefixed } from '../../lake/keys.ts';
import { BENCHMARKS, type BenchmarkId, EXPORTED_QUERIES, queryLabels } from '../catalog.ts';
import { spreadsheetSafeLines } from '../format.ts';
import { RESULT_COLUMNS } from '../result-columns.ts';
import { withFindingStatus } from '../rollup.ts';
import { requireQuery, withBenchmark, withParams } from '../sql-params.ts';
import { type AthenaTarget, executeOnAthena, splitS3Url } from './client.ts';
import { S3ObjectWriter } from './s3-writer.ts';

export interface ExportTarget extends AthenaTarget {
  readonly bucket: string;
  readonly prefix: string;
  /** Named query id of each saved query, as the CDK app created them. */
  readonly namedQueries: Readonly<Record<string, string>>;
  /** The benchmark the deployment judges against (its values are in the named queries too). */
  readonly benchmark: BenchmarkId;
}

export interface AthenaExportManifest {
  readonly dt: string;
  readonly exportedAt: string;
  readonly engine: 'athena';
  readonly benchmark: BenchmarkId;
  readonly benchmarkTitle: string;
  readonly queries: (ReturnType<typeof queryLabels> & {
    name: string;
    rows: number;
    key: string;
    queryExecutionId: string;
    bytesScanned: number;
  })[];
}

const key = (target: ExportTarget, k: string) => prefixed(target.prefix, k);

/**
 * Copies Athena's CSV result to the export, made spreadsheet-safe (text cells that would run as
 * formulas are neutralised), record by record: the function holds one part of the upload at most,
 * however many rows the query returned. Returns the number of rows.
 */
async function copySpreadsheetSafe(
  s3: S3Client,
  from: { Bucket: string; Key: string },
  to: { Bucket: string; Key: string },
  types: ReadonlyMap<string, string>,
): Promise<number> {
  const result = await s3.send(new GetObjectCommand(from));
  const writer = new S3ObjectWriter(s3, to.Bucket, to.Key, 'text/csv');
  let rows = 0;
  let lines: ReturnType<typeof spreadsheetSafeLines> | undefined;
  let chunk = '';
  for await (const record of (result.Body as Readable).pipe(parse({ relax_column_count: true }))) {
    if (lines === undefined) {
      lines = spreadsheetSafeLines(record as string[], types);
      chunk += lines.header;
      continue;
    }
    rows++;
    chunk += lines.row(record as string[]);
    if (chunk.length >= 65_536) {
      await writer.write(chunk);
      chunk = '';
    }
  }
  await writer.write(chunk);
  await writer.close();
  return rows;
}

export async function exportWithAthena(
  athena: AthenaClient,
  s3: S3Client,
  target: ExportTarget,
  dt: string,
): Promise<AthenaExportManifest> {
  const queries: AthenaExportManifest['queries'] = [];
  for (const query of EXPORTED_QUERIES) {
    const id = target.namedQueries[query.name];
    if (!id) throw new Error(`no named query id for ${query.name}`);
    const named = await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }));
    const checked = requireQuery(query.name);
    const saved = withParams(
      checked,
      withBenchmark(checked, named.NamedQuery?.QueryString ?? '', target.benchmark),
      { snapshot_dt: dt },
    );
    // A check's rows carry their owner and waiver status from the day's findings table.
    const sql = query.kind === 'check' ? withFindingStatus(query, saved, dt) : saved;
    const run = await executeOnAthena(athena, target, sql);
    const exportObject = exportKey(query.name, dt);
    const rows = await copySpreadsheetSafe(
      s3,
      splitS3Url(run.outputLocation),
      { Bucket: target.bucket, Key: key(target, exportObject) },
      new Map(RESULT_COLUMNS[query.name] ?? []),
    );
    queries.push({
      name: query.name,
      ...queryLabels(query, target.benchmark),
      rows,
      key: exportObject,
      queryExecutionId: run.queryExecutionId,
      bytesScanned: run.bytesScanned,
    });
  }
  const manifest: AthenaExportManifest = {
    dt,
    exportedAt: new Date().toISOString(),
    engine: 'athena',
    benchmark: target.benchmark,
    benchmarkTitle: BENCHMARKS[target.benchmark].title,
    queries,
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: key(target, exportManifestKey(dt)),
      Body: `${JSON.stringify(manifest, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
  return manifest;
}
