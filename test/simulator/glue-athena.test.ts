import {
  AthenaClient,
  GetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListNamedQueriesCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  BatchCreatePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glueColumns, partitionInput } from '../../lake/glue-table.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { executeOnAthena, readAthenaResults } from '../../queries/athena/client.ts';
import { CATALOG } from '../../queries/catalog.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { TABLES } from '../../transforms/schema.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';
import { errorOf } from '../helpers/sim-clients.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

let s3: S3Server;
let sim: Simulator;
let athena: AthenaClient;
let glue: GlueClient;
beforeAll(async () => {
  s3 = await startS3Server(['sim-bucket']);
  sim = await startSimulator({
    accounts: 2,
    date: '2024-05-01',
    athena: {
      store: new S3Store(s3.client, 'sim-bucket', ''),
      bucket: 'sim-bucket',
      workgroup: 'credlake',
      database: 'credlake',
      queueMs: 10,
    },
  });
  const config = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
  athena = new AthenaClient(config);
  glue = new GlueClient(config);
});
afterAll(async () => {
  await s3.close();
});

describe('simulated Athena', () => {
  it('runs a query for real, pages results 1,000 rows at a time with the header first, and writes Athena CSV', async () => {
    const run = await executeOnAthena(
      athena,
      { workgroup: 'credlake', database: 'credlake' },
      'SELECT range AS n, range % 2 = 0 AS even FROM range(2500)',
      { pollMs: 5 },
    );
    const first = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: run.queryExecutionId }));
    expect(first.ResultSet?.Rows?.[0].Data?.map((d) => d.VarCharValue)).toEqual(['n', 'even']);
    expect(first.ResultSet?.Rows).toHaveLength(1000);
    expect(first.NextToken).toBeTruthy();
    const all = await readAthenaResults(athena, run.queryExecutionId);
    expect(all.rows).toHaveLength(2500);
    expect(all.rows[2499]).toEqual({ n: 2499, even: false });
    expect(run.outputLocation).toBe(`s3://sim-bucket/athena-results/${run.queryExecutionId}.csv`);
    const csv = await new S3Store(s3.client, 'sim-bucket', '').get(
      `athena-results/${run.queryExecutionId}.csv`,
    );
    expect(new TextDecoder().decode(csv).split('\n').slice(0, 2)).toEqual(['"n","even"', '"0","true"']);
  });

  it('fails a bad query with Athena’s error shape, refuses unknown workgroups, and stops a queued query', async () => {
    const bad = await athena.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT nope FROM nowhere', WorkGroup: 'credlake' }),
    );
    // Polled as a client does (a fixed sleep fails on a busy machine), until the query ends.
    let state: { State?: string; StateChangeReason?: string } | undefined;
    for (let i = 0; i < 200; i++) {
      state = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: bad.QueryExecutionId })))
        .QueryExecution?.Status;
      if (state?.State !== 'QUEUED' && state?.State !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state?.State).toBe('FAILED');
    expect(state?.StateChangeReason).toMatch(/^INVALID_QUERY: /);
    expect(
      await errorOf(
        athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: 'other' })),
      ),
    ).toMatchObject({ name: 'InvalidRequestException' });
    const queued = await athena.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: 'credlake' }),
    );
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queued.QueryExecutionId }));
    expect(
      (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queued.QueryExecutionId })))
        .QueryExecution?.Status?.State,
    ).toBe('CANCELLED');
  });

  it('serves one named query per catalog entry', async () => {
    const ids = (await athena.send(new ListNamedQueriesCommand({}))).NamedQueryIds ?? [];
    expect(ids).toHaveLength(CATALOG.length);
    const named = await athena.send(new GetNamedQueryCommand({ NamedQueryId: ids[0] }));
    expect(named.NamedQuery?.QueryString).toContain('WITH params AS');
  });
});

describe('simulated Glue', () => {
  it('keeps databases, tables and partitions, and answers AlreadyExists for a repeated partition', async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'credlake' } }));
    expect(
      await errorOf(glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'credlake' } }))),
    ).toMatchObject({ name: 'AlreadyExistsException' });
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'credlake',
        TableInput: { Name: 'accounts', StorageDescriptor: { Columns: glueColumns(TABLES.accounts) } },
      }),
    );
    expect(
      (await glue.send(new GetTableCommand({ DatabaseName: 'credlake', Name: 'accounts' }))).Table?.Name,
    ).toBe('accounts');
    const input = partitionInput('sim-bucket', '', TABLES.accounts, ['2024-05-01']);
    expect(
      (
        await glue.send(
          new BatchCreatePartitionCommand({
            DatabaseName: 'credlake',
            TableName: 'accounts',
            PartitionInputList: [input],
          }),
        )
      ).Errors,
    ).toEqual([]);
    const again = await glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: 'credlake',
        TableName: 'accounts',
        PartitionInputList: [input],
      }),
    );
    expect(again.Errors?.[0].ErrorDetail?.ErrorCode).toBe('AlreadyExistsException');
    const parts = await glue.send(
      new GetPartitionsCommand({ DatabaseName: 'credlake', TableName: 'accounts' }),
    );
    expect(parts.Partitions?.map((p) => [p.Values, p.StorageDescriptor?.Location])).toEqual([
      [['2024-05-01'], 's3://sim-bucket/curated/accounts/dt=2024-05-01/'],
    ]);
    expect(
      await errorOf(glue.send(new GetTableCommand({ DatabaseName: 'credlake', Name: 'nope' }))),
    ).toMatchObject({ name: 'EntityNotFoundException' });
  });
});
