// `credlake export --to security-hub`: the snapshot's findings into Security Hub in the account
// and region of the caller's credentials, with what findings_changes says resolved and reopened.
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfig } from '../collector/aws/clients.ts';
import type { ObjectStore } from '../lake/store.ts';
import { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { resolveSnapshot, runSavedQuery } from '../queries/run-query.ts';
import { exportToSecurityHub, type SecurityHubResult } from '../queries/security-hub.ts';
import type { PlainValue } from '../queries/values.ts';
import { ReportedFailure } from './errors.ts';

type Row = Record<string, PlainValue>;

const quoted = (values: string[]) => values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');

export async function exportSnapshotToSecurityHub(
  store: ObjectStore,
  region: string,
  date?: string,
): Promise<SecurityHubResult & { dt: string; account: string }> {
  const engine = await DuckDbEngine.openStore(store);
  let input: Parameters<typeof exportToSecurityHub>[2];
  let dt: string;
  try {
    dt = await resolveSnapshot(engine, date);
    const changes = (await runSavedQuery(engine, 'findings_changes', { date: dt })).rows;
    await engine.useSnapshot(undefined, ['findings', 'waivers']);
    const withFirstSeen = async (where: string): Promise<Row[]> =>
      (
        await engine.run(
          `SELECT f.*, s.first_seen FROM findings f
           LEFT JOIN (SELECT finding_key, min(dt) AS first_seen FROM findings GROUP BY finding_key) s
             ON s.finding_key = f.finding_key
           WHERE ${where}`,
        )
      ).rows;
    const findings = await withFirstSeen(`f.dt = '${dt}'`);
    // A resolved finding is closed as its previous snapshot had it.
    const resolvedRows = changes.filter((r) => r.change === 'resolved');
    const resolved: Row[] = [];
    for (const previous of new Set(resolvedRows.map((r) => String(r.previous_dt)))) {
      const keys = resolvedRows
        .filter((r) => String(r.previous_dt) === previous)
        .map((r) => String(r.finding_key));
      resolved.push(...(await withFirstSeen(`f.dt = '${previous}' AND f.finding_key IN (${quoted(keys)})`)));
    }
    const waivers = (
      await engine.run(`SELECT waiver_id, reason, approved_by, expires FROM waivers WHERE dt = '${dt}'`)
    ).rows;
    input = {
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
  } finally {
    engine.close();
  }
  const connection = { region };
  const identity = await new STSClient(clientConfig(connection)).send(new GetCallerIdentityCommand({}));
  const account = identity.Account ?? '';
  const hub = new SecurityHubClient({ ...clientConfig(connection), maxAttempts: 3 });
  const result = await exportToSecurityHub(hub, { account, region, now: new Date().toISOString() }, input);
  return { ...result, dt, account };
}

export function securityHubSummary(r: Awaited<ReturnType<typeof exportSnapshotToSecurityHub>>): string {
  const lines = [
    `Security Hub (account ${r.account}), snapshot ${r.dt}:`,
    `  ${String(r.imported).padStart(6)} findings imported (created or updated)`,
    `  ${String(r.suppressed).padStart(6)} suppressed (waived, with the waiver's reason)`,
    `  ${String(r.reopened).padStart(6)} reopened (their waiver lapsed)`,
    `  ${String(r.archived).padStart(6)} archived and resolved (no longer found)`,
  ];
  if (r.failed.length)
    lines.push(
      `  ${String(r.failed.length).padStart(6)} refused:`,
      ...r.failed.slice(0, 20).map((f) => `           ${f.id}: ${f.error}`),
    );
  return `${lines.join('\n')}\n`;
}

export function failIfRefused(r: { failed: unknown[] }): void {
  if (r.failed.length)
    throw new ReportedFailure(`Security Hub refused ${r.failed.length} finding(s): they are listed above`, 1);
}
