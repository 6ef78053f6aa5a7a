// The main job end to end, as a user runs it: `credlake run --simulate` in a child process (under
// the suite's non-UTC TZ), every saved query's answer compared with the simulator's ground truth.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLIANCE_CHECKS, findQuery } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { prepareQuery, runSavedQuery } from '../../queries/run-query.ts';
import {
  type ExpectedAnswers,
  expectedFindingChanges,
  expectedFindingStatus,
  expectedFindingsByOwner,
  expectedUserChanges,
  type FindingTruth,
} from '../../simulator/expected.ts';
import { parseFaultSpec } from '../../simulator/faults.ts';
import { Simulator } from '../../simulator/simulator.ts';
import { waiverSpecsForRun } from '../../simulator/waivers.ts';
import { addDays } from '../../transforms/dates.ts';
import { runCli } from '../helpers/cli.ts';
import { COMPARED_QUERIES, lakeAnswers } from '../helpers/sim-run.ts';

const END = '2024-05-04';
const DAYS = 4;
const DATES = Array.from({ length: DAYS }, (_, i) => addDays(END, i - DAYS + 1));

/**
 * The same organization the CLI simulates, stepped through the same days, with each day's
 * findings' owner and waiver status under the waivers the CLI installs (made from the
 * organization as it starts).
 */
function groundTruth(accounts: number, seed: number, faults = 'none') {
  const sim = new Simulator({ accounts, seed, date: DATES[0], faults: parseFaultSpec(faults) });
  const waivers = waiverSpecsForRun(
    { accounts, seed, startDate: DATES[0], faults: parseFaultSpec(faults) },
    END,
  );
  const out = new Map<string, ExpectedAnswers>();
  const status = new Map<string, Map<string, FindingTruth>>();
  for (const dt of DATES) {
    sim.advanceTo(dt);
    out.set(dt, sim.expected(dt));
    status.set(dt, expectedFindingStatus(sim.expected(dt), sim.org, waivers));
  }
  return { answers: out, status };
}

