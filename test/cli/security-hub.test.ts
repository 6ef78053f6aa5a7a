// Findings into Security Hub, as a security team runs it: two simulated days exported with
// `credlake export --to security-hub` to the simulator's Security Hub (which refuses what the
// real service refuses), and the hub then holds what findings_changes says: new findings
// imported, standing ones updated, resolved ones archived, waived ones suppressed with the
// waiver's reason, reopened ones back to NEW.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { beforeAll, describe, expect, it } from 'vitest';
import { asffId } from '../../queries/asff.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { runSavedQuery } from '../../queries/run-query.ts';
import { exportToSecurityHub } from '../../queries/security-hub.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { addDays } from '../../transforms/dates.ts';
import { runCli } from '../helpers/cli.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

const D2 = '2025-09-02';
const D1 = addDays(D2, -1);
let lake: string;
let sim: Simulator;
const env = () => ({
  AWS_ENDPOINT_URL: sim.endpoint,
  AWS_ACCESS_KEY_ID: sim.callerCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: sim.callerCredentials.secretAccessKey,
  AWS_REGION: 'eu-west-1',
});
const hub = () => [...sim.securityHub.findings.values()];

async function rowsOf(dt: string) {
  const engine = await DuckDbEngine.open(lake);
  try {
    await engine.useSnapshot(dt, ['findings']);
    const findings = (await engine.run(`SELECT finding_key, waiver_status FROM findings WHERE dt = '${dt}'`))
      .rows;
    const changes = (await runSavedQuery(engine, 'findings_changes', { date: dt })).rows;
    return { findings, changes };
  } finally {
    engine.close();
  }
}

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'credlake-securityhub-'));
  const r = await runCli([
    'run',
    '--simulate',
    '--accounts',
    '14',
    '--seed',
    '8',
    '--days',
    '2',
    '--date',
    D2,
    '--lake',
    lake,
    '--quiet',
  ]);
  expect(r.code, r.stderr).toBe(0);
  // The Security Hub (and STS) the export talks to, reached through the SDK's endpoint setting.
  sim = await startSimulator({ accounts: 1, seed: 1, date: D2 });
}, 120_000);

describe('credlake export --to security-hub', () => {
  it('imports the first day whole, in batches of 100, into the caller account, waived ones suppressed', async () => {
    const r = await runCli(['export', '--to', 'security-hub', '--date', D1, '--lake', lake], env());
    expect(r.code, r.stderr).toBe(0);
    const { findings } = await rowsOf(D1);
    expect(findings.length).toBeGreaterThan(100);
    expect(r.stdout).toContain(`${findings.length} findings imported`);
    expect(hub()).toHaveLength(findings.length);
    expect(sim.securityHub.stats.largestBatch).toBe(100);
    const caller = sim.org.managementAccountId;
    expect(new Set(hub().map((f) => f.AwsAccountId))).toEqual(new Set([caller]));
    expect(new Set(hub().map((f) => f.ProductArn))).toEqual(
      new Set([`arn:aws:securityhub:eu-west-1:${caller}:product/${caller}/default`]),
    );
    const waived = findings
      .filter((f) => f.waiver_status === 'waived')
      .map((f) => asffId(String(f.finding_key)));
    expect(waived.length).toBeGreaterThan(0);
    const suppressed = hub().filter((f) => (f.Workflow as { Status: string }).Status === 'SUPPRESSED');
    expect(suppressed.map((f) => f.Id).sort()).toEqual(waived.sort());
    expect((suppressed[0].Note as { Text: string }).Text).toMatch(
      /^Waived by credlake waiver \S+ until \d{4}-\d{2}-\d{2}/,
    );
  });

  it('then updates the standing findings, archives the resolved and reopens the lapsed, as findings_changes says', async () => {
    const before = new Set(hub().map((f) => f.Id));
    const r = await runCli(['export', '--to', 'security-hub', '--date', D2, '--lake', lake], env());
    expect(r.code, r.stderr).toBe(0);
    const { findings, changes } = await rowsOf(D2);
    const ids = (change: string) =>
      changes
        .filter((c) => c.change === change)
        .map((c) => asffId(String(c.finding_key)))
        .sort();
    const active = hub().filter((f) => f.RecordState === 'ACTIVE');
    const archived = hub().filter((f) => f.RecordState === 'ARCHIVED');
    expect(active.map((f) => f.Id).sort()).toEqual(findings.map((f) => asffId(String(f.finding_key))).sort());
    expect(
      active
        .filter((f) => !before.has(f.Id))
        .map((f) => f.Id)
        .sort(),
    ).toEqual(ids('new'));
    expect(archived.map((f) => f.Id).sort()).toEqual(ids('resolved'));
    expect(ids('resolved').length).toBeGreaterThan(0);
    for (const f of archived) expect((f.Workflow as { Status: string }).Status).toBe('RESOLVED');
    expect(ids('reopened').length).toBeGreaterThan(0);
    for (const id of ids('reopened'))
      expect(
        (sim.securityHub.findings.get(`${active[0].ProductArn}|${id}`)!.Workflow as { Status: string })
          .Status,
      ).toBe('NEW');
    const waived = findings
      .filter((f) => f.waiver_status === 'waived')
      .map((f) => asffId(String(f.finding_key)));
    const suppressed = active.filter((f) => (f.Workflow as { Status: string }).Status === 'SUPPRESSED');
    expect(suppressed.map((f) => f.Id).sort()).toEqual(waived.sort());
    expect(r.stdout).toContain(`${ids('resolved').length} archived and resolved`);
    expect(r.stdout).toContain(`${ids('reopened').length} reopened`);
  });

  it("is refused, finding by finding, for an account other than the caller's, and says so", async () => {
    const client = new SecurityHubClient({
      region: 'eu-west-1',
      endpoint: sim.endpoint,
      credentials: sim.callerCredentials,
    });
    const { findings } = await rowsOf(D2);
    const engine = await DuckDbEngine.open(lake);
    let rows: Awaited<ReturnType<typeof engine.run>>['rows'];
    try {
      await engine.useSnapshot(D2, ['findings']);
      rows = (await engine.run(`SELECT * FROM findings WHERE dt = '${D2}' LIMIT 3`)).rows;
    } finally {
      engine.close();
    }
    const result = await exportToSecurityHub(
      client,
      { account: '999999999999', region: 'eu-west-1', now: new Date().toISOString() },
      { findings: rows, resolved: [], reopened: new Set(), waivers: new Map() },
    );
    expect(findings.length).toBeGreaterThan(3);
    expect(result.imported).toBe(0);
    expect(result.failed).toHaveLength(3);
    expect(result.failed[0].error).toMatch(
      /^AccessDeniedException: The caller may not import findings for arn:aws:securityhub:eu-west-1:999999999999/,
    );
  });
});
