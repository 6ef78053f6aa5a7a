// The run steps against small in-memory fakes of the ports in collector/api.ts and the lake:
// what each step reads and writes, independent of the SDK, the simulator and any driver.
import { describe, expect, it } from 'vitest';
import type { AccountAccess, OrgAccount, OrgApi, ReportApi } from '../../collector/api.ts';
import { collectRun } from '../../collector/collect-run.ts';
import { ApiError } from '../../collector/errors.ts';
import {
  type AccountItem,
  collectOne,
  finalizeRun,
  type PipelineDeps,
  planRun,
} from '../../collector/run-steps.ts';
import { manifestKey, outcomesPrefix, runItemsKey } from '../../lake/keys.ts';
import { getJson, READ_CONCURRENCY } from '../../lake/store.ts';
import { MemoryStore } from '../helpers/memory-store.ts';
import { reportCsv } from '../helpers/report-csv.ts';

const DT = '2024-05-01';
const NOW = Date.parse('2024-05-01T06:00:00Z');
const GENERATED = Date.parse('2024-05-01T05:59:00Z');

const account = (id: string, state = 'ACTIVE'): OrgAccount => ({
  id,
  name: `acct-${id.slice(-2)}`,
  email: null,
  state,
  joinedAt: null,
});

function fakeOrg(accounts: OrgAccount[]): OrgApi {
  return {
    describeOrganization: async () => ({ id: 'o-fake123456', managementAccountId: null }),
    listRootIds: async () => ['r-root'],
    listChildOus: async () => [],
    listAccounts: async (parent) => (parent === 'r-root' ? accounts : []),
  };
}

/** Member accounts answer with a two-user report at once, except those told to deny access. */
function fakeAccess(denied: Set<string> = new Set()): AccountAccess & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    callerAccountId: '999999999999',
    async reportApiFor(accountId): Promise<ReportApi> {
      calls.push(accountId);
      if (denied.has(accountId)) throw new ApiError('access_denied', 'AccessDenied', 'not authorized');
      return {
        generate: async () => 'COMPLETE',
        fetch: async () => ({
          content: new TextEncoder().encode(
            reportCsv(accountId, [{ user: '<root_account>' }, { user: 'alice' }]),
          ),
          generatedAt: GENERATED,
        }),
      };
    },
  };
}

const depsFor = (store: MemoryStore, access: AccountAccess, accounts: OrgAccount[]): PipelineDeps => ({
  store,
  org: fakeOrg(accounts),
  access: async () => access,
  filters: {},
  reportTimeoutMs: 1_000,
  now: () => NOW,
  poll: { initialMs: 1, factor: 1, maxMs: 1, jitter: 0 },
  retry: { maxAttempts: 2, baseMs: 1, maxMs: 1 },
});

describe('planRun', () => {
  it('writes the accounts to collect to the lake and records the others as skipped', async () => {
    const store = new MemoryStore();
    const accounts = [account('000000000001'), account('000000000002', 'SUSPENDED'), account('000000000003')];
    const plan = await planRun(depsFor(store, fakeAccess(), accounts), { dt: DT, runId: 'r1' });
    expect(plan).toMatchObject({
      runId: 'r1',
      dt: DT,
      accounts: 2,
      skipped: 1,
      itemsKey: runItemsKey(DT, 'r1'),
    });
    const items = await getJson<AccountItem[]>(store, runItemsKey(DT, 'r1'));
    expect(items?.map((i) => i.accountId)).toEqual(['000000000001', '000000000003']);
    const skipped = await store.list(outcomesPrefix(DT, '000000000002'));
    expect(skipped).toHaveLength(1);
  });
});

