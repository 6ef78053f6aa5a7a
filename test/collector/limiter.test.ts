// The limiter's order, and the collector's use of it: accounts begun first are finished first.
import { describe, expect, it } from 'vitest';
import type { AccountAccess, CallWrapper, PostureApi } from '../../collector/api.ts';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { Limiter } from '../../collector/limiter.ts';
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

describe("the collector's order of calls", () => {
  it('finishes the accounts begun first before the last one starts its posture reads', async () => {
    const sim = await startSimulator({ accounts: 8, seed: 5, date: '2024-05-01' });
    const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
    const access = await sdkAccountAccess(connection, createClients(connection).sts, {
      roleName: sim.roleName,
      sessionName: 'credlake-test',
    });
    // Every request, in the order the one slot served it.
    const served: { account: string; what: string }[] = [];
    const traced =
      (account: string, what: string, call: CallWrapper): CallWrapper =>
      (fn) =>
        call(() => {
          served.push({ account, what });
          return fn();
        });
    const tracing: AccountAccess = {
      callerAccountId: access.callerAccountId,
      centralizedRootAccess: access.centralizedRootAccess?.bind(access),
      reportApiFor: async (account) => {
        served.push({ account, what: 'credentials' });
        const api = await access.reportApiFor(account);
        const posture: PostureApi | undefined = api.posture && {
          readPosture: (call) => api.posture!.readPosture(traced(account, 'posture', call)),
          readAuthorizationDetails: (call) =>
            api.posture!.readAuthorizationDetails(traced(account, 'posture', call)),
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
    const result = await runAgainst(sim, await newStore(), { access: tracing, concurrency: 1 });
    const collected = result.outcomes.filter((o) => o.status === 'collected');
    expect(collected.length).toBeGreaterThanOrEqual(6);
    const started = [...new Set(served.filter((s) => s.what === 'credentials').map((s) => s.account))];
    const ids = new Set(collected.map((o) => o.accountId));
    const inOrder = started.filter((a) => ids.has(a));
    const lastCall = (account: string) => served.findLastIndex((s) => s.account === account);
    const firstPosture = (account: string) =>
      served.findIndex((s) => s.account === account && s.what === 'posture');
    // Served in arrival order, every account's pages queued behind all the others' and the
    // accounts all finished together at the end.
    const last = inOrder.at(-1)!;
    expect(lastCall(inOrder[0]), JSON.stringify(served)).toBeLessThan(firstPosture(last));
    expect(lastCall(inOrder[1]), JSON.stringify(served)).toBeLessThan(firstPosture(last));
  });
});