describe('credlake run --simulate over several days', () => {
  let lake: string;
  let result: Awaited<ReturnType<typeof runCli>>;
  const { answers: truth, status } = groundTruth(36, 5);
  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'credlake-e2e-'));
    result = await runCli([
      'run',
      '--simulate',
      '--accounts',
      '36',
      '--seed',
      '5',
      '--days',
      String(DAYS),
      '--date',
      END,
      '--lake',
      lake,
    ]);
  }, 120_000);

  it('succeeds and prints a summary a security engineer reads in ten seconds', () => {
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/collected\s+\d+/);
    expect(result.stdout).toContain('stale_access_keys');
    expect(result.stdout).toContain(`report:   ${lake}/reports/dt=${END}/credlake-report.html`);
    // Severity first: every check with its severity, critical ones leading.
    const summary = result.stdout
      .split('\n')
      .map((line) => line.split(/\s+/))
      .filter(([name]) => COMPLIANCE_CHECKS.some((q) => q.name === name));
    expect(summary.map(([name]) => name)).toEqual(COMPLIANCE_CHECKS.map((q) => q.name));
    expect(summary.map(([, severity]) => severity)).toEqual(COMPLIANCE_CHECKS.map((q) => q.severity));
    expect(summary[0][1]).toBe('critical');
  });

  it('answers every saved query of every day exactly as the ground truth says', async () => {
    for (const dt of DATES) {
      const answers = await lakeAnswers(lake, dt);
      for (const name of COMPARED_QUERIES)
        expect(answers[name], `${name} on ${dt}`).toEqual(truth.get(dt)![name]);
    }
  });

  it('lists who came and went between the last two days, and trends over all of them', async () => {
    const engine = await DuckDbEngine.open(lake);
    try {
      const changes = (await runSavedQuery(engine, 'user_changes')).rows
        .map((r) => `${r.account_id}|${r.user_name}|${r.change}`)
        .sort();
      const expected = expectedUserChanges(truth.get(DATES[DAYS - 2])!, truth.get(END)!);
      expect(expected.length).toBeGreaterThan(0);
      expect(changes).toEqual(expected);
      // It read the report partitions of those two days only, found through collection_runs.
      const read = await engine.run('SELECT DISTINCT dt FROM credential_report ORDER BY dt');
      expect(read.rows.map((r) => r.dt)).toEqual([DATES[DAYS - 2], END]);
      // DuckDB's own file log agrees: the files of those two days' partitions, and no others.
      const twoDays = [DATES[DAYS - 2], END];
      const expectedFiles = (
        await Promise.all(
          ['credential_report', 'collection_runs'].flatMap((t) =>
            twoDays.map((dt) => parquetFiles(join(lake, 'curated', t, `dt=${dt}`))),
          ),
        )
      ).reduce((a, b) => a + b, 0);
      expect(await engine.filesRead(await prepareQuery(engine, 'user_changes'))).toBe(expectedFiles);
      const trend = (await runSavedQuery(engine, 'findings_trend')).rows;
      expect(trend.map((r) => r.dt)).toEqual(DATES);
      // It reads the rollup: one file per day.
      expect(await engine.filesRead(await prepareQuery(engine, 'findings_trend'))).toBe(DAYS);
      // The rollup behind the trend holds every check's count, posture checks included, equal to
      // the ground truth of that day.
      for (const row of trend)
        for (const name of COMPARED_QUERIES.filter((q) => findQuery(q)?.kind === 'check'))
          expect(row[name], `${name} on ${row.dt}`).toBe(truth.get(String(row.dt))![name].length);
    } finally {
      engine.close();
    }
  });

  it('says what changed each day exactly as the ground truth does: new, resolved, and what cannot be compared', async () => {
    const engine = await DuckDbEngine.open(lake);
    try {
      let changed = 0;
      for (const [i, dt] of DATES.entries()) {
        const { rows } = await runSavedQuery(engine, 'findings_changes', { date: dt });
        const said = rows
          .map((r) =>
            r.change === 'new' || r.change === 'resolved' || r.change === 'reopened'
              ? `${r.change}|${r.finding_key}`
              : `${r.change}|${r.account_id}`,
          )
          .sort();
        const expected = expectedFindingChanges(
          DATES.slice(0, i + 1).map((d) => truth.get(d)!),
          (day) => status.get(day.dt)!,
        );
        expect(said, dt).toEqual(expected);
        if (i > 0) changed += said.filter((k) => /^(new|resolved)\|/.test(k)).length;
      }
      // The drift of the simulated days makes findings come and go: the comparison is not empty.
      expect(changed).toBeGreaterThan(3);
      // The waiver that lapsed the day before the last snapshot reopens its finding that day.
      const last = await runSavedQuery(engine, 'findings_changes', { date: END });
      expect(last.rows.filter((r) => r.change === 'reopened').map((r) => r.waiver_id)).toEqual([
        'migration-console-user',
      ]);
    } finally {
      engine.close();
    }
  });

  it('gives every finding its owner and waiver status, and findings_by_owner counts them, as the ground truth does', async () => {
    const engine = await DuckDbEngine.open(lake);
    try {
      for (const dt of DATES) {
        await engine.useSnapshot(dt, ['findings']);
        const { rows } = await engine.run(
          `SELECT finding_key, owner, waiver_status, waiver_id FROM findings WHERE dt = '${dt}'`,
        );
        const said = rows.map((r) => `${r.finding_key}|${r.owner}|${r.waiver_status}|${r.waiver_id}`).sort();
        const want = [...status.get(dt)!].map(([k, f]) => `${k}|${f.owner}|${f.status}|${f.waiverId}`).sort();
        expect(said, dt).toEqual(want);
        const byOwner = (await runSavedQuery(engine, 'findings_by_owner', { date: dt })).rows.map((r) =>
          [r.owner, r.findings, r.open, r.waived, r.waiver_expired].join('|'),
        );
        expect(byOwner.sort(), dt).toEqual(expectedFindingsByOwner(status.get(dt)!));
      }
      const statuses = new Set([...status.get(END)!.values()].map((f) => f.status));
      expect(statuses).toEqual(new Set(['open', 'waived', 'waiver_expired']));
      const owners = new Set([...status.get(END)!.values()].map((f) => f.owner));
      expect(owners.has('unowned') && owners.size).toBeGreaterThan(3);
      // The waivers that need a decision: the lapsed one, and the one that covers nothing.
      const review = await runSavedQuery(engine, 'waivers_review', { date: END });
      expect(review.rows.map((r) => `${r.waiver_id}|${r.review}`)).toEqual([
        'migration-console-user|expired',
        'contractor-accounts|matches_nothing',
        'vendor-managed-keys|expiring',
      ]);
    } finally {
      engine.close();
    }
  });

  it('writes the exports and the HTML report into the lake', async () => {
    const manifest = JSON.parse(
      await readFile(join(lake, `exports/manifest/dt=${END}/manifest.json`), 'utf8'),
    );
    const stale = manifest.queries.find((q: { name: string }) => q.name === 'stale_access_keys');
    expect(stale.rows).toBe(truth.get(END)!.stale_access_keys.length);
    const html = await readFile(join(lake, `reports/dt=${END}/credlake-report.html`), 'utf8');
    expect(html).toContain(`id="kpi-stale_access_keys"`);
  });

  it('marks every exported finding with the owner and waiver status the ground truth gives it', async () => {
    const said: string[] = [];
    const want: string[] = [];
    const checks = COMPLIANCE_CHECKS.filter((q) => q.exported);
    for (const check of checks) {
      const csv = await readFile(join(lake, `exports/${check.name}/dt=${END}/${check.name}.csv`), 'utf8');
      const rows = parse(csv, { columns: true }) as Record<string, string>[];
      for (const r of rows) said.push(`${check.name}|${r.owner}|${r.waiver_status}|${r.waiver_id}`);
    }
    for (const [key, f] of status.get(END)!)
      if (checks.some((q) => key.startsWith(`${q.name}|`)))
        want.push(`${key.split('|')[0]}|${f.owner}|${f.status}|${f.waiverId ?? ''}`);
    expect(said.sort()).toEqual(want.sort());
    expect(said.some((x) => x.includes('|waived|'))).toBe(true);
  });
});

