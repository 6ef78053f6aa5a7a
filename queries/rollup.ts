// The day's derived tables. `findings`: every row of every compliance check with a stable key,
// its SQL built from the checks' own .sql files, so a rule is written once, in its check.
// `findings_daily` (the rollup): per account and check, the findings counted from that table and
// whether the check could run; findings_by_account and findings_trend read one small file per dt
// instead of every account's partition. The same SQL runs in DuckDB (local lakes) and in Athena
// (the deployed pipeline). No file access: the caller hands in each check's SQL (from the .sql
// files locally, from Athena's named queries in the Lambda).

import type { Value } from '../transforms/credential-report.ts';
import { isIsoDate } from '../transforms/dates.ts';
import { COLUMN_TYPES, TABLES } from '../transforms/schema.ts';
import { type AppliedWaivers, annotationSql, type ContextKeys, contextKeys } from './annotate.ts';
import { BENCHMARKS, type BenchmarkId, COMPLIANCE_CHECKS, type SavedQuery } from './catalog.ts';
import { QueryInputError } from './errors.ts';
import { withParams } from './sql-params.ts';
import type { PlainValue } from './values.ts';

/**
 * The SQL whose result is the findings table's rows for one snapshot date: every check's rows,
 * each with the context its owner and waiver are decided from (annotate.ts): the user's ARN, the
 * account's OU path, and the value of each given user tag (`user_tag_<i>`) and account tag
 * (`account_tag_<i>`), NULL where absent.
 */
export function dailyFindingsSql(
  dt: string,
  sqlOf: (check: string) => string,
  keys: ContextKeys = { userTagKeys: [], accountTagKeys: [] },
): string {
  checkDate(dt);
  const parts = COMPLIANCE_CHECKS.map((check) => {
    const sql = withParams(check, sqlOf(check.name), { snapshot_dt: dt }).trim();
    const identity = check.identity ?? [];
    const rest = identity.filter((c) => c !== 'user_name');
    // `name=value` pairs, NULLs left out: "key_slot=2", "policy_name=AdministratorAccess, source=group, ...".
    const pair = (c: string) =>
      `CASE WHEN f.${c} IS NULL THEN NULL ELSE '${c}=' || CAST(f.${c} AS VARCHAR) END`;
    const detail = rest.length
      ? `nullif(concat_ws(', ', ${rest.map(pair).join(', ')}), '')`
      : 'CAST(NULL AS VARCHAR)';
    const user = identity.includes('user_name') ? 'f.user_name' : 'CAST(NULL AS VARCHAR)';
    return `SELECT f.account_id, f.account_name, '${check.name}' AS check_name, '${check.severity}' AS severity,
  ${findingKeySql(check, 'f')} AS finding_key,
  ${user} AS user_name,
  ${detail} AS detail
FROM (
${indent(sql, 2)}
) f`;
  });
  const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;
  const userTags = keys.userTagKeys.map((k, i) => ({
    column: `u${i}.tag_value AS user_tag_${i}`,
    join: `LEFT JOIN user_tags u${i} ON u${i}.dt = '${dt}' AND u${i}.account_id = x.account_id AND u${i}.user_name = x.user_name AND u${i}.tag_key = ${literal(k)}`,
  }));
  const accountTags = keys.accountTagKeys.map((k, i) => ({
    column: `t${i}.tag_value AS account_tag_${i}`,
    join: `LEFT JOIN account_tags t${i} ON t${i}.dt = '${dt}' AND t${i}.account_id = x.account_id AND t${i}.tag_key = ${literal(k)}`,
  }));
  const context = [...userTags, ...accountTags];
  return `-- The findings of ${dt}, built by queries/rollup.ts from the compliance checks.
WITH found AS (
${parts.join('\nUNION ALL\n')}
)
SELECT x.account_id, x.account_name, x.check_name, x.severity, x.finding_key, x.user_name, x.detail,
  cr.arn AS user_arn, a.ou_path${context.map((c) => `,\n  ${c.column}`).join('')}
FROM found x
LEFT JOIN credential_report cr ON cr.dt = '${dt}' AND cr.account_id = x.account_id AND cr.user_name = x.user_name
LEFT JOIN accounts a ON a.dt = '${dt}' AND a.account_id = x.account_id
${context.map((c) => `${c.join}\n`).join('')}ORDER BY x.account_id, x.finding_key
`;
}

