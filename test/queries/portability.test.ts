// Guards the portability rules of docs/architecture.md, so every saved query runs unchanged in
// Athena (Trino) and DuckDB. What is guarded: the forbidden constructs below (by pattern) and
// Trino's grammar as node-sql-parser knows it (on the SQL as prepared with a literal snapshot
// date, since that parser rejects scalar subqueries that Trino accepts). What is not: function
// signatures and type coercions, which only the real engines check.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import parserModule from 'node-sql-parser/build/trino.js';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../queries/catalog.ts';
import { dailyFindingsSql, dailyRollupSql } from '../../queries/rollup.ts';
import { loadQuerySql, readParamsCte, withParams } from '../../queries/saved-query.ts';
import { GENERATED_QUERIES } from '../../queries/summary-sql.ts';

const FORBIDDEN: [RegExp, string][] = [
  [/\b(greatest|least)\s*\(/i, 'greatest/least return NULL on any NULL input in Trino but not in DuckDB'],
  [
    /\b(date_diff|datediff|date_add|date_sub|date_trunc|age|interval)\b/i,
    'no date arithmetic: compare the precomputed *_days columns',
  ],
  [
    /\b(now|current_date|current_timestamp|localtimestamp|today)\b/i,
    'no wall-clock functions: results must not depend on when they run',
  ],
  [/::/, 'PostgreSQL/DuckDB cast syntax; use CAST(x AS type)'],
  [/\b(ilike|qualify|exclude|replace\s*\(|columns\s*\()/i, 'DuckDB-only syntax'],
  [/"[^"]*"/, 'double quotes: identifiers stay unquoted and strings use single quotes'],
  [/\b(strftime|strptime|epoch|list_|struct_pack|regexp_matches)\b/i, 'DuckDB-only function'],
  [/;\s*\S/, 'one statement per file'],
];

const stripComments = (sql: string) => sql.replace(/--.*$/gm, '');
/** String literals (e.g. 'arn:aws:iam::') are data, not syntax: blank them before the checks. */
const stripStrings = (sql: string) => sql.replace(/'(?:[^']|'')*'/g, "''");
const { Parser } = parserModule as unknown as {
  Parser: new () => { astify(sql: string, opts: object): unknown };
};

describe('saved queries are portable between Athena and DuckDB', () => {
  const files = readdirSync(join(import.meta.dirname, '..', '..', 'queries')).filter((f) =>
    f.endsWith('.sql'),
  );

  it('has one .sql file per catalog entry not generated from the catalog, and no stray files', () => {
    expect(files.map((f) => f.replace('.sql', '')).sort()).toEqual(
      CATALOG.map((q) => q.name)
        .filter((n) => !(n in GENERATED_QUERIES))
        .sort(),
    );
  });

  for (const query of CATALOG) {
    const sql = loadQuerySql(query.name);

    it(`${query.name}: no forbidden construct`, () => {
      const code = stripStrings(stripComments(sql));
      for (const [pattern, why] of FORBIDDEN) expect(code, `${query.name}: ${why}`).not.toMatch(pattern);
    });

    it(`${query.name}: its params CTE declares exactly the catalog's parameters and defaults`, () => {
      const cte = readParamsCte(sql);
      expect([...cte.keys()].sort()).toEqual(query.params.map((p) => p.name).sort());
      for (const p of query.params) {
        expect(cte.get(p.name)).toBe(
          p.default === 'latest' ? '(SELECT max(dt) FROM collection_runs)' : String(p.default),
        );
      }
    });

    it(`${query.name}: parses with a Trino-dialect grammar`, () => {
      const prepared = query.params.some((p) => p.name === 'snapshot_dt')
        ? withParams(query, sql, { snapshot_dt: '2024-05-01' })
        : sql;
      expect(() => new Parser().astify(stripComments(prepared), { database: 'trino' })).not.toThrow();
    });
  }

  it('the findings and findings_daily SQL, built from the checks, pass the same guards', () => {
    for (const sql of [
      dailyFindingsSql('2024-05-01', loadQuerySql),
      dailyRollupSql('2024-05-01', 'cis-5.0'),
    ]) {
      const code = stripStrings(stripComments(sql));
      for (const [pattern, why] of FORBIDDEN) expect(code, `rollup: ${why}`).not.toMatch(pattern);
      expect(() => new Parser().astify(stripComments(sql), { database: 'trino' })).not.toThrow();
      for (const check of CATALOG.filter((q) => q.kind === 'check')) expect(sql).toContain(`'${check.name}'`);
    }
  });

  it('the guard catches what it is meant to catch', () => {
    const bad = [
      'SELECT greatest(a, b) FROM t',
      "SELECT date_diff('day', a, b) FROM t",
      'SELECT a::int FROM t',
    ];
    for (const sql of bad) expect(FORBIDDEN.some(([p]) => p.test(sql))).toBe(true);
  });
});