describe('credlake run --simulate with faults injected', () => {
  it('puts the failed accounts in collection_coverage with their reasons and gets the rest right', async () => {
    const faults =
      'throttle=0.05,server_error=0.03,access_denied=0.1,stuck=0.06,malformed=0.06,slow=0.1,posture=0.1';
    const lake = await mkdtemp(join(tmpdir(), 'credlake-e2e-faults-'));
    const r = await runCli([
      'run',
      '--simulate',
      '--accounts',
      '40',
      '--seed',
      '12',
      '--days',
      '2',
      '--date',
      END,
      '--faults',
      faults,
      '--report-timeout',
      '3',
      '--lake',
      lake,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('some accounts were not collected');
    const truth = new Simulator({
      accounts: 40,
      seed: 12,
      date: addDays(END, -1),
      faults: parseFaultSpec(faults),
    });
    truth.advanceTo(END);
    const expected = truth.expected(END);
    expect(expected.collection_coverage.some((c) => c.includes('|failed|'))).toBe(true);
    const answers = await lakeAnswers(lake, END);
    for (const name of COMPARED_QUERIES) expect(answers[name], name).toEqual(expected[name]);
    for (const line of expected.collection_coverage.filter((c) => c.includes('|failed|'))) {
      expect(r.stdout).toContain(line.split('|')[0]);
    }
  }, 120_000);
});

/** The Parquet files under a folder, at any depth. */
async function parquetFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.parquet')).length;
}
