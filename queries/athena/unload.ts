// A derived table's partition written by Athena itself: UNLOAD the table's SQL as Parquet into a
// fresh folder of the query results, copy each file Athena's manifest lists into the partition
// (S3 copies them; nothing passes through the function), then remove what an earlier run left
// there. The function's memory holds the manifest, one line per file, never the rows.
import { randomUUID } from 'node:crypto';
import type { AthenaClient } from '@aws-sdk/client-athena';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { curatedPartKey, curatedPrefix, prefixed, unloadStagingPrefix } from '../../lake/keys.ts';
import { encodeParquet } from '../../transforms/parquet.ts';
import { TABLES } from '../../transforms/schema.ts';
import { executeOnAthena, splitS3Url } from './client.ts';
import type { ExportTarget } from './export.ts';

export interface Unloaded {
  /** The partition's files, as written by this run. */
  readonly keys: readonly string[];
  readonly queryExecutionId: string;
  readonly bytesScanned: number;
}

export async function unloadToPartition(
  athena: AthenaClient,
  s3: S3Client,
  target: ExportTarget,
  table: 'findings' | 'findings_daily',
  dt: string,
  sql: string,
): Promise<Unloaded> {
  // UNLOAD refuses a folder that holds anything: each run writes into its own.
  const staging = prefixed(target.prefix, unloadStagingPrefix(table, dt, randomUUID()));
  const run = await executeOnAthena(
    athena,
    target,
    `UNLOAD (\n${sql.trimEnd()}\n) TO 's3://${target.bucket}/${staging}' WITH (format = 'PARQUET', compression = 'SNAPPY')`,
  );
  if (!run.dataManifestLocation)
    throw new Error(`Athena query ${run.queryExecutionId} (UNLOAD of ${table}) gave no data manifest`);
  const manifest = await s3.send(new GetObjectCommand(splitS3Url(run.dataManifestLocation)));
  const files = (await manifest.Body!.transformToString())
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const keys: string[] = [];
  for (const [n, url] of files.entries()) {
    const source = splitS3Url(url);
    if (source.Bucket !== target.bucket || !source.Key.startsWith(staging))
      throw new Error(
        `Athena's manifest names ${url}, outside the UNLOAD's folder s3://${target.bucket}/${staging}`,
      );
    const key = prefixed(target.prefix, curatedPartKey(table, dt, run.queryExecutionId, n));
    await s3.send(
      new CopyObjectCommand({
        Bucket: target.bucket,
        Key: key,
        // Encoded as a URI (keeps '/' and '='), which both S3 and the local S3 server decode.
        CopySource: encodeURI(`${target.bucket}/${source.Key}`),
        ContentType: 'application/vnd.apache.parquet',
        MetadataDirective: 'REPLACE',
      }),
    );
    keys.push(key);
  }
  // No rows, no files: the partition still gets its (empty) file, so the day reads as computed.
  if (keys.length === 0) {
    const key = prefixed(target.prefix, curatedPartKey(table, dt, run.queryExecutionId, 0));
    await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: encodeParquet(TABLES[table], []),
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
    keys.push(key);
  }
  // What an earlier run of the day left in the partition goes once this run's files are in.
  const partition = prefixed(target.prefix, curatedPrefix(table, dt));
  const kept = new Set(keys);
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: target.bucket, Prefix: partition, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? [])
      if (o.Key && !kept.has(o.Key))
        await s3.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: o.Key }));
    token = page.NextContinuationToken;
  } while (token);
  return { keys, queryExecutionId: run.queryExecutionId, bytesScanned: run.bytesScanned };
}
