// Loads a saved query's SQL text from its file under queries/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadQuerySql(name: string): string {
  return readFileSync(join(import.meta.dirname, `${name}.sql`), 'utf8');
}

export { checkParams, type ParamValues, readParamsCte, requireQuery, withParams } from './sql-params.ts';
