// A second run on the same day over a larger organization takes a new organization snapshot (the
// new accounts get their OU path and state), says which snapshot it used, and keeps the day's
// snapshot when the organization did not change. Every snapshot stays verifiable evidence.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const DATE = '2026-02-03';

describe('a same-day re-run', () => {
  it('takes a new organization snapshot when the organization differs, and says which it used', async () => {
    const lake = join(await mkdtemp(join(tmpdir(), 'credlake-rerun-')), 'lake');
    const run = (accounts: number) =>
      runCli(['collect', '--simulate', '--accounts', String(accounts), '--date', DATE, '--lake', lake]);
    const first = await run(4);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('organization snapshot: taken by this run (4 accounts');

    const larger = await run(9);
    expect(larger.code, larger.stderr).toBe(0);
    expect(larger.stdout).toMatch(
      /organization snapshot: a new one: the organization changed .*\(9 accounts, raw\/accounts\/dt=2026-02-03\/accounts-/,
    );
    const coverage = await runCli(['query', 'collection_coverage', '--format', 'json', '--lake', lake]);
    const rows = JSON.parse(coverage.stdout) as {
      account_id: string;
      ou_path: string | null;
      state: string | null;
    }[];
    expect(rows).toHaveLength(9);
    expect(rows.filter((r) => !r.ou_path || !r.state)).toEqual([]);

    const same = await run(9);
    expect(same.stdout).toContain(
      'organization snapshot: the one taken earlier today (the organization has not changed) (9 accounts',
    );
    expect(await readdir(join(lake, 'raw', 'accounts', `dt=${DATE}`))).toHaveLength(2);
    const verify = await runCli(['verify', '--lake', lake]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
