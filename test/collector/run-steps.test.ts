// The deployed pipeline's steps (plan, collect one account per Map item, finalize) against the
// simulator and a real S3-compatible server, with the production SDK adapters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { sdkOrgApi } from '../../collector/aws/org-api.ts';
import { ApiError } from '../../collector/errors.ts';
import { readOutcomes, standingOutcomes } from '../../collector/journal.ts';
import {
  type AccountItem,
  collectOne,
  finalizeRun,
  type PipelineDeps,
  planRun,
  recordFailure,
} from '../../collector/run-steps.ts';
import { rawReportPrefix, runItemsKey } from '../../lake/keys.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { getJson, type ObjectStore } from '../../lake/store.ts';
import { parseFaultSpec } from '../../simulator/faults.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { TableDef } from '../../transforms/schema.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';
import { FAST_POLL, FAST_RETRY } from '../helpers/sim-run.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

let s3: S3Server;
let sim: Simulator;
beforeAll(async () => {
  s3 = await startS3Server(['pipeline-bucket']);
  sim = await startSimulator({
    accounts: 25,
    seed: 14,
    date: '2024-05-01',
    faults: parseFaultSpec('access_denied=0.1,malformed=0.05'),
  });
});
afterAll(async () => {
  await s3.close();
});

