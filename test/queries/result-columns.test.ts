import { describe, expect, it } from 'vitest';
import { hasTitle } from '../../queries/column-titles.ts';
import { describeResults } from '../../queries/describe-results.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { RESULT_COLUMNS } from '../../queries/result-columns.ts';
import { buildQueryLake } from '../helpers/query-lake.ts';

describe('queries/result-columns.ts', () => {
  it('declares exactly the columns and types DuckDB reports for every saved query (regenerate with test/fixtures/regenerate-result-columns.ts)', async () => {
    const engine = await DuckDbEngine.open((await buildQueryLake()).root);
    try {
      const described = await describeResults(engine);
      expect(
        Object.fromEntries(Object.entries(RESULT_COLUMNS).map(([k, v]) => [k, v.map((c) => [...c])])),
      ).toEqual(described);
    } finally {
      engine.close();
    }
  });
});

describe('column titles', () => {
  it('give every result column of every saved query a human title', () => {
    const untitled = Object.values(RESULT_COLUMNS)
      .flat()
      .map(([c]) => c)
      .filter((c) => !hasTitle(c));
    expect([...new Set(untitled)]).toEqual([]);
  });
});
