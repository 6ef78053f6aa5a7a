import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { parseCredentialReport } from '../../transforms/credential-report.ts';
import { encodeParquet } from '../../transforms/parquet.ts';
import { COLUMN_TYPES, TABLES } from '../../transforms/schema.ts';
import { FIXTURE_CONTEXT, toGolden } from '../helpers/golden.ts';

async function readBack(bytes: Uint8Array, sql: (path: string) => string) {
  const dir = await mkdtemp(join(tmpdir(), 'credlake-parquet-'));
  const path = join(dir, 'data.parquet');
  await writeFile(path, bytes);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const reader = await conn.runAndReadAll(sql(path));
  return reader.getRowObjectsJson();
}

describe('Parquet written by parquet-wasm, read back by DuckDB', () => {
  const csv = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reports', 'basic.csv'));
  const { rows } = parseCredentialReport(new Uint8Array(csv), FIXTURE_CONTEXT);
  const bytes = encodeParquet(TABLES.credential_report, rows);

  it('round-trips every value: timestamps to the millisecond in UTC, NULLs and booleans', async () => {
    const back = await readBack(
      bytes,
      (p) =>
        `SELECT * REPLACE (${timestampColumns()
          .map((c) => `strftime(${c}, '%Y-%m-%dT%H:%M:%S.%gZ') AS ${c}`)
          .join(', ')}) FROM '${p}'`,
    );
    expect(back).toEqual(toGolden(rows));
  });

  it('declares every column with the type the schema gives it, even all-NULL ones', async () => {
    const described = await readBack(bytes, (p) => `DESCRIBE SELECT * FROM '${p}'`);
    expect(described.map((d) => [d.column_name, d.column_type])).toEqual(
      TABLES.credential_report.columns.map((c) => [
        c.name,
        COLUMN_TYPES[c.type].duckdb.replace('TIMESTAMPTZ', 'TIMESTAMP WITH TIME ZONE'),
      ]),
    );
  });

  it('uses SNAPPY, data page v1 encodings, one row group and min/max statistics', async () => {
    const meta = await readBack(
      bytes,
      (p) =>
        `SELECT row_group_id, path_in_schema, compression, encodings, stats_min, stats_max FROM parquet_metadata('${p}')`,
    );
    expect(new Set(meta.map((m) => m.compression))).toEqual(new Set(['SNAPPY']));
    expect(new Set(meta.map((m) => m.row_group_id))).toEqual(new Set(['0']));
    expect(
      meta.some((m) => String(m.encodings).includes('DELTA') || String(m.encodings).includes('BYTE_STREAM')),
    ).toBe(false);
    const created = meta.find((m) => m.path_in_schema === 'user_creation_time');
    expect(created?.stats_min).toContain('2019-03-01');
    expect(created?.stats_max).toContain('2024-01-31');
  });

  it('writes a file with no rows that still has every column', async () => {
    const empty = encodeParquet(TABLES.collection_runs, []);
    const described = await readBack(empty, (p) => `DESCRIBE SELECT * FROM '${p}'`);
    expect(described.map((d) => d.column_name)).toEqual(TABLES.collection_runs.columns.map((c) => c.name));
  });

  it('keeps 12-character account ids with leading zeros as strings', async () => {
    const file = encodeParquet(TABLES.accounts, [
      { account_id: '000000000042', name: 'zeros', state: 'ACTIVE' },
    ]);
    const back = await readBack(file, (p) => `SELECT account_id, typeof(account_id) AS t FROM '${p}'`);
    expect(back).toEqual([{ account_id: '000000000042', t: 'VARCHAR' }]);
  });
});

function timestampColumns(): string[] {
  return TABLES.credential_report.columns.filter((c) => c.type === 'timestamp').map((c) => c.name);
}
