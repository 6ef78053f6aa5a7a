// `credlake export --to security-hub`: the snapshot's findings into Security Hub in the account
// and region of the caller's credentials, with what findings_changes says resolved and reopened.
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfig } from '../collector/aws/clients.ts';
import type { ObjectStore } from '../lake/store.ts';
import type { BenchmarkId } from '../queries/catalog.ts';
import { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { judgingBenchmark, resolveSnapshot, runSavedQuery } from '../queries/run-query.ts';
import { exportToSecurityHub, type SecurityHubResult, securityHubInput } from '../queries/security-hub.ts';
import { ReportedFailure } from './errors.ts';

export async function exportSnapshotToSecurityHub(
  store: ObjectStore,
  region: string,
  date?: string,
  asked?: BenchmarkId,
): Promise<SecurityHubResult & { dt: string; account: string }> {
  const engine = await DuckDbEngine.openStore(store);
  let input: Parameters<typeof exportToSecurityHub>[2];
  let dt: string;
  let benchmark: BenchmarkId;
  try {
    dt = await resolveSnapshot(engine, date);
    // The findings were judged against the snapshot's benchmark: its control ids go with them.
    benchmark = await judgingBenchmark(engine, dt, asked);
    const changes = (await runSavedQuery(engine, 'findings_changes', { date: dt })).rows;
    await engine.useSnapshot(undefined, ['findings', 'waivers']);
    input = await securityHubInput(async (sql) => (await engine.run(sql)).rows, dt, changes);
  } finally {
    engine.close();
  }
  const connection = { region };
  const identity = await new STSClient(clientConfig(connection)).send(new GetCallerIdentityCommand({}));
  const account = identity.Account ?? '';
  const hub = new SecurityHubClient({ ...clientConfig(connection), maxAttempts: 3 });
  const result = await exportToSecurityHub(
    hub,
    { account, region, now: new Date().toISOString(), benchmark },
    input,
  );
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
