import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../collector/collect-run.ts';
import type { LocalStore } from '../../lake/local-store.ts';
import { parseFaultSpec } from '../../simulator/faults.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { duckRows } from '../helpers/duckdb.ts';
import { COMPARED_QUERIES, lakeAnswers, newStore, runAgainst } from '../helpers/sim-run.ts';
import { simulatorsForFile, withSimulator } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

const ALL_FAULTS = 'throttle=0.1,server_error=0.05,access_denied=0.05,stuck=0.05,malformed=0.05,slow=0.1';

describe('collecting hundreds of accounts with every fault of the simulator', () => {
  let sim: Simulator;
  let store: LocalStore;
  let result: RunResult;
  beforeAll(async () => {
    sim = await startSimulator({
      accounts: 300,
      seed: 21,
      date: '2024-05-01',
      faults: parseFaultSpec(ALL_FAULTS),
    });
    store = await newStore();
    // Generous deadline: stuck reports still time out, healthy ones never do on a loaded machine.
    result = await runAgainst(sim, store, { reportTimeoutMs: 5_000, concurrency: 32 });
  }, 120_000);

  const outcome = (id: string) => result.outcomes.find((o) => o.accountId === id)!;

  it('ends every account of the organization as exactly one outcome', () => {
    expect(result.outcomes.map((o) => o.accountId).sort()).toEqual(sim.org.accounts.map((a) => a.id).sort());
  });

  it('gives each faulty account the right reason, and collects every healthy and slow account', () => {
    for (const account of sim.org.accounts) {
      const o = outcome(account.id);
      if (account.state !== 'ACTIVE')
        expect([o.status, o.reason], account.id).toEqual(['skipped', 'not_active']);
      else if (account.faults.accessDenied)
        expect([o.status, o.reason], account.id).toEqual(['failed', 'access_denied']);
      else if (account.faults.stuck)
        expect([o.status, o.reason], account.id).toEqual(['failed', 'report_timeout']);
      else if (account.faults.malformed)
        expect([o.status, o.reason], account.id).toEqual(['failed', 'malformed_report']);
      else expect(o.status, `${account.id} ${o.message}`).toBe('collected');
    }
    const reasons = new Set(result.outcomes.map((o) => o.reason));
    for (const r of ['not_active', 'access_denied', 'report_timeout', 'malformed_report'])
      expect(reasons).toContain(r);
    expect(sim.org.accounts.some((a) => a.faults.slow && outcome(a.id).status === 'collected')).toBe(true);
  });

  it('retries throttling and server errors, and never retries access denied', () => {
    expect(result.outcomes.some((o) => o.status === 'collected' && o.attempts > 3)).toBe(true);
    const denied = result.outcomes.filter((x) => x.reason === 'access_denied');
    expect(denied.length).toBeGreaterThan(0);
    for (const o of denied) expect(sim.stats.deniedAssumes.get(o.accountId), o.accountId).toBe(1);
    expect(result.outcomes.filter((o) => o.reason === 'throttled' || o.reason === 'server_error')).toEqual(
      [],
    );
  });

  it('keeps the exact bytes IAM returned as raw evidence, malformed ones too, with no curated partition for those', async () => {
    const malformed = result.outcomes.find((o) => o.reason === 'malformed_report')!;
    expect(malformed.rawKey).toBeTruthy();
    expect(
      await store.exists(
        `curated/credential_report/dt=2024-05-01/account_id=${malformed.accountId}/data.parquet`,
      ),
    ).toBe(false);
    const collected = result.outcomes.find((o) => o.status === 'collected' && (o.userCount ?? 0) > 3)!;
    const raw = await readFile(join(store.root, collected.rawKey!), 'utf8');
    expect(raw.trimEnd().split('\n')).toHaveLength(collected.userCount! + 1);
  });

  it('lands exactly the rows the simulator expects: every saved query agrees with its ground truth', async () => {
    const answers = await lakeAnswers(store.root, '2024-05-01');
    const expected = sim.expected('2024-05-01');
    for (const name of COMPARED_QUERIES) {
      expect(answers[name], name).toEqual(expected[name]);
      expect((expected[name] as string[]).length, `${name} has cases to compare`).toBeGreaterThan(0);
    }
  });
});

