import { Readable } from 'node:stream';
import {
  AthenaClient,
  GetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executeOnAthena, readAthenaResults } from '../../queries/athena/client.ts';
import { exportWithAthena } from '../../queries/athena/export.ts';
import { EXPORTED_QUERIES } from '../../queries/catalog.ts';
import { loadQuerySql } from '../../queries/saved-query.ts';

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  athena.reset();
  s3.reset();
});
// The export reads result bodies as a stream.
const body = (text: string) => Readable.from([text]) as never;

describe('Athena exports', () => {
  it('runs each exported named query for the snapshot and copies its CSV to exports/<query>/dt=.../', async () => {
    athena.on(GetNamedQueryCommand).callsFake((input) => ({
      NamedQuery: {
        Name: input.NamedQueryId,
        Database: 'credlake',
        QueryString: loadQuerySql(input.NamedQueryId),
      },
    }));
    let n = 0;
    athena.on(StartQueryExecutionCommand).callsFake(() => ({ QueryExecutionId: `q-${++n}` }));
    athena.on(GetQueryExecutionCommand).callsFake((input) => ({
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        Status: { State: 'SUCCEEDED' },
        ResultConfiguration: { OutputLocation: `s3://results-bucket/athena/${input.QueryExecutionId}.csv` },
        Statistics: { DataScannedInBytes: 1234 },
      },
    }));
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: body('"dt","account_id"\n"2024-05-01","000123456789"\n"2024-05-01","000000000042"\n'),
    }));
    s3.on(PutObjectCommand).resolves({});
    const namedQueries = Object.fromEntries(EXPORTED_QUERIES.map((q) => [q.name, q.name]));
    const manifest = await exportWithAthena(
      new AthenaClient({}),
      new S3Client({}),
      {
        workgroup: 'credlake',
        database: 'credlake',
        bucket: 'lake-bucket',
        prefix: 'lake',
        namedQueries,
        benchmark: 'cis-5.0',
      },
      '2024-05-01',
    );

    const starts = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(EXPORTED_QUERIES.length);
    expect(starts[0]).toEqual({
      QueryString: expect.stringContaining("'2024-05-01' AS snapshot_dt"),
      WorkGroup: 'credlake',
      QueryExecutionContext: { Database: 'credlake' },
    });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'results-bucket',
      Key: 'athena/q-1.csv',
    });
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({
      Bucket: 'lake-bucket',
      Key: `lake/exports/${EXPORTED_QUERIES[0].name}/dt=2024-05-01/${EXPORTED_QUERIES[0].name}.csv`,
      ContentType: 'text/csv',
    });
    expect(puts.at(-1)).toMatchObject({ Key: 'lake/exports/manifest/dt=2024-05-01/manifest.json' });
    expect(manifest.queries.every((q) => q.rows === 2 && q.bytesScanned === 1234)).toBe(true);
  });

  it('fails clearly with Athena’s reason when a query fails or is cancelled', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-bad' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({
        QueryExecution: {
          Status: {
            State: 'FAILED',
            StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
          },
        },
      });
    await expect(
      executeOnAthena(new AthenaClient({}), { workgroup: 'w', database: 'd' }, 'SELECT x', { pollMs: 1 }),
    ).rejects.toThrow("Athena query q-bad failed: COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved");
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'stopped by user' } } });
    await expect(
      executeOnAthena(new AthenaClient({}), { workgroup: 'w', database: 'd' }, 'SELECT 1', { pollMs: 1 }),
    ).rejects.toThrow(/cancelled: stopped by user/);
  });

  it('reads every page of results, typed, without the header row', async () => {
    const meta = {
      ColumnInfo: [
        { Name: 'user_name', Type: 'varchar' },
        { Name: 'key_age_days', Type: 'integer' },
      ],
    };
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: {
          ResultSetMetadata: meta,
          Rows: [
            { Data: [{ VarCharValue: 'user_name' }, { VarCharValue: 'key_age_days' }] },
            { Data: [{ VarCharValue: 'a' }, { VarCharValue: '91' }] },
          ],
        },
        NextToken: 't2',
      })
      .resolvesOnce({
        ResultSet: { ResultSetMetadata: meta, Rows: [{ Data: [{ VarCharValue: 'b' }, {}] }] },
      });
    const out = await readAthenaResults(new AthenaClient({}), 'q');
    expect(out.rows).toEqual([
      { user_name: 'a', key_age_days: 91 },
      { user_name: 'b', key_age_days: null },
    ]);
    expect(athena.commandCalls(GetQueryResultsCommand)[1].args[0].input).toMatchObject({ NextToken: 't2' });
  });
});
