// What the deployed exports step hands Security Hub, read with Athena: the snapshot's findings
// (each with the first snapshot it was in), the resolved ones as their previous snapshot had them,
// and the day's waivers; findings_changes' rows come from the digest's query.
import type { AthenaClient } from '@aws-sdk/client-athena';
import { executeOnAthena, readAthenaResults } from './athena.ts';
import type { ExportTarget } from './athena-export.ts';
import type { SecurityHubInput } from './security-hub.ts';
import type { PlainValue } from './values.ts';

type Row = Record<string, PlainValue>;

const quoted = (values: string[]) => values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');

export function securityHubFindingsSql(where: string): string {
  return `SELECT f.*, s.first_seen FROM findings f
LEFT JOIN (SELECT finding_key, min(dt) AS first_seen FROM findings GROUP BY finding_key) s
  ON s.finding_key = f.finding_key
WHERE ${where}`;
}

export async function securityHubInputWithAthena(
  athena: AthenaClient,
  target: ExportTarget,
  dt: string,
  changes: readonly Row[],
): Promise<SecurityHubInput> {
  const query = async (sql: string) =>
    (await readAthenaResults(athena, (await executeOnAthena(athena, target, sql)).queryExecutionId)).rows;
  const findings = await query(securityHubFindingsSql(`f.dt = '${dt}'`));
  const resolvedRows = changes.filter((r) => r.change === 'resolved');
  const resolved: Row[] = [];
  for (const previous of new Set(resolvedRows.map((r) => String(r.previous_dt)))) {
    const keys = resolvedRows
      .filter((r) => String(r.previous_dt) === previous)
      .map((r) => String(r.finding_key));
    resolved.push(
      ...(await query(securityHubFindingsSql(`f.dt = '${previous}' AND f.finding_key IN (${quoted(keys)})`))),
    );
  }
  const waivers = await query(
    `SELECT waiver_id, reason, approved_by, expires FROM waivers WHERE dt = '${dt}'`,
  );
  return {
    findings,
    resolved,
    reopened: new Set(changes.filter((r) => r.change === 'reopened').map((r) => String(r.finding_key))),
    waivers: new Map(
      waivers.map((w) => [
        String(w.waiver_id),
        { reason: String(w.reason), approvedBy: String(w.approved_by), expires: String(w.expires) },
      ]),
    ),
  };
}
