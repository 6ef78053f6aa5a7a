// Registers curated partitions in the Glue catalog. Idempotent: a partition that already
// exists is a success, so re-runs and retries register nothing twice.
import { BatchCreatePartitionCommand, type GlueClient } from '@aws-sdk/client-glue';
import type { TableDef } from '../transforms/schema.ts';
import { partitionInput } from './glue-table.ts';

export interface PartitionTarget {
  readonly database: string;
  readonly bucket: string;
  readonly prefix: string;
}

export async function registerPartitions(
  glue: GlueClient,
  target: PartitionTarget,
  table: TableDef,
  partitions: readonly (readonly string[])[],
): Promise<void> {
  for (let i = 0; i < partitions.length; i += 100) {
    const batch = partitions.slice(i, i + 100);
    const out = await glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: target.database,
        TableName: table.name,
        PartitionInputList: batch.map((values) =>
          partitionInput(target.bucket, target.prefix, table, values),
        ),
      }),
    );
    const failed = (out.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
    if (failed.length) {
      const detail = failed.map(
        (e) => `${e.PartitionValues?.join('/')}: ${e.ErrorDetail?.ErrorCode} ${e.ErrorDetail?.ErrorMessage}`,
      );
      throw new Error(`Glue refused partitions of ${table.name}: ${detail.join('; ')}`);
    }
  }
}
