// The limiter's order, and the collector's use of it: accounts begun first are finished first,
// the privileges' chains of pages go ahead of them, and an account's posture is read while IAM
// builds its report.
import { describe, expect, it } from 'vitest';
import type { AccountAccess, CallWrapper, PostureApi } from '../../collector/api.ts';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { Limiter } from '../../collector/limiter.ts';
import { NO_FAULTS } from '../../simulator/faults.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { newStore, runAgainst } from '../helpers/sim-run.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

describe('the limiter', () => {
  it('holds at most its limit, and gives a freed slot by priority, then by arrival', async () => {
    const limiter = new Limiter(1);
    const served: string[] = [];
    let inFlight = 0;
    let most = 0;
    const task = (name: string) => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      served.push(name);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    };
    await Promise.all([
      limiter.run(task('first'), 5),
      limiter.run(task('late, 3'), 3),
      limiter.run(task('later, 1'), 1),
      limiter.run(task('last, 3'), 3),
      limiter.run(task('urgent'), 0),
      limiter.run(task('also 1'), 1),
    ]);
    expect(most).toBe(1);
    expect(served).toEqual(['first', 'urgent', 'later, 1', 'also 1', 'late, 3', 'last, 3']);
  });

  it('hands out tickets after every earlier one, all after the most urgent priority', () => {
    const limiter = new Limiter(4);
    const tickets = [limiter.ticket(), limiter.ticket(), limiter.ticket()];
    expect(tickets[0]).toBeGreaterThan(0);
    expect(tickets).toEqual([...tickets].sort((a, b) => a - b));
    expect(new Set(tickets).size).toBe(3);
  });
});

/** The collector's requests to each account, in the order the limiter served them. */
type Served = { account: string; what: 'credentials' | 'generate' | 'fetch' | 'posture' | 'details' }[];

async function tracedAccess(sim: Simulator, served: Served): Promise<AccountAccess> {
  const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
  const access = await sdkAccountAccess(connection, createClients(connection).sts, {
    roleName: sim.roleName,
    sessionName: 'credlake-test',
  });
  const traced =
    (account: string, what: 'posture' | 'details', call: CallWrapper): CallWrapper =>
    (fn) =>
      call(() => {
        served.push({ account, what });
        return fn();
      });
  return {
    callerAccountId: access.callerAccountId,
    centralizedRootAccess: access.centralizedRootAccess?.bind(access),
    reportApiFor: async (account) => {
      served.push({ account, what: 'credentials' });
      const api = await access.reportApiFor(account);
      const posture: PostureApi | undefined = api.posture && {
        readPosture: (call) => api.posture!.readPosture(traced(account, 'posture', call)),
        readAuthorizationDetails: (call) =>
          api.posture!.readAuthorizationDetails(traced(account, 'details', call)),
      };
      return {
        generate: () => {
          served.push({ account, what: 'generate' });
          return api.generate();
        },
        fetch: () => {
          served.push({ account, what: 'fetch' });
          return api.fetch();
        },
        posture,
      };
    },
  };
}

describe("the collector's order of calls", () => {
  it("finishes the accounts begun first before the last one reads its settings, and reads every account's privileges first", async () => {
    const sim = await startSimulator({ accounts: 8, seed: 5, date: '2024-05-01' });
    const served: Served = [];
    const result = await runAgainst(sim, await newStore(), {
      access: await tracedAccess(sim, served),
      concurrency: 1,
    });
    const collected = result.outcomes.filter((o) => o.status === 'collected');
    expect(collected.length).toBeGreaterThanOrEqual(6);
    const started = [...new Set(served.filter((s) => s.what === 'credentials').map((s) => s.account))];
    const ids = new Set(collected.map((o) => o.accountId));
    const inOrder = started.filter((a) => ids.has(a));
    const lastCall = (account: string) => served.findLastIndex((s) => s.account === account);
    const first = (account: string, what: Served[number]['what']) =>
      served.findIndex((s) => s.account === account && s.what === what);
    const lastOf = (account: string, what: Served[number]['what']) =>
      served.findLastIndex((s) => s.account === account && s.what === what);
    // Served in arrival order, every account's pages queued behind all the others' and the
    // accounts all finished together at the end.
    const last = inOrder.at(-1)!;
    expect(lastCall(inOrder[0]), JSON.stringify(served)).toBeLessThan(first(last, 'posture'));
    expect(lastCall(inOrder[1]), JSON.stringify(served)).toBeLessThan(first(last, 'posture'));
    // The privileges' pages, each account's longest chain of calls, go ahead of the accounts'
    // other later calls: the last account's are all read before the first account's report.
    expect(lastOf(last, 'details'), JSON.stringify(served)).toBeLessThan(first(inOrder[0], 'fetch'));
  });

  it('reads the posture while IAM builds the report, and keeps it only beside a collected report', async () => {
    const sim = await startSimulator({
      accounts: 12,
      seed: 8,
      date: '2024-05-01',
      faults: { ...NO_FAULTS, malformed: 0.3 },
    });
    const served: Served = [];
    const store = await newStore();
    const reported = new Map<string, number>();
    const result = await runAgainst(sim, store, {
      access: await tracedAccess(sim, served),
      // A 1 ms wait: the first look comes after the posture reads only if it waits for them.
      poll: { initialMs: 1, factor: 1, maxMs: 1, jitter: 0 },
      onProgress: (e) => {
        if (e.outcome) reported.set(e.outcome.accountId, served.length);
      },
    });
    const malformed = result.outcomes.filter((o) => o.reason === 'malformed_report');
    const collected = result.outcomes.filter((o) => o.status === 'collected');
    expect(malformed.length).toBeGreaterThan(0);
    expect(collected.length).toBeGreaterThan(0);
    for (const o of [...collected, ...malformed]) {
      const calls = served.filter((s) => s.account === o.accountId).map((s) => s.what);
      // Every posture page is asked before the first look at the report.
      for (const what of ['posture', 'details'] as const) {
        expect(calls.lastIndexOf(what), calls.join(' ')).toBeLessThan(calls.indexOf('fetch'));
        expect(calls.indexOf('generate'), calls.join(' ')).toBeLessThan(calls.indexOf(what));
      }
      // No call of the account comes after its outcome.
      expect(served.findLastIndex((s) => s.account === o.accountId)).toBeLessThan(reported.get(o.accountId)!);
    }
    const postureKeys = await store.list('raw/posture/');
    for (const o of collected) {
      expect(o.postureFailed).toBe(false);
      expect(o.evidence?.map((e) => e.key)).toContain(postureKeys.find((k) => k.includes(o.accountId)));
    }
    // A malformed report's account stores no posture: its posture stands or falls with the report.
    for (const o of malformed) {
      expect(postureKeys.filter((k) => k.includes(o.accountId))).toEqual([]);
      expect(o.postureFailed).toBeUndefined();
    }
  });
});
