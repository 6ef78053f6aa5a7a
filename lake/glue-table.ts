// Glue table and partition definitions derived from the schema: Parquet SerDe, string
// partition keys, located by the lake's key layout. Pure data, used by the CDK app and by
// partition registration.
import { COLUMN_TYPES, type TableDef } from '../transforms/schema.ts';
import { curatedPrefix, prefixed } from './keys.ts';

export const PARQUET_FORMAT = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;

export interface GlueColumn {
  readonly Name: string;
  readonly Type: string;
  readonly Comment: string;
}

export function glueColumns(table: TableDef): GlueColumn[] {
  return table.columns.map((c) => ({
    Name: c.name,
    Type: COLUMN_TYPES[c.type].glue,
    Comment: c.description,
  }));
}

export function gluePartitionKeys(table: TableDef): GlueColumn[] {
  return table.partitionKeys.map((c) => ({ Name: c.name, Type: 'string', Comment: c.description }));
}

/** The S3 location of a table (`s3://bucket/prefix/curated/<table>/`). */
export function tableLocation(bucket: string, prefix: string, table: TableDef): string {
  return `s3://${bucket}/${prefixed(prefix, curatedPrefix(table.name))}`;
}

/** A BatchCreatePartition entry for one partition of a table. */
export function partitionInput(bucket: string, prefix: string, table: TableDef, values: readonly string[]) {
  const path = table.partitionKeys.map((k, i) => `${k.name}=${values[i]}/`).join('');
  return {
    Values: [...values],
    StorageDescriptor: {
      Columns: glueColumns(table),
      Location: `${tableLocation(bucket, prefix, table)}${path}`,
      InputFormat: PARQUET_FORMAT.inputFormat,
      OutputFormat: PARQUET_FORMAT.outputFormat,
      SerdeInfo: { SerializationLibrary: PARQUET_FORMAT.serde, Parameters: { 'serialization.format': '1' } },
    },
  };
}
