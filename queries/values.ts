// DuckDB values as plain JSON values. Instants become ISO strings in UTC ('Z'), whatever the
// machine's time zone: the node client would otherwise render TIMESTAMPTZ in local time.
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';

export type PlainValue = string | number | boolean | null;

export function toPlainValue(value: DuckDBValue): PlainValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'number'
  ) {
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return new Date(Number(value.micros / 1000n)).toISOString();
  }
  if (value instanceof DuckDBDateValue) return new Date(value.days * 86_400_000).toISOString().slice(0, 10);
  if (value instanceof DuckDBDecimalValue) return Number(value.value) / 10 ** value.scale;
  return String(value);
}

export function toPlainRow(row: Record<string, DuckDBValue>): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const [k, v] of Object.entries(row)) out[k] = toPlainValue(v);
  return out;
}
