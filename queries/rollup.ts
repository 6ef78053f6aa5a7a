// The daily rollup (`findings_daily`): per snapshot and account, how many rows each compliance
// check returns. Its SQL is built from the checks' own .sql files, so a counting rule is written
// once, in its check; findings_by_account and findings_trend then read one small file per dt
// instead of every account's partition. The same SQL runs in DuckDB (local lakes) and in Athena
// (the deployed pipeline). No file access: the caller hands in each check's SQL (from the .sql
// files locally, from Athena's named queries in the Lambda).

import type { Value } from '../transforms/credential-report.ts';
import { isIsoDate } from '../transforms/dates.ts';
import { TABLES } from '../transforms/schema.ts';
import { COMPLIANCE_CHECKS } from './catalog.ts';
import { QueryInputError } from './errors.ts';
import { withParams } from './sql-params.ts';
import type { PlainValue } from './values.ts';

/** The SQL whose result is the rollup's rows for one snapshot date (the dt is the partition). */
export function dailyRollupSql(dt: string, sqlOf: (check: string) => string): string {
  if (!isIsoDate(dt))
    throw new QueryInputError(`the rollup date must be YYYY-MM-DD, got ${JSON.stringify(dt)}`);
  const counts = COMPLIANCE_CHECKS.map((check, i) => {
    const sql = withParams(check, sqlOf(check.name), { snapshot_dt: dt }).trim();
    return `count_${i} AS (\n  SELECT account_id, count(*) AS findings\n  FROM (\n${indent(sql, 4)}\n  ) f\n  GROUP BY account_id\n)`;
  });
  const names = COMPLIANCE_CHECKS.map(
    (check) => `  SELECT '${check.name}' AS check_name, '${check.basis ?? 'credential_report'}' AS basis`,
  ).join('\n  UNION ALL\n');
  const found = COMPLIANCE_CHECKS.map(
    (check, i) => `  SELECT '${check.name}' AS check_name, account_id, findings FROM count_${i}`,
  ).join('\n  UNION ALL\n');
  return `-- The findings_daily rollup of ${dt}, built by queries/rollup.ts from the compliance checks.
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
${counts.join(',\n')},
found AS (
${found}
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
  CASE WHEN j.evaluated THEN coalesce(f.findings, 0) END AS findings
FROM judged j
LEFT JOIN found f ON f.account_id = j.account_id AND f.check_name = j.check_name
ORDER BY j.account_id, j.check_name
`;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

/** Query results as rollup rows, whatever engine typed them (Athena hands back strings). */
export function toRollupRows(rows: readonly Record<string, PlainValue>[]): Record<string, Value>[] {
  const columns = TABLES.findings_daily.columns;
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
