// Encodes rows as Parquet that both Athena (Trino's Hive reader) and DuckDB read: an explicit
// Arrow schema from `schema.ts`, every column present even when all-NULL, data page v1,
// SNAPPY, chunk-level min/max statistics and no page index. See docs/decisions/.
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm/node';
import type { Value } from './credential-report.ts';
import type { ColumnType, TableDef } from './schema.ts';

const ARROW_TYPES: Record<ColumnType, () => arrow.DataType> = {
  string: () => new arrow.Utf8(),
  boolean: () => new arrow.Bool(),
  int: () => new arrow.Int32(),
  bigint: () => new arrow.Int64(),
  timestamp: () => new arrow.TimestampMillisecond('UTC'),
};

/** The Arrow schema of a table's Parquet files (partition keys live in the path, not the file). */
export function arrowSchema(table: TableDef): arrow.Schema {
  return new arrow.Schema(table.columns.map((c) => new arrow.Field(c.name, ARROW_TYPES[c.type](), true)));
}

/** Builds an Arrow table from rows; values missing from a row are NULL. */
export function toArrowTable(
  table: TableDef,
  rows: readonly Record<string, Value | undefined>[],
): arrow.Table {
  const schema = arrowSchema(table);
  const children = table.columns.map((column, i) => {
    const builder = arrow.makeBuilder({ type: schema.fields[i].type, nullValues: [null, undefined] });
    const toArrow =
      column.type === 'bigint' ? (v: Value | undefined) => (typeof v === 'number' ? BigInt(v) : v) : null;
    for (const row of rows) builder.append((toArrow ? toArrow(row[column.name]) : row[column.name]) as never);
    return builder.finish().flush();
  });
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: rows.length,
    nullCount: 0,
    children,
  });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

/** Encodes rows of a table as one Parquet file with a single row group. */
export function encodeParquet(
  table: TableDef,
  rows: readonly Record<string, Value | undefined>[],
): Uint8Array {
  const ipc = arrow.tableToIPC(toArrowTable(table, rows), 'stream');
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.SNAPPY)
    .setWriterVersion(parquet.WriterVersion.V1)
    .setStatisticsEnabled(parquet.EnabledStatistics.Chunk)
    .setMaxRowGroupSize(Math.max(rows.length, 1))
    .setCreatedBy('credlake')
    .build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(ipc), props);
}
