// A local run starts each account as soon as its part of the organization is listed, not after
// the whole tree is walked, and the first ones from the flat listing before the walk reaches them; with account filters it checks them against the whole organization
// first, so a wrong filter still fails before anything is collected.
import { describe, expect, it } from 'vitest';
import type { AccountAccess, OrgApi } from '../../collector/api.ts';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { sdkOrgApi } from '../../collector/aws/org-api.ts';
import { collectRun } from '../../collector/collect-run.ts';
import { type AccountFilters, discoverAccounts } from '../../collector/discover.ts';
import { ApiError } from '../../collector/errors.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { FAST_POLL, FAST_RETRY, newStore } from '../helpers/sim-run.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The simulator's Organizations through the production SDK client. */
function sdkOrgOf(sim: Simulator): OrgApi {
  const clients = createClients({
    region: 'us-east-1',
    endpoint: sim.endpoint,
    credentials: sim.callerCredentials,
  });
  return sdkOrgApi(clients.organizations, FAST_RETRY);
}

/**
 * Organizations with every listing call, the walk's and the flat listing's, taking `ms` longer,
 * as each takes about as long as the others in AWS. `heard` is told of each answer, and of how
 * many accounts each of the walk's account listings gave.
 */
function slowListing(
  sdkOrg: OrgApi,
  ms: number,
  heard: { answer?: () => void; walkAccounts?: (count: number) => void } = {},
): OrgApi {
  const slow =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await sleep(ms);
      const r = await fn(...args);
      heard.answer?.();
      return r;
    };
  return {
    ...sdkOrg,
    listAccounts: async (parentId) => {
      const accounts = await slow(sdkOrg.listAccounts.bind(sdkOrg))(parentId);
      heard.walkAccounts?.(accounts.length);
      return accounts;
    },
    listChildOus: slow(sdkOrg.listChildOus.bind(sdkOrg)),
    listAccountsPage: slow(sdkOrg.listAccountsPage!.bind(sdkOrg)),
  };
}

/** Collects with every Organizations listing call slowed, noting when things happen. */
async function watchedRun(sim: Simulator, filters?: AccountFilters, override: Partial<OrgApi> = {}) {
  const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
  const clients = createClients(connection);
  const t0 = performance.now();
  const events = {
    listingDone: [] as number[],
    firstAccountAt: Number.POSITIVE_INFINITY,
    walkFirstAccountsAt: Number.POSITIVE_INFINITY,
    started: 0,
  };
  const org: OrgApi = {
    ...slowListing(sdkOrgOf(sim), 40, {
      answer: () => events.listingDone.push(performance.now() - t0),
      walkAccounts: (count) => {
        if (count) events.walkFirstAccountsAt = Math.min(events.walkFirstAccountsAt, performance.now() - t0);
      },
    }),
    ...override,
  };
  const real = await sdkAccountAccess(connection, clients.sts, {
    roleName: sim.roleName,
    sessionName: 'credlake-test',
  });
  const access: AccountAccess = {
    ...real,
    centralizedRootAccess: real.centralizedRootAccess?.bind(real),
    reportApiFor: (id) => {
      events.started++;
      events.firstAccountAt = Math.min(events.firstAccountAt, performance.now() - t0);
      return real.reportApiFor(id);
    },
  };
  const result = await collectRun({
    store: await newStore(),
    dt: sim.date,
    access,
    org,
    filters,
    poll: FAST_POLL,
    retry: FAST_RETRY,
    reportTimeoutMs: 5_000,
    concurrency: 16,
    now: () => sim.now(),
  });
  return { result, events, listingEnd: Math.max(...events.listingDone) };
}

