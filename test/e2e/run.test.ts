// The main job end to end, as a user runs it: `credlake run --simulate` in a child process (under
// the suite's non-UTC TZ), every saved query's answer compared with the simulator's ground truth.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLIANCE_CHECKS, findQuery } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { prepareQuery, runSavedQuery } from '../../queries/run-query.ts';
import {
  type ExpectedAnswers,
  expectedFindingChanges,
  expectedUserChanges,
} from '../../simulator/expected.ts';
import { parseFaultSpec } from '../../simulator/faults.ts';
import { Simulator } from '../../simulator/simulator.ts';
import { addDays } from '../../transforms/dates.ts';
import { runCli } from '../helpers/cli.ts';
import { COMPARED_QUERIES, lakeAnswers } from '../helpers/sim-run.ts';

const END = '2024-05-04';
const DAYS = 4;
const DATES = Array.from({ length: DAYS }, (_, i) => addDays(END, i - DAYS + 1));

/** The same organization the CLI simulates, stepped through the same days. */
function groundTruth(accounts: number, seed: number, faults = 'none'): Map<string, ExpectedAnswers> {
  const sim = new Simulator({ accounts, seed, date: DATES[0], faults: parseFaultSpec(faults) });
  const out = new Map<string, ExpectedAnswers>();
  for (const dt of DATES) {
    sim.advanceTo(dt);
    out.set(dt, sim.expected(dt));
  }
  return out;
}

describe('credlake run --simulate over several days', () => {
  let lake: string;
  let result: Awaited<ReturnType<typeof runCli>>;
  const truth = groundTruth(36, 5);
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
            r.change === 'new' || r.change === 'resolved'
              ? `${r.change}|${r.finding_key}`
              : `${r.change}|${r.account_id}`,
          )
          .sort();
        const expected = expectedFindingChanges(DATES.slice(0, i + 1).map((d) => truth.get(d)!));
        expect(said, dt).toEqual(expected);
        if (i > 0) changed += said.filter((k) => /^(new|resolved)\|/.test(k)).length;
      }
      // The drift of the simulated days makes findings come and go: the comparison is not empty.
      expect(changed).toBeGreaterThan(3);
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
