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

/**
 * Builds an Arrow table from rows; values missing from a row are NULL. Each column's buffers are
 * filled directly (validity bits, values, string offsets and bytes), which is several times
 * faster than Arrow's generic builders on the report-sized tables every collection writes.
 */
export function toArrowTable(
  table: TableDef,
  rows: readonly Record<string, Value | undefined>[],
): arrow.Table {
  const schema = arrowSchema(table);
  const children = table.columns.map((column, i) =>
    columnData(column.type, schema.fields[i].type, rows, column.name),
  );
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: rows.length,
    nullCount: 0,
    children,
  });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

function columnData(
  kind: ColumnType,
  type: arrow.DataType,
  rows: readonly Record<string, Value | undefined>[],
  name: string,
): arrow.Data {
  const length = rows.length;
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  const present = (v: Value | undefined, i: number): v is Exclude<Value, null> => {
    if (v === null || v === undefined) {
      nullCount++;
      return false;
    }
    nullBitmap[i >> 3] |= 1 << (i & 7);
    return true;
  };
  const base = { length, nullBitmap } as const;
  switch (kind) {
    case 'string': {
      const valueOffsets = new Int32Array(length + 1);
      const parts: string[] = [];
      let bytes = 0;
      for (let i = 0; i < length; i++) {
        const v = rows[i][name];
        if (present(v, i)) {
          const s = typeof v === 'string' ? v : String(v);
          parts.push(s);
          bytes += Buffer.byteLength(s, 'utf8');
        }
        valueOffsets[i + 1] = bytes;
      }
      const data = new Uint8Array(Buffer.from(parts.join(''), 'utf8'));
      return arrow.makeData({ ...base, type: type as arrow.Utf8, nullCount, valueOffsets, data });
    }
    case 'boolean': {
      const data = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < length; i++) {
        const v = rows[i][name];
        if (present(v, i) && v) data[i >> 3] |= 1 << (i & 7);
      }
      return arrow.makeData({ ...base, type: type as arrow.Bool, nullCount, data });
    }
    case 'int': {
      const data = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        const v = rows[i][name];
        if (present(v, i)) data[i] = Number(v);
      }
      return arrow.makeData({ ...base, type: type as arrow.Int32, nullCount, data });
    }
    case 'bigint':
    case 'timestamp': {
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const v = rows[i][name];
        if (present(v, i)) data[i] = BigInt(v as number);
      }
      return kind === 'bigint'
        ? arrow.makeData({ ...base, type: type as arrow.Int64, nullCount, data })
        : arrow.makeData({ ...base, type: type as arrow.TimestampMillisecond, nullCount, data });
    }
  }
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
