// Saved queries on Athena: start, poll with backoff until done, read or export the results.
// Failed and cancelled queries are clear errors carrying Athena's own reason.
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { PlainValue } from '../values.ts';

export class AthenaQueryError extends Error {
  override readonly name = 'AthenaQueryError';
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    reason: string,
  ) {
    super(`Athena query ${queryExecutionId} ${state.toLowerCase()}: ${reason}`);
  }
}

export interface AthenaTarget {
  readonly workgroup: string;
  readonly database: string;
}

export interface AthenaExecution {
  readonly queryExecutionId: string;
  readonly outputLocation: string;
  readonly bytesScanned: number;
  readonly engineMs: number;
  /** An UNLOAD's manifest of the files it wrote. */
  readonly dataManifestLocation?: string;
}

/** An `s3://bucket/key` URL Athena returned, as bucket and key. */
export function splitS3Url(url: string): { Bucket: string; Key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`Athena returned a location that is not an S3 URL: ${url}`);
  return { Bucket: m[1], Key: m[2] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function executeOnAthena(
  athena: AthenaClient,
  target: AthenaTarget,
  sql: string,
  options: { pollMs?: number; maxPollMs?: number; timeoutMs?: number } = {},
): Promise<AthenaExecution> {
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: target.workgroup,
      QueryExecutionContext: { Database: target.database },
    }),
  );
  const id = started.QueryExecutionId!;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  // Small partitions answer in well under a second: ask early, then back off to every 2 s.
  let wait = options.pollMs ?? 100;
  for (;;) {
    const { QueryExecution: q } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = q?.Status?.State ?? 'UNKNOWN';
    if (state === 'SUCCEEDED') {
      return {
        queryExecutionId: id,
        outputLocation: q?.ResultConfiguration?.OutputLocation ?? '',
        bytesScanned: q?.Statistics?.DataScannedInBytes ?? 0,
        engineMs: q?.Statistics?.EngineExecutionTimeInMillis ?? 0,
        dataManifestLocation: q?.Statistics?.DataManifestLocation,
      };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      throw new AthenaQueryError(
        id,
        state,
        q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? 'no reason given',
      );
    }
    if (Date.now() > deadline) throw new AthenaQueryError(id, 'TIMED OUT', 'still running at the deadline');
    await sleep(wait);
    wait = Math.min(options.maxPollMs ?? 2_000, Math.ceil(wait * 1.5));
  }
}

/** Reads every page of a finished query's results as row objects (the first row is the header). */
export async function readAthenaResults(athena: AthenaClient, queryExecutionId: string) {
  const columns: string[] = [];
  const rows: Record<string, PlainValue>[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, NextToken: token, MaxResults: 1000 }),
    );
    if (!columns.length)
      columns.push(...(page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? ''));
    const types = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Type ?? 'varchar');
    for (const [i, row] of (page.ResultSet?.Rows ?? []).entries()) {
      if (first && i === 0) continue; // the header row
      rows.push(Object.fromEntries(columns.map((c, j) => [c, typed(row.Data?.[j]?.VarCharValue, types[j])])));
    }
    first = false;
    token = page.NextToken;
  } while (token);
  return { columns, rows };
}

function typed(value: string | undefined, type: string): PlainValue {
  if (value === undefined) return null;
  if (/^(integer|bigint|smallint|tinyint|double|real|decimal)/.test(type)) return Number(value);
  if (type === 'boolean') return value === 'true';
  return value;
}