describe('the report deadline', () => {
  const TIMEOUT_MS = 50;
  /** An account whose generate call alone outlasts the deadline (a slow or throttled call). */
  const slowGenerate = (fetch: ReportApi['fetch']): AccountAccess => ({
    callerAccountId: '999999999999',
    async reportApiFor(): Promise<ReportApi> {
      return {
        generate: async () => {
          await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 2));
          return 'STARTED';
        },
        fetch,
      };
    },
  });
  const collect = (access: AccountAccess) =>
    collectOne(
      { ...depsFor(new MemoryStore(), access, [account('000000000001')]), reportTimeoutMs: TIMEOUT_MS },
      { runId: 'r1', dt: DT, accountId: '000000000001', accountName: 'a' },
    );

  it('is not a timeout while the report was never looked at: a ready report is collected', async () => {
    const ready = async () => ({
      content: new TextEncoder().encode(reportCsv('000000000001', [{ user: '<root_account>' }])),
      generatedAt: GENERATED,
    });
    expect(await collect(slowGenerate(ready))).toMatchObject({ status: 'collected', reason: null });
  });

  it('is a timeout when the report is still being built once the deadline has passed', async () => {
    const building = async (): Promise<never> => {
      throw new ApiError('report_in_progress', 'ReportInProgress', 'the report is being generated');
    };
    expect(await collect(slowGenerate(building))).toMatchObject({
      status: 'failed',
      reason: 'report_timeout',
    });
  });
});

describe('collectOne', () => {
  it('collects an account, reading only its own earlier outcomes, and keeps it on a second run', async () => {
    const store = new MemoryStore();
    const access = fakeAccess();
    const deps = depsFor(store, access, [account('000000000001'), account('000000000002')]);
    const item = (runId: string): AccountItem => ({
      runId,
      dt: DT,
      accountId: '000000000001',
      accountName: 'a',
    });
    const first = await collectOne(deps, item('r1'));
    expect(first).toMatchObject({ status: 'collected', userCount: 2 });
    store.listed.length = 0;
    const second = await collectOne(deps, item('r2'));
    expect(second).toMatchObject({ status: 'collected', reason: 'already_collected' });
    expect(access.calls).toEqual(['000000000001']);
    // Its own outcomes, and whether its run is already closed: nothing of another account.
    expect(store.listed).toEqual([outcomesPrefix(DT, '000000000001'), manifestKey(DT, 'r2')]);
  });

  it('ends a denied account as a failed outcome value, journaled, without throwing', async () => {
    const store = new MemoryStore();
    const deps = depsFor(store, fakeAccess(new Set(['000000000002'])), []);
    const outcome = await collectOne(deps, {
      runId: 'r1',
      dt: DT,
      accountId: '000000000002',
      accountName: null,
    });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'access_denied', attempts: 1 });
    expect(await store.list(outcomesPrefix(DT, '000000000002'))).toHaveLength(1);
  });
});

/** Access whose centralized root access read fails; the posture, known incomplete, is never read. */
function centralizedRootAccessFails(error: Error): AccountAccess {
  const base = fakeAccess();
  const unread = async (): Promise<never> => {
    throw new Error('not reached: the posture is already known to be incomplete');
  };
  return {
    ...base,
    centralizedRootAccess: async () => {
      throw error;
    },
    async reportApiFor(accountId) {
      return {
        ...(await base.reportApiFor(accountId)),
        posture: { readPosture: unread, readAuthorizationDetails: unread },
      };
    },
  };
}

describe('whether root is managed centrally', () => {
  it('is read once per run by the plan, kept in the organization snapshot and in every item', async () => {
    const store = new MemoryStore();
    let reads = 0;
    const access: AccountAccess = {
      ...fakeAccess(),
      centralizedRootAccess: async () => {
        reads++;
        return true;
      },
    };
    const deps = depsFor(store, access, [account('000000000001'), account('000000000002')]);
    const plan = await planRun(deps, { dt: DT, runId: 'r1' });
    const items = (await getJson<AccountItem[]>(store, runItemsKey(DT, 'r1')))!;
    expect(items.map((i) => i.centralizedRootAccess)).toEqual([true, true]);
    expect(
      (await getJson<{ centralizedRootAccess: boolean }>(store, plan.accountsKey))?.centralizedRootAccess,
    ).toBe(true);
    for (const item of items) await collectOne(deps, item);
    expect(reads).toBe(1);
  });

  it('keeps a failure to read it in the items, and each account says so', async () => {
    const store = new MemoryStore();
    const access = centralizedRootAccessFails(
      new ApiError('access_denied', 'AccessDenied', 'not authorized to ListOrganizationsFeatures'),
    );
    const deps = depsFor(store, access, [account('000000000001')]);
    await planRun(deps, { dt: DT, runId: 'r1' });
    const [item] = (await getJson<AccountItem[]>(store, runItemsKey(DT, 'r1')))!;
    expect(item).toMatchObject({ centralizedRootAccess: null });
    expect(item.centralizedRootAccessError).toContain('not authorized');
    const outcome = await collectOne(deps, item);
    expect(outcome.postureMessage).toContain(
      'whether root credentials are managed centrally could not be read',
    );
  });

  it('marks the posture failed, saying why, when it cannot be read: never a silent unknown', async () => {
    const store = new MemoryStore();
    const access = centralizedRootAccessFails(new ApiError('throttled', 'Throttling', 'Rate exceeded'));
    const outcome = await collectOne(depsFor(store, access, []), {
      runId: 'r1',
      dt: DT,
      accountId: '000000000001',
      accountName: 'a',
    });
    expect(outcome).toMatchObject({ status: 'collected', postureFailed: true });
    expect(outcome.postureMessage).toContain(
      'whether root credentials are managed centrally could not be read',
    );
    expect(outcome.postureMessage).toContain('Rate exceeded');
  });
});

