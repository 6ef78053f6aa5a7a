import { BatchCreatePartitionCommand, GlueClient } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { registerPartitions } from '../../lake/glue-partitions.ts';
import { glueColumns } from '../../lake/glue-table.ts';
import { TABLES } from '../../transforms/schema.ts';

const glue = mockClient(GlueClient);
beforeEach(() => glue.reset());
const target = { database: 'credlake', bucket: 'lake-bucket', prefix: 'lake' };

describe('Glue partition registration', () => {
  it('sends BatchCreatePartition with the schema columns, Parquet SerDe and the partition location', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    await registerPartitions(new GlueClient({}), target, TABLES.credential_report, [
      ['2024-05-01', '000123456789'],
    ]);
    const calls = glue.commandCalls(BatchCreatePartitionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      DatabaseName: 'credlake',
      TableName: 'credential_report',
      PartitionInputList: [
        {
          Values: ['2024-05-01', '000123456789'],
          StorageDescriptor: {
            Columns: glueColumns(TABLES.credential_report),
            Location:
              's3://lake-bucket/lake/curated/credential_report/dt=2024-05-01/account_id=000123456789/',
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            SerdeInfo: {
              SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
              Parameters: { 'serialization.format': '1' },
            },
          },
        },
      ],
    });
  });

  it('treats AlreadyExists as success and anything else as an error naming the partition', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValues: ['2024-05-01'],
          ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' },
        },
      ],
    });
    await expect(
      registerPartitions(new GlueClient({}), target, TABLES.accounts, [['2024-05-01']]),
    ).resolves.toBeUndefined();
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValues: ['2024-05-02'],
          ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'no table' },
        },
      ],
    });
    await expect(
      registerPartitions(new GlueClient({}), target, TABLES.accounts, [['2024-05-02']]),
    ).rejects.toThrow(/2024-05-02: EntityNotFoundException no table/);
  });

  it('sends at most 100 partitions per request', async () => {
    glue.on(BatchCreatePartitionCommand).resolves({});
    const partitions = Array.from({ length: 250 }, (_, i) => ['2024-05-01', String(i).padStart(12, '0')]);
    await registerPartitions(new GlueClient({}), target, TABLES.credential_report, partitions);
    expect(
      glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input.PartitionInputList?.length),
    ).toEqual([100, 100, 50]);
  });
});