describe('pipeline steps', () => {
  it('plans, collects each item, finalizes with a notice naming the failed accounts, and registers partitions once', async () => {
    const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
    const clients = createClients(connection);
    const registered: string[] = [];
    const notices: string[] = [];
    const store = new S3Store(s3.client, 'pipeline-bucket', 'lake');
    const deps: PipelineDeps = {
      store,
      objectKey: (key) => store.objectKey(key),
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
    const listedBefore = sim.stats.calls.get('ListAccounts') ?? 0;
    const planned = await planRun(deps, { dt: '2024-05-01' });
    // The deployed plan walks the OU tree only: the flat listing that starts a local run's first
    // accounts sooner is not in the Organizations resource policy, and the plan never asks it.
    expect(sim.stats.calls.get('ListAccounts') ?? 0).toBe(listedBefore);
    const active = sim.org.accounts.filter((a) => a.state === 'ACTIVE');
    // The plan's account list is in the lake, addressed by its bucket key; nothing inline.
    expect(planned.itemsKey).toBe(`lake/${runItemsKey('2024-05-01', planned.runId)}`);
    const items = (await getJson<AccountItem[]>(store, runItemsKey('2024-05-01', planned.runId)))!;
    expect(items.map((i) => i.accountId).sort()).toEqual(active.map((a) => a.id).sort());
    expect(planned.accounts).toBe(items.length);
    // Each step reads only its own account's earlier outcomes.
    const lists: string[] = [];
    const counting: ObjectStore = Object.assign(Object.create(store), {
      list: (prefix: string) => {
        lists.push(prefix);
        return store.list(prefix);
      },
    });
    await Promise.all(items.map((item) => collectOne({ ...deps, store: counting }, item)));
    expect(lists.filter((p) => !/account_id=\d{12}\/$|\/manifest\.json$/.test(p))).toEqual([]);
    const final = await finalizeRun(deps, {
      runId: planned.runId,
      dt: planned.dt,
      startedAt: planned.startedAt,
    });
    const expected = sim.expected('2024-05-01');
    expect(final.collected).toBe(expected.collected.length);
    expect(final.lost).toBe(0);
    const manifest = (await getJson<{ outcomes: { accountId: string; status: string; reason: string }[] }>(
      store,
      final.manifestKey,
    ))!;
    const failed = manifest.outcomes.filter((o) => o.status === 'failed');
    expect(failed.map((f) => `${f.accountId}|failed|${f.reason}`).sort()).toEqual(
      expected.collection_coverage.filter((c) => c.includes('|failed|')).sort(),
    );
    expect(notices).toHaveLength(1);
    for (const f of failed) expect(notices[0]).toContain(f.accountId);
    expect(registered.filter((r) => r.startsWith('credential_report/')).sort()).toEqual(
      expected.collected.map((id) => `credential_report/2024-05-01/${id}`).sort(),
    );
    expect(registered).toContain('accounts/2024-05-01');
    expect(registered).toContain('collection_runs/2024-05-01');
    expect(new Set(registered).size).toBe(registered.length);
  });
});

/** The steps' dependencies against the simulator, with a lake of their own under `prefix`. */
function simulatedDeps(prefix: string): { store: S3Store; deps: PipelineDeps } {
  const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
  const clients = createClients(connection);
  const store = new S3Store(s3.client, 'pipeline-bucket', prefix);
  return {
    store,
    deps: {
      store,
      org: sdkOrgApi(clients.organizations, FAST_RETRY),
      access: () =>
        sdkAccountAccess(connection, clients.sts, {
          roleName: sim.roleName,
          sessionName: `credlake-${prefix}`,
        }),
      filters: {},
      reportTimeoutMs: 5_000,
      poll: FAST_POLL,
      retry: FAST_RETRY,
      now: () => sim.now(),
    },
  };
}

/** A planned run on its own lake, and an account of it the simulator lets collect cleanly. */
async function plannedHealthy(
  prefix: string,
): Promise<{ store: S3Store; deps: PipelineDeps; item: AccountItem }> {
  const { store, deps } = simulatedDeps(prefix);
  const planned = await planRun(deps, { dt: '2024-05-01' });
  const items = (await getJson<AccountItem[]>(store, runItemsKey('2024-05-01', planned.runId)))!;
  const item = items.find((i) => {
    const a = sim.account(i.accountId)!;
    return !a.faults.accessDenied && !a.faults.malformed && !a.faults.stuck;
  })!;
  return { store, deps, item };
}

describe('an item invoked more than once', () => {
  it('never replaces a collected outcome with a worse one from a duplicate invocation', async () => {
    const { store, deps, item: healthy } = await plannedHealthy('duplicates');
    const real = deps.access;
    expect((await collectOne(deps, healthy)).status).toBe('collected');
    // The duplicate is refused by IAM this time (a worse outcome than the one recorded).
    const refused: PipelineDeps = {
      ...deps,
      access: async () => ({
        ...(await real()),
        reportApiFor: async () => {
          throw new ApiError(
            'access_denied',
            'AccessDenied',
            'User is not authorized to perform: sts:AssumeRole',
          );
        },
      }),
    };
    const duplicate = await collectOne(refused, healthy);
    expect(duplicate.status).toBe('collected');
    const recorded = await readOutcomes(store, '2024-05-01', { accountId: healthy.accountId });
    expect(recorded.map((o) => o.status)).toEqual(['collected']);
  });
});

describe('two invocations of one item at once', () => {
  it('both end collected, one raw report is stored, and every recorded outcome says collected', async () => {
    const { store, deps, item: healthy } = await plannedHealthy('concurrent');
    const both = await Promise.all([collectOne(deps, healthy), collectOne(deps, healthy)]);
    expect(both.map((o) => o.status)).toEqual(['collected', 'collected']);
    const recorded = await readOutcomes(store, '2024-05-01', { accountId: healthy.accountId });
    expect(recorded.length).toBeGreaterThan(0);
    expect(new Set(recorded.map((o) => o.status))).toEqual(new Set(['collected']));
    expect(standingOutcomes(recorded).get(healthy.accountId)?.status).toBe('collected');
    // The same report, written once: the second write of the evidence found it there.
    const raws = await store.list(rawReportPrefix('2024-05-01', healthy.accountId));
    expect(raws).toHaveLength(1);
  });
});

describe('an invocation that lands after RecordFailure journaled its failure', () => {
  it('records the better outcome it reached, and a later failure never replaces it', async () => {
    const { store, deps, item } = await plannedHealthy('after-failure');
    // Step Functions gave up on the first invocation (it timed out) and RecordFailure ran ...
    await recordFailure(deps, { item, error: { Error: 'Sandbox.Timedout', Cause: 'Task timed out' } });
    // ... while that invocation, still running, finished and recorded its report.
    expect((await collectOne(deps, item)).status).toBe('collected');
    // A second RecordFailure (a retried catch) changes nothing.
    await recordFailure(deps, { item, error: { Error: 'Sandbox.Timedout', Cause: 'Task timed out' } });
    const recorded = await readOutcomes(store, '2024-05-01', { accountId: item.accountId });
    expect(standingOutcomes(recorded).get(item.accountId)?.status).toBe('collected');
  });
});

describe('an invocation after Finalize', () => {
  it('changes nothing of the day: no outcome, no curated data, no report fetched', async () => {
    const { store, deps } = simulatedDeps('late');
    const planned = await planRun(deps, { dt: '2024-05-01' });
    const items = (await getJson<AccountItem[]>(store, runItemsKey('2024-05-01', planned.runId)))!;
    const [done, late] = items;
    await collectOne(deps, done);
    await finalizeRun(deps, { runId: planned.runId, dt: planned.dt, startedAt: planned.startedAt });
    const before = await store.listObjects('');
    const answer = await collectOne(deps, late);
    expect(answer).toMatchObject({ status: 'failed', reason: 'lost' });
    // Finalize recorded it lost; the late invocation wrote nothing over or beside that.
    expect(await store.listObjects('')).toEqual(before);
  });
});

describe('finalize', () => {
  it('records every planned account without an outcome as failed (lost), and keeps a recorded failure', async () => {
    const store = new S3Store(s3.client, 'pipeline-bucket', 'reconcile');
    const deps: PipelineDeps = {
      store,
      access: () => Promise.reject(new Error('not used')),
      filters: {},
      reportTimeoutMs: 5_000,
      now: () => Date.parse('2024-05-02T06:00:00Z'),
    };
    const runId = '20240502T060000Z-abcd';
    const item = (accountId: string): AccountItem => ({
      runId,
      dt: '2024-05-02',
      accountId,
      accountName: null,
    });
    await store.put(
      runItemsKey('2024-05-02', runId),
      JSON.stringify(['000000000001', '000000000002'].map(item)),
    );
    await recordFailure(deps, {
      item: item('000000000001'),
      error: {
        Error: 'Sandbox.Timedout',
        Cause: JSON.stringify({ errorMessage: 'Task timed out after 360 seconds' }),
      },
    });
    const final = await finalizeRun(deps, { runId, dt: '2024-05-02', startedAt: '2024-05-02T06:00:00Z' });
    expect(final).toMatchObject({ collected: 0, failed: 2, lost: 1 });
    const manifest = (await getJson<{ outcomes: { accountId: string; reason: string; message: string }[] }>(
      store,
      final.manifestKey,
    ))!;
    expect(manifest.outcomes.map((o) => [o.accountId, o.reason])).toEqual([
      ['000000000001', 'error'],
      ['000000000002', 'lost'],
    ]);
    expect(manifest.outcomes[0].message).toBe(
      'collect step failed: Sandbox.Timedout: Task timed out after 360 seconds',
    );
  });
});