describe('finalizeRun and the local driver', () => {
  it('reads the journal a bounded number of objects at a time, however many accounts ran', async () => {
    /** Counts the reads in flight; each takes a few milliseconds, as an S3 GET does. */
    class SlowStore extends MemoryStore {
      inFlight = 0;
      mostInFlight = 0;
      override async get(key: string) {
        this.inFlight++;
        this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
        try {
          await new Promise((r) => setTimeout(r, 2));
          return await super.get(key);
        } finally {
          this.inFlight--;
        }
      }
    }
    const accounts = Array.from({ length: 300 }, (_, i) => account(String(i + 1).padStart(12, '0')));
    const store = new SlowStore();
    const deps = depsFor(store, fakeAccess(), accounts);
    const plan = await planRun(deps, { dt: DT, runId: 'r1' });
    for (const item of (await getJson<AccountItem[]>(store, runItemsKey(DT, 'r1')))!)
      await collectOne(deps, item);
    store.mostInFlight = 0;
    const final = await finalizeRun(deps, { runId: 'r1', dt: DT, startedAt: plan.startedAt });
    expect(final).toMatchObject({ collected: 300, failed: 0, lost: 0 });
    expect(store.mostInFlight).toBeGreaterThan(1);
    expect(store.mostInFlight).toBeLessThanOrEqual(READ_CONCURRENCY);
  });

  it('the local driver runs exactly the steps: same manifest as plan, collect each, finalize by hand', async () => {
    const accounts = [account('000000000001'), account('000000000002'), account('000000000003', 'CLOSED')];
    const denied = new Set(['000000000002']);

    const byHand = new MemoryStore();
    const deps = depsFor(byHand, fakeAccess(denied), accounts);
    const plan = await planRun(deps, { dt: DT, runId: 'r1' });
    for (const item of (await getJson<AccountItem[]>(byHand, runItemsKey(DT, 'r1')))!)
      await collectOne(deps, item);
    const final = await finalizeRun(deps, { runId: 'r1', dt: DT, startedAt: plan.startedAt });
    expect(final).toMatchObject({ collected: 1, failed: 1, skipped: 1, lost: 0 });

    const driven = new MemoryStore();
    const result = await collectRun({
      store: driven,
      dt: DT,
      access: fakeAccess(denied),
      org: fakeOrg(accounts),
      runId: 'r1',
      now: () => NOW,
      poll: { initialMs: 1, factor: 1, maxMs: 1, jitter: 0 },
      retry: { maxAttempts: 2, baseMs: 1, maxMs: 1 },
      reportTimeoutMs: 1_000,
    });
    const summary = (m: { outcomes: { accountId: string; status: string; reason: string | null }[] }) =>
      m.outcomes.map((o) => `${o.accountId}|${o.status}|${o.reason}`);
    const a = await getJson<{ outcomes: [] }>(byHand, final.manifestKey);
    const b = await getJson<{ outcomes: [] }>(driven, result.manifestKey);
    expect(summary(b!)).toEqual(summary(a!));
    expect(summary(b!)).toEqual([
      '000000000001|collected|null',
      '000000000002|failed|access_denied',
      '000000000003|skipped|not_active',
    ]);
    // The same objects, key for key.
    expect([...driven.objects.keys()].sort()).toEqual([...byHand.objects.keys()].sort());
  });
});