/**
 * The SQL whose result is the findings table of one snapshot date, column for column and typed as
 * the table declares: every check's rows with their owner and waiver decided in SQL
 * (annotationSql), so an engine can write the table where it belongs (Athena's UNLOAD) without
 * any step reading the findings back.
 */
export function findingsTableSql(
  dt: string,
  sqlOf: (check: string) => string,
  ownerTags: readonly string[],
  applied: AppliedWaivers | null,
): string {
  const waivers = applied?.waivers ?? [];
  const keys = contextKeys(waivers, ownerTags);
  const a = annotationSql(keys, ownerTags, waivers, dt);
  const derived: Record<string, string> = {
    owner: a.owner,
    owner_source: a.ownerSource,
    waiver_status: a.waiverStatus,
    waiver_id: a.waiverId,
  };
  const inner = `SELECT r.*, ${Object.entries(derived)
    .map(([c, e]) => `${e} AS ${c}`)
    .join(',\n  ')}
FROM (
${indent(dailyFindingsSql(dt, sqlOf, keys).trimEnd(), 2)}
) r`;
  return typedTableSql('findings', inner, ['account_id', 'finding_key']);
}

/** A query's rows as the table's columns in its order, each cast to the table's type. */
export function typedTableSql(
  table: 'findings' | 'findings_daily',
  sql: string,
  orderBy: readonly string[],
): string {
  const columns = TABLES[table].columns.map(
    (c) => `CAST(t.${c.name} AS ${COLUMN_TYPES[c.type].duckdb}) AS ${c.name}`,
  );
  return `SELECT ${columns.join(',\n  ')}
FROM (
${indent(sql.trimEnd(), 2)}
) t
ORDER BY ${orderBy.map((c) => `t.${c}`).join(', ')}
`;
}

/** A check row's stable key, as an SQL expression over the row's columns (alias `a`). */
export function findingKeySql(check: SavedQuery, a: string): string {
  const text = (c: string) => `coalesce(CAST(${a}.${c} AS VARCHAR), '')`;
  return `concat_ws('|', ${[`'${check.name}'`, `${a}.account_id`, ...(check.identity ?? []).map(text)].join(', ')})`;
}

/**
 * A check's SQL with each row's owner, waiver status and waiver from the snapshot's findings
 * table (the same rows, matched by their stable key), in the check's own order: what exports
 * write, so a waived finding is in the export, marked, never dropped. Only at the day's
 * benchmark's thresholds do all rows match (the findings table is built at those).
 */
export function withFindingStatus(check: SavedQuery, sql: string, dt: string): string {
  checkDate(dt);
  const order = /\nORDER BY ([^\n]+)\s*$/.exec(sql.trimEnd());
  if (!order) throw new Error(`${check.name}: its SQL does not end with a one-line ORDER BY`);
  const terms = order[1].split(',').map((t) => {
    const m = /^\s*(?:[a-z_]+\.)?([a-z_0-9]+)(\s+(?:ASC|DESC))?\s*$/i.exec(t);
    if (!m) throw new Error(`${check.name}: cannot read the ORDER BY term ${JSON.stringify(t.trim())}`);
    return `c.${m[1]}${m[2] ?? ''}`;
  });
  return `SELECT c.*, fs.owner, fs.waiver_status, fs.waiver_id
FROM (
${indent(sql.trimEnd(), 2)}
) c
LEFT JOIN findings fs ON fs.dt = '${dt}' AND fs.finding_key = ${findingKeySql(check, 'c')}
ORDER BY ${terms.join(', ')}
`;
}

