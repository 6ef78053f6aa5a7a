// The deployed exports: each exported saved query run by Athena for a snapshot, its CSV result
// copied from the workgroup's output location to exports/<query>/dt=.../<query>.csv.
import { type AthenaClient, GetNamedQueryCommand } from '@aws-sdk/client-athena';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { exportKey, exportManifestKey, prefixed } from '../../lake/keys.ts';
import { BENCHMARKS, type BenchmarkId, EXPORTED_QUERIES, queryLabels } from '../catalog.ts';
import { spreadsheetSafeCsv } from '../format.ts';
import { RESULT_COLUMNS } from '../result-columns.ts';
import { withFindingStatus } from '../rollup.ts';
import { requireQuery, withBenchmark, withParams } from '../sql-params.ts';
import { type AthenaTarget, executeOnAthena } from './client.ts';

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

function splitS3(url: string): { Bucket: string; Key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`Athena returned an output location that is not an S3 URL: ${url}`);
  return { Bucket: m[1], Key: m[2] };
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
    const result = await s3.send(new GetObjectCommand(splitS3(run.outputLocation)));
    // Exports are opened in spreadsheets: text cells that would run as formulas are neutralised.
    const body = spreadsheetSafeCsv(
      await result.Body!.transformToString(),
      new Map(RESULT_COLUMNS[query.name] ?? []),
    );
    const rows = Math.max(0, (parse(body, { relax_column_count: true }) as unknown[]).length - 1);
    const exportObject = exportKey(query.name, dt);
    await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key(target, exportObject),
        Body: body,
        ContentType: 'text/csv',
      }),
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
