import { DuckDBInstance } from '@duckdb/node-api';
import { type PlainValue, toPlainRow } from '../../queries/values.ts';

/** Runs one SQL statement in a fresh in-memory DuckDB (UTC session); instants come back as ISO 'Z'. */
export async function duckRows(sql: string): Promise<Record<string, PlainValue>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    return (await conn.runAndReadAll(sql)).getRowObjects().map(toPlainRow);
  } finally {
    conn.closeSync();
  }
}
