// `run --simulate` collects its days in lanes side by side (cli/day-lanes.ts). The lake it
// writes must be the lake one-after-another collection writes: the same raw evidence, the same
// curated rows and findings, day by day. Only what names a run or times it may differ.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitDays } from '../../cli/day-lanes.ts';
import { TABLES } from '../../transforms/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { duckRows } from '../helpers/duckdb.ts';

const DATE = '2026-04-20';

/** Every file under a folder, by path relative to it. */
async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

describe('days in lanes', () => {
  it('splits the days into runs of consecutive days, the longest last', () => {
    const days = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];
    expect(splitDays(days, 2)).toEqual([
      ['d1', 'd2', 'd3'],
      ['d4', 'd5', 'd6', 'd7'],
    ]);
    expect(splitDays(days, 3)).toEqual([
      ['d1', 'd2'],
      ['d3', 'd4'],
      ['d5', 'd6', 'd7'],
    ]);
    expect(splitDays(days, 1)).toEqual([days]);
    expect(splitDays(['d1', 'd2'], 5)).toEqual([['d1'], ['d2']]);
    expect(splitDays(['d1'], 2)).toEqual([['d1']]);
  });

  describe('a lake collected in two lanes and one collected day after day', () => {
    let one: string;
    let two: string;
    let oneOut: string;
    let twoOut: string;
    beforeAll(async () => {
      const root = await mkdtemp(join(tmpdir(), 'credlake-lanes-'));
      one = join(root, 'one');
      two = join(root, 'two');
      const args = (lake: string, lanes: string) => [
        'run',
        '--simulate',
        '--accounts',
        '8',
        '--days',
        '4',
        '--date',
        DATE,
        '--lanes',
        lanes,
        '--lake',
        lake,
      ];
      const [a, b] = await Promise.all([runCli(args(one, '1')), runCli(args(two, '2'))]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      oneOut = a.stderr;
      twoOut = b.stderr;
    }, 120_000);

    it('collected every day, each once, in both', () => {
      expect(twoOut).toContain('collecting 4 days in 2 lanes side by side');
      expect(oneOut).not.toContain('lanes');
      for (const dt of ['2026-04-17', '2026-04-18', '2026-04-19'])
        expect(twoOut.match(new RegExp(`^${dt}: collected 8, failed 0, skipped 0 in`, 'gm'))).toHaveLength(1);
    });

    it('holds the same raw reports (byte for byte) and organization snapshots', async () => {
      // Run records are named by their run id, and a report by the simulated instant it was
      // generated (06:00:00, or a second later on a busy machine): the same files otherwise.
      const unnamed = (f: string) =>
        f.replace(/run_id=[^/]+/g, 'run_id=*').replace(/generated_at=[^/]+\.csv$/, 'generated_at=*.csv');
      const byName = async (lake: string) =>
        new Map((await files(join(lake, 'raw'))).map((f) => [unnamed(f), join(lake, 'raw', f)]));
      const [a, b] = [await byName(one), await byName(two)];
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      const reports = [...a.keys()].filter((f) => f.startsWith('credential_report/'));
      expect(reports.length).toBe(4 * 8);
      for (const f of reports) expect(await readFile(b.get(f)!), f).toEqual(await readFile(a.get(f)!));
      // A snapshot says when the simulated clock took it, to the millisecond: all else is equal.
      const snapshot = async (file: string) => {
        const { takenAt, ...rest } = JSON.parse(await readFile(file, 'utf8'));
        expect(takenAt).toMatch(/T06:00:/);
        return rest;
      };
      const snapshots = [...a.keys()].filter((f) => f.startsWith('accounts/'));
      expect(snapshots.length).toBe(4);
      for (const f of snapshots) expect(await snapshot(b.get(f)!), f).toEqual(await snapshot(a.get(f)!));
    });

    it('holds the same posture evidence but for the run id and the read instant', async () => {
      const postures = (await files(join(one, 'raw'))).filter((f) => f.startsWith('posture/'));
      expect(postures.length).toBe(4 * 8);
      const read = async (lake: string, f: string) => {
        const { runId, readAt, ...rest } = JSON.parse(await readFile(join(lake, 'raw', f), 'utf8'));
        expect(runId).toMatch(/^\d{8}T/);
        expect(readAt.slice(0, 10)).toBe(f.match(/dt=([\d-]+)/)![1]);
        return rest;
      };
      for (const f of postures) expect(await read(two, f), f).toEqual(await read(one, f));
    });

    // What names the run, and what times it: report polls depend on how long generation took,
    // and the simulated clock runs with the real one, so on a busy machine a report is generated
    // at 06:00:01 rather than 06:00:00 (its raw key names that instant).
    const RUN_COLUMNS = new Set(['run_id', 'attempts', 'duration_ms', 'report_generated_at', 'raw_key']);

    it.each(Object.keys(TABLES))('holds the same rows of %s', async (table) => {
      const columns = TABLES[table as keyof typeof TABLES].columns
        .map((c) => c.name)
        .filter((c) => !RUN_COLUMNS.has(c));
      const select = (lake: string) =>
        `SELECT dt, ${columns.map((c) => `"${c}"`).join(', ')} FROM read_parquet('${lake}/curated/${table}/**/*.parquet', hive_partitioning = true)`;
      const [counts] = await duckRows(
        `SELECT (SELECT count(*) FROM (${select(one)})) AS one, (SELECT count(*) FROM (${select(two)})) AS two`,
      );
      expect(Number(counts.one)).toBeGreaterThan(0);
      expect(counts.two).toBe(counts.one);
      const [differ] = await duckRows(
        `SELECT count(*) AS n FROM ((${select(one)}) EXCEPT ALL (${select(two)}))`,
      );
      expect(Number(differ.n)).toBe(0);
    });
  });

  it('refuses --lanes without --simulate', async () => {
    const r = await runCli(['run', '--lanes', '2', '--lake', join(tmpdir(), 'credlake-no-lake')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lanes needs --simulate');
  });
});
