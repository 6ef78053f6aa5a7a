// Evidence and curated data never disagree: a truncated response is quarantined, the good one
// fetched later (same GeneratedTime) is stored and used, and transform rebuilds from the raw
// object the run names, never merely the newest file of the folder.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountAccess, OrgApi } from '../../collector/api.ts';
import { collectRun } from '../../collector/collect-run.ts';
import { readOutcomes, standingOutcomes } from '../../collector/journal.ts';
import { rebuildDate } from '../../collector/rebuild.ts';
import { curatedKey, rawReportKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { reportCsv } from '../helpers/report-csv.ts';

const DT = '2024-05-01';
const ACCOUNT = '000000000001';
const GENERATED = Date.parse('2024-05-01T05:59:00Z');
const good = reportCsv(ACCOUNT, [{ user: '<root_account>' }, { user: 'alice' }, { user: 'bob' }]);
const truncated = good.slice(0, good.length - 40);

const org: OrgApi = {
  describeOrganization: async () => ({ id: 'o-fake123456', managementAccountId: null }),
  listRootIds: async () => ['r-root'],
  listChildOus: async () => [],
  listAccounts: async (p) =>
    p === 'r-root' ? [{ id: ACCOUNT, name: 'one', email: null, state: 'ACTIVE', joinedAt: null }] : [],
};

/** IAM answers with the given bodies in turn, all with the same GeneratedTime. */
function access(bodies: string[]): AccountAccess {
  let n = 0;
  return {
    callerAccountId: '999999999999',
    reportApiFor: async () => ({
      generate: async () => 'COMPLETE',
      fetch: async () => ({
        content: new TextEncoder().encode(bodies[Math.min(n++, bodies.length - 1)]),
        generatedAt: GENERATED,
      }),
    }),
  };
}

const run = (store: LocalStore, bodies: string[]) =>
  collectRun({
    store,
    dt: DT,
    access: access(bodies),
    org,
    now: () => GENERATED + 60_000,
    poll: { initialMs: 1, factor: 1, maxMs: 1, jitter: 0 },
    retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
  });

async function curatedUsers(root: string): Promise<string[]> {
  const engine = await DuckDbEngine.open(root);
  try {
    return (await engine.run('SELECT user_name FROM credential_report ORDER BY user_name')).rows.map((r) =>
      String(r.user_name),
    );
  } finally {
    engine.close();
  }
}

describe('a truncated report, then the good one with the same GeneratedTime', () => {
  it('quarantines the truncated bytes, stores and curates the good ones, and transform agrees', async () => {
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-evidence-')));
    const first = await run(store, [truncated]);
    expect(first.outcomes[0]).toMatchObject({ status: 'failed', reason: 'malformed_report' });
    expect(first.outcomes[0].rawKey).toMatch(
      /^raw\/quarantine\/dt=2024-05-01\/account_id=000000000001\/.*~[0-9a-f]{12}\.csv$/,
    );
    expect(new TextDecoder().decode(await store.get(first.outcomes[0].rawKey!))).toBe(truncated);
    expect(await store.exists(curatedKey('credential_report', DT, ACCOUNT))).toBe(false);

    const second = await run(store, [good]);
    expect(second.outcomes[0]).toMatchObject({
      status: 'collected',
      rawKey: rawReportKey(DT, ACCOUNT, GENERATED),
    });
    expect(new TextDecoder().decode(await store.get(second.outcomes[0].rawKey!))).toBe(good);
    expect(await curatedUsers(store.root)).toEqual(['<root_account>', 'alice', 'bob']);

    const rebuilt = await rebuildDate(store, DT);
    expect(rebuilt).toMatchObject({ reports: 1, rows: 3, failures: [], orphans: [] });
    expect(await curatedUsers(store.root)).toEqual(['<root_account>', 'alice', 'bob']);
  });

  it('keeps both when the plain key already holds other bytes, and names the ones it curated', async () => {
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-evidence-')));
    // What an earlier version (or a killed run) left: truncated bytes under the plain key.
    await store.put(rawReportKey(DT, ACCOUNT, GENERATED), truncated);
    const result = await run(store, [good]);
    const rawKey = result.outcomes[0].rawKey!;
    expect(rawKey).toMatch(/generated_at=2024-05-01T05-59-00Z~[0-9a-f]{12}\.csv$/);
    expect(new TextDecoder().decode(await store.get(rawKey))).toBe(good);
    expect(new TextDecoder().decode(await store.get(rawReportKey(DT, ACCOUNT, GENERATED)))).toBe(truncated);
    const rebuilt = await rebuildDate(store, DT);
    expect(rebuilt.failures).toEqual([]);
    expect(rebuilt.orphans).toEqual([rawReportKey(DT, ACCOUNT, GENERATED)]);
    expect(await curatedUsers(store.root)).toEqual(['<root_account>', 'alice', 'bob']);
    const standing = standingOutcomes(await readOutcomes(store, DT)).get(ACCOUNT);
    expect(standing?.rawKey).toBe(rawKey);
  });
});
