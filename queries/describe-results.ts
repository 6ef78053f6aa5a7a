// Describes each saved query's result columns with DuckDB, for the generated declaration in
// result-columns.ts (QuickSight datasets need them at synth time, with no engine at hand).

import { CATALOG } from './catalog.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';
import { prepareQuery } from './run-query.ts';

export type ResultType = 'string' | 'integer' | 'decimal' | 'boolean' | 'datetime';

const TYPE_OF: Record<string, ResultType> = {
  VARCHAR: 'string',
  INTEGER: 'integer',
  BIGINT: 'integer',
  HUGEINT: 'integer',
  DOUBLE: 'decimal',
  BOOLEAN: 'boolean',
  'TIMESTAMP WITH TIME ZONE': 'datetime',
  TIMESTAMP: 'datetime',
  DATE: 'datetime',
};

export async function describeResults(engine: DuckDbEngine): Promise<Record<string, [string, ResultType][]>> {
  const out: Record<string, [string, ResultType][]> = {};
  for (const query of CATALOG) {
    const { rows } = await engine.run(`DESCRIBE ${await prepareQuery(engine, query.name)}`);
    out[query.name] = rows.map((r) => {
      const type =
        TYPE_OF[String(r.column_type)] ??
        (String(r.column_type).startsWith('DECIMAL') ? 'decimal' : undefined);
      if (!type) throw new Error(`${query.name}.${r.column_name}: no QuickSight type for ${r.column_type}`);
      return [String(r.column_name), type];
    });
  }
  return out;
}