describe('accounts start while the organization is listed', () => {
  it('starts the first accounts before the last OU is listed, and collects each once', async () => {
    const sim = await startSimulator({ accounts: 40, seed: 3, date: '2024-05-01', ouDepth: 3 });
    const { result, events, listingEnd } = await watchedRun(sim);
    expect(events.listingDone.length).toBeGreaterThan(6);
    expect(events.firstAccountAt).toBeLessThan(listingEnd);
    const active = sim.org.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
    expect(events.started).toBe(active.length);
    const collected = result.outcomes.filter((o) => o.status === 'collected').map((o) => o.accountId);
    expect(collected.sort()).toEqual([...active].sort());
    expect(result.outcomes).toHaveLength(sim.org.accounts.length);
  });

  it('tells the first accounts from the flat listing before the walk reaches any, and stops paging once the walk lists its own', async () => {
    const sim = await startSimulator({ accounts: 200, seed: 6, date: '2024-05-01', ouDepth: 3 });
    let walkListed = 0;
    const org = slowListing(sdkOrgOf(sim), 30, { walkAccounts: (count) => (walkListed += count) });
    const told: { ids: string[]; fromWalk: boolean; walkListedBefore: number }[] = [];
    const { snapshot } = await discoverAccounts(org, sim.date, sim.now(), (accounts) =>
      told.push({
        ids: accounts.map((a) => a.accountId),
        fromWalk: accounts.every((a) => a.ouPath !== null),
        walkListedBefore: walkListed,
      }),
    );
    // The first accounts come from the flat listing, before the walk has listed any.
    expect(told[0].fromWalk).toBe(false);
    expect(told[0].walkListedBefore).toBe(0);
    // Every account is told exactly once, whichever listing found it first.
    const ids = told.flatMap((t) => t.ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(sim.org.accounts.map((a) => a.id).sort());
    // Ten pages would list all 200 accounts. The walk lists the root's own accounts after two calls
    // (roots, then the root's accounts), and the flat listing stops with the page in flight then.
    const pages = sim.stats.calls.get('ListAccounts') ?? 0;
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(3);
    // The snapshot is the walk's: every account with its OU path.
    expect(snapshot.accounts).toHaveLength(200);
    expect(snapshot.accounts.every((a) => a.ouPath?.startsWith('Root'))).toBe(true);
  });

  it('when the flat listing is refused, the walk starts every account and the run is unchanged', async () => {
    const sim = await startSimulator({ accounts: 30, seed: 7, date: '2024-05-01', ouDepth: 2 });
    let refused = 0;
    const { result, events } = await watchedRun(sim, undefined, {
      listAccountsPage: async () => {
        refused++;
        throw new ApiError(
          'access_denied',
          'AccessDeniedException',
          'You don’t have permissions to access this resource.',
        );
      },
    });
    expect(refused).toBe(1);
    expect(events.firstAccountAt).toBeGreaterThan(events.walkFirstAccountsAt);
    const active = sim.org.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
    expect(events.started).toBe(active.length);
    const collected = result.outcomes.filter((o) => o.status === 'collected').map((o) => o.accountId);
    expect(collected.sort()).toEqual([...active].sort());
  });

  it('with an account filter, lists the whole organization before any account starts', async () => {
    const sim = await startSimulator({ accounts: 12, seed: 4, date: '2024-05-01', ouDepth: 3 });
    const excluded = sim.org.accounts[0].id;
    const { result, events, listingEnd } = await watchedRun(sim, { excludeAccounts: [excluded] });
    expect(events.firstAccountAt).toBeGreaterThan(listingEnd);
    expect(result.outcomes.find((o) => o.accountId === excluded)?.reason).toBe('excluded');
  });

  it('lists the roots while the organization is described, and a failure to describe it is the one told', async () => {
    const sim = await startSimulator({ accounts: 6, seed: 5, date: '2024-05-01' });
    const sdkOrg = sdkOrgOf(sim);
    let rootsAskedWhileDescribing = false;
    let describing = false;
    const org: OrgApi = {
      ...sdkOrg,
      describeOrganization: async () => {
        describing = true;
        await sleep(30);
        describing = false;
        return sdkOrg.describeOrganization();
      },
      listRootIds: async () => {
        rootsAskedWhileDescribing ||= describing;
        return sdkOrg.listRootIds();
      },
    };
    const { snapshot } = await discoverAccounts(org, sim.date, sim.now());
    expect(rootsAskedWhileDescribing).toBe(true);
    expect(snapshot.organizationId).toBe(sim.org.id);
    expect(snapshot.accounts).toHaveLength(sim.org.accounts.length);
    // The roots answered first, with an error of their own: the description's failure is told.
    const failing: OrgApi = {
      ...sdkOrg,
      describeOrganization: async () => {
        await sleep(30);
        throw new Error('organization not described');
      },
      listRootIds: async () => {
        throw new Error('roots not listed');
      },
    };
    await expect(discoverAccounts(failing, sim.date, sim.now())).rejects.toThrow(
      'organization not described',
    );
  });
});