/**
 * The SQL whose result is the rollup's rows for one snapshot date: per account and check, the
 * findings counted from the findings table (written first), and whether the check could run.
 */
export function dailyRollupSql(dt: string, benchmark: BenchmarkId): string {
  checkDate(dt);
  if (!(benchmark in BENCHMARKS)) throw new QueryInputError(`unknown benchmark ${JSON.stringify(benchmark)}`);
  const names = COMPLIANCE_CHECKS.map(
    (check) => `  SELECT '${check.name}' AS check_name, '${check.basis ?? 'credential_report'}' AS basis`,
  ).join('\n  UNION ALL\n');
  return `-- The findings_daily rollup of ${dt}, built by queries/rollup.ts.
WITH runs AS (
  SELECT account_id, account_name, status, reason, posture_failed
  FROM collection_runs
  WHERE dt = '${dt}'
),
posture AS (
  SELECT DISTINCT account_id FROM account_posture WHERE dt = '${dt}'
),
people AS (
  SELECT account_id,
    sum(CASE WHEN is_root THEN 0 ELSE 1 END) AS users,
    sum(CASE WHEN NOT is_root AND password_enabled THEN 1 ELSE 0 END) AS console_users
  FROM credential_report
  WHERE dt = '${dt}'
  GROUP BY account_id
),
checks AS (
${names}
),
found AS (
  SELECT account_id, check_name, count(*) AS findings,
    sum(CASE WHEN waiver_status = 'waived' THEN 1 ELSE 0 END) AS waived
  FROM findings
  WHERE dt = '${dt}'
  GROUP BY account_id, check_name
),
judged AS (
  SELECT r.account_id, r.account_name, r.status, r.reason, pe.users, pe.console_users, c.check_name, c.basis,
    r.status = 'collected'
      AND (c.basis = 'credential_report'
        OR (po.account_id IS NOT NULL AND NOT coalesce(r.posture_failed, false))) AS evaluated
  FROM runs r
  CROSS JOIN checks c
  LEFT JOIN people pe ON pe.account_id = r.account_id
  LEFT JOIN posture po ON po.account_id = r.account_id
)
SELECT j.account_id, j.account_name, j.status, j.reason,
  CASE WHEN j.status = 'collected' THEN coalesce(j.users, 0) END AS users,
  CASE WHEN j.status = 'collected' THEN coalesce(j.console_users, 0) END AS console_users,
  j.check_name, j.basis, j.evaluated,
  CASE WHEN j.evaluated THEN coalesce(f.findings, 0) END AS findings,
  CASE WHEN j.evaluated THEN coalesce(f.waived, 0) END AS waived,
  '${benchmark}' AS benchmark
FROM judged j
LEFT JOIN found f ON f.account_id = j.account_id AND f.check_name = j.check_name
ORDER BY j.account_id, j.check_name
`;
}

function checkDate(dt: string): void {
  if (!isIsoDate(dt))
    throw new QueryInputError(`the rollup date must be YYYY-MM-DD, got ${JSON.stringify(dt)}`);
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

/** Query results as rows of a table, whatever engine typed them (Athena hands back strings). */
export function toTableRows(
  table: 'findings' | 'findings_daily' | 'waivers',
  rows: readonly Record<string, PlainValue>[],
): Record<string, Value>[] {
  const columns = TABLES[table].columns;
  return rows.map((row) =>
    Object.fromEntries(
      columns.map((c) => {
        const v = row[c.name];
        if (v === null || v === undefined) return [c.name, null];
        if (c.type === 'int') return [c.name, Number(v)];
        if (c.type === 'boolean') return [c.name, v === true || v === 'true'];
        return [c.name, String(v)];
      }),
    ),
  );
}