describe('scope, deadlines, re-runs and interruptions', () => {
  it('ends a stuck report as report_timeout within its deadline', async () => {
    await withSimulator(
      {
        accounts: 12,
        seed: 2,
        date: '2024-05-01',
        faults: parseFaultSpec('stuck=0.5'),
      },
      async (sim) => {
        const result = await runAgainst(sim, await newStore(), { reportTimeoutMs: 1_000 });
        const stuck = result.outcomes.filter((o) => o.reason === 'report_timeout');
        // The loop below must have something to check: the organization has stuck accounts.
        expect(stuck.length).toBeGreaterThan(0);
        expect(stuck.map((o) => o.accountId).sort()).toEqual(
          sim.org.accounts
            .filter((a) => a.faults.stuck)
            .map((a) => a.id)
            .sort(),
        );
        for (const o of stuck) {
          expect(o.durationMs).toBeGreaterThanOrEqual(1_000);
          expect(o.durationMs).toBeLessThan(1_600);
        }
      },
    );
  });

  it('skips suspended accounts and honours --accounts, --exclude-accounts and --ous', async () => {
    await withSimulator({ accounts: 60, seed: 33, date: '2024-05-01' }, async (sim) => {
      const ids = sim.org.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
      const ou = sim.org.ous.find((o) =>
        sim.org.accounts.some((a) => a.ouPath.startsWith(o.path) && a.state === 'ACTIVE'),
      )!;
      const store = await newStore();
      const only = await runAgainst(sim, store, {
        filters: { accounts: ids.slice(0, 3), excludeAccounts: [ids[0]] },
      });
      expect(only.outcomes.filter((o) => o.status === 'collected').map((o) => o.accountId)).toEqual(
        ids.slice(1, 3).sort(),
      );
      expect(only.outcomes.find((o) => o.accountId === ids[0])).toMatchObject({
        status: 'skipped',
        reason: 'excluded',
      });
      const byOu = await runAgainst(sim, await newStore(), { filters: { ous: [ou.id] } });
      const inOu = sim.org.accounts.filter(
        (a) => (a.ouPath === ou.path || a.ouPath.startsWith(`${ou.path}/`)) && a.state === 'ACTIVE',
      );
      expect(
        byOu.outcomes
          .filter((o) => o.status === 'collected')
          .map((o) => o.accountId)
          .sort(),
      ).toEqual(inOu.map((a) => a.id).sort());
      expect(byOu.snapshot.accounts.find((a) => a.accountId === inOu[0].id)?.ouPath).toBe(inOu[0].ouPath);
    });
  });

  it('works from an explicit account list without Organizations access', async () => {
    await withSimulator({ accounts: 10, seed: 5, date: '2024-05-01', orgAccess: false }, async (sim) => {
      const ids = sim.org.accounts
        .filter((a) => a.state === 'ACTIVE')
        .slice(0, 4)
        .map((a) => a.id);
      const result = await runAgainst(sim, await newStore(), { filters: { accounts: ids } });
      expect(result.snapshot.source).toBe('account_list');
      expect(result.outcomes.filter((o) => o.status === 'collected')).toHaveLength(4);
      await expect(runAgainst(sim, await newStore())).rejects.toThrow(/AccessDenied|permissions/);
    });
  });

  it('a re-run the same day collects what is missing and leaves the rest byte for byte', async () => {
    await withSimulator({ accounts: 30, seed: 8, date: '2024-05-01' }, async (sim) => {
      const store = await newStore();
      const active = sim.org.accounts.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
      await runAgainst(sim, store, { filters: { accounts: active.slice(0, 10) } });
      const before = await snapshotFiles(store);
      const callsBefore = sim.stats.calls.get('GetCredentialReport') ?? 0;
      const second = await runAgainst(sim, store);
      expect(second.outcomes.filter((o) => o.reason === 'already_collected')).toHaveLength(10);
      expect(second.outcomes.filter((o) => o.status === 'collected')).toHaveLength(active.length);
      for (const [key, bytes] of before) expect(await readFile(join(store.root, key)), key).toEqual(bytes);
      expect((sim.stats.calls.get('GetCredentialReport') ?? 0) - callsBefore).toBeGreaterThanOrEqual(
        active.length - 10,
      );
      const third = await runAgainst(sim, store);
      expect(
        third.outcomes.filter((o) => o.status === 'collected' && o.reason !== 'already_collected'),
      ).toHaveLength(0);
      const answers = await lakeAnswers(store.root, '2024-05-01');
      expect(answers.stale_access_keys).toEqual(sim.expected().stale_access_keys);
    });
  });

  it('an interrupted run leaves the lake consistent and the next run completes it', async () => {
    await withSimulator({ accounts: 80, seed: 9, date: '2024-05-01' }, async (sim) => {
      const store = await newStore();
      const controller = new AbortController();
      let done = 0;
      const first = await runAgainst(sim, store, {
        signal: controller.signal,
        concurrency: 4,
        onProgress: () => {
          if (++done === 20) controller.abort();
        },
      });
      expect(first.interrupted).toBe(true);
      // Something was left undone: a report, or the posture read beside it.
      const unfinished = first.outcomes.filter((o) => o.reason === 'interrupted' || o.postureFailed);
      expect(unfinished.length).toBeGreaterThan(0);
      // Every curated partition is whole and belongs to an account recorded as collected.
      const curated = (await store.list('curated/credential_report/')).map(
        (k) => /account_id=(\d{12})/.exec(k)![1],
      );
      const collected = first.outcomes.filter((o) => o.status === 'collected').map((o) => o.accountId);
      for (const id of curated) expect(collected).toContain(id);
      expect((await store.list('')).filter((k) => k.endsWith('.tmp'))).toEqual([]);
      const second = await runAgainst(sim, store);
      expect(second.interrupted).toBe(false);
      expect(second.outcomes.filter((o) => o.status === 'failed')).toEqual([]);
      expect(second.outcomes.filter((o) => o.postureFailed)).toEqual([]);
      const runs = await duckRows(
        `SELECT count(*) AS n FROM '${store.root}/curated/collection_runs/*/*.parquet' WHERE posture_failed`,
      );
      expect(runs).toEqual([{ n: 0 }]);
      const answers = await lakeAnswers(store.root, '2024-05-01');
      for (const name of COMPARED_QUERIES) expect(answers[name], name).toEqual(sim.expected()[name]);
    });
  });

  it('collects and transforms a 5,000-user account', async () => {
    await withSimulator({ accounts: 1, seed: 3, date: '2024-05-01', usersPerAccount: 5_000 }, async (sim) => {
      const store = await newStore();
      const result = await runAgainst(sim, store);
      expect(result.outcomes[0]).toMatchObject({ status: 'collected', userCount: 5_001 });
      const answers = await lakeAnswers(store.root, '2024-05-01');
      expect(answers.unused_credentials).toEqual(sim.expected().unused_credentials);
    });
  });
});

async function snapshotFiles(store: LocalStore): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const key of await store.list('')) {
    if (key.startsWith('raw/credential_report/') || key.startsWith('curated/credential_report/')) {
      files.set(key, await readFile(join(store.root, key)));
    }
  }
  return files;
}
