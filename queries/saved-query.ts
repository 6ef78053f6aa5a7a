// Loads a saved query's SQL text: its file under queries/, or generated (the summaries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { querySql } from './summary-sql.ts';

export function loadQuerySql(name: string): string {
  return querySql(name, (n) => readFileSync(join(import.meta.dirname, `${n}.sql`), 'utf8'));
}

export { checkParams, type ParamValues, readParamsCte, requireQuery, withParams } from './sql-params.ts';
