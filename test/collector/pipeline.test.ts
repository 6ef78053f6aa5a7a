// The deployed pipeline's steps (plan, collect one account per Map item, finalize) against the
// simulator and a real S3-compatible server, with the production SDK adapters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { sdkOrgApi } from '../../collector/aws/org-api.ts';
import { collectOne, finalizeRun, type PipelineDeps, planRun } from '../../collector/pipeline.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { parseFaultSpec } from '../../simulator/faults.ts';
import { Simulator } from '../../simulator/simulator.ts';
import type { TableDef } from '../../transforms/schema.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';
import { FAST_POLL, FAST_RETRY } from '../helpers/sim-run.ts';

let s3: S3Server;
let sim: Simulator;
beforeAll(async () => {
  s3 = await startS3Server(['pipeline-bucket']);
  sim = await Simulator.start({
    accounts: 25,
    seed: 14,
    date: '2024-05-01',
    faults: parseFaultSpec('access_denied=0.1,malformed=0.05'),
  });
});
afterAll(async () => {
  await sim.close();
  await s3.close();
});

describe('pipeline steps', () => {
  it('plans, collects each item, finalizes with a notice naming the failed accounts, and registers partitions once', async () => {
    const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
    const clients = createClients(connection);
    const registered: string[] = [];
    const notices: string[] = [];
    const deps: PipelineDeps = {
      store: new S3Store(s3.client, 'pipeline-bucket', 'lake'),
      org: sdkOrgApi(clients.organizations, FAST_RETRY),
      access: () =>
        sdkAccountAccess(connection, clients.sts, {
          roleName: sim.roleName,
          sessionName: 'credlake-pipeline',
        }),
      filters: {},
      reportTimeoutMs: 5_000,
      poll: FAST_POLL,
      retry: FAST_RETRY,
      now: () => sim.now(),
      registerPartitions: async (table: TableDef, partitions: string[][]) => {
        for (const p of partitions) registered.push(`${table.name}/${p.join('/')}`);
      },
      notify: async (subject, message) => {
        notices.push(`${subject}\n${message}`);
      },
    };
    const planned = await planRun(deps, { dt: '2024-05-01' });
    const active = sim.org.accounts.filter((a) => a.state === 'ACTIVE');
    expect(planned.items.map((i) => i.accountId).sort()).toEqual(active.map((a) => a.id).sort());
    const results = await Promise.all(planned.items.map((item) => collectOne(deps, item)));
    const final = await finalizeRun(deps, {
      runId: planned.runId,
      dt: planned.dt,
      startedAt: planned.startedAt,
      results,
    });
    const expected = sim.expected('2024-05-01');
    expect(final.collected).toBe(expected.collected.length);
    expect(final.failedAccounts.map((f) => `${f.accountId}|failed|${f.reason}`).sort()).toEqual(
      expected.collection_coverage.filter((c) => c.includes('|failed|')).sort(),
    );
    expect(notices).toHaveLength(1);
    for (const f of final.failedAccounts) expect(notices[0]).toContain(f.accountId);
    expect(registered.filter((r) => r.startsWith('credential_report/')).sort()).toEqual(
      expected.collected.map((id) => `credential_report/2024-05-01/${id}`).sort(),
    );
    expect(registered).toContain('accounts/2024-05-01');
    expect(registered).toContain('collection_runs/2024-05-01');
    expect(new Set(registered).size).toBe(registered.length);
  });
});
