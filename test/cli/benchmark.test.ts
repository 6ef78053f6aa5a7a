// --benchmark as a user runs it: one simulated day judged against Security Hub, then the same lake
// read back by query, export and report, each naming and applying the benchmark.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { snapshotBenchmark } from '../../queries/run-query.ts';
import { runCli } from '../helpers/cli.ts';

const DT = '2024-05-01';
let lake: string;
let run: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'credlake-benchmark-'));
  run = await runCli([
    'run',
    '--simulate',
    '--days',
    '1',
    '--accounts',
    '16',
    '--date',
    DT,
    '--lake',
    lake,
    '--quiet',
    '--benchmark',
    'security-hub',
  ]);
}, 120_000);

type Row = Record<string, unknown>;
const json = async (args: string[]) => {
  const r = await runCli([...args, '--lake', lake, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Row[];
};

describe('credlake --benchmark', () => {
  it('run judges the day by it and says so', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('judged against AWS Security Hub CSPM controls (--benchmark security-hub)');
    const daily = await json(['query', 'findings_by_account']);
    expect(daily.length).toBeGreaterThan(0);
  });

  it("query follows the day's benchmark unless told, and --benchmark changes the rule", async () => {
    const hub = await json(['query', 'unused_credentials']);
    expect(hub.length).toBeGreaterThan(0);
    for (const r of hub) expect(Number(r.days_unused)).toBeGreaterThanOrEqual(90);
    const cis = await json(['query', 'unused_credentials', '--benchmark', 'cis-5.0']);
    const between = cis.filter((r) => Number(r.days_unused) >= 45 && Number(r.days_unused) < 90);
    expect(between.length).toBeGreaterThan(0);
    expect(cis.length).toBe(hub.length + between.length);
    // The day's counts are Security Hub's, and so are the check's rows without --benchmark.
    const counts = await json(['query', 'findings_by_account']);
    expect(counts.reduce((n, r) => n + Number(r.unused_credentials ?? 0), 0)).toBe(hub.length);
  });

  it('the exports manifest and the report name the benchmark and its control ids', async () => {
    const manifest = JSON.parse(
      await readFile(join(lake, 'exports', 'manifest', `dt=${DT}`, 'manifest.json'), 'utf8'),
    ) as { benchmark: string; benchmarkTitle: string; queries: Row[] };
    expect(manifest).toMatchObject({
      benchmark: 'security-hub',
      benchmarkTitle: 'AWS Security Hub CSPM controls',
    });
    expect(manifest.queries.find((q) => q.name === 'unused_credentials')).toMatchObject({
      benchmark: 'security-hub',
      controls: ['IAM.8'],
    });
    const html = await readFile(join(lake, 'reports', `dt=${DT}`, 'credlake-report.html'), 'utf8');
    expect(html).toContain('<strong id="benchmark">AWS Security Hub CSPM controls</strong>');
    const again = await runCli([
      'report',
      '--lake',
      lake,
      '--out',
      join(lake, 'v14.html'),
      '--benchmark',
      'cis-1.4',
    ]);
    expect(again.code, again.stderr).toBe(0);
    const v14 = await readFile(join(lake, 'v14.html'), 'utf8');
    expect(v14).toContain('<strong id="benchmark">CIS AWS Foundations Benchmark v1.4.0</strong>');
    expect(v14).toContain('CIS v1.4.0 1.14');
  });

  it('import judges the imported day by --benchmark, and the rollup records it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'credlake-benchmark-import-'));
    const fixture = join(import.meta.dirname, '..', 'fixtures', 'reports', 'basic.csv');
    const r = await runCli([
      'import',
      fixture,
      '--account',
      '000123456789',
      '--date',
      DT,
      '--generated-at',
      '2024-05-01T06:00:00Z',
      '--lake',
      other,
      '--benchmark',
      'cis-1.4',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const engine = await DuckDbEngine.open(other);
    try {
      expect(await snapshotBenchmark(engine, DT)).toBe('cis-1.4');
    } finally {
      engine.close();
    }
  });

  it('refuses an unknown benchmark, from the flag or the environment, naming the known ones', async () => {
    const flag = await runCli(['query', 'unused_credentials', '--lake', lake, '--benchmark', 'cis-9']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('cis-9');
    expect(flag.stderr).toContain('cis-5.0');
    const env = await runCli(['query', 'unused_credentials', '--lake', lake], {
      CREDLAKE_BENCHMARK: 'cis-2',
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('security-hub');
  });
});
