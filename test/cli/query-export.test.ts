import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, EXPORTED_QUERIES } from '../../queries/catalog.ts';
import { runCli } from '../helpers/cli.ts';
import { buildQueryLake } from '../helpers/query-lake.ts';

let lake: string;
beforeAll(async () => {
  lake = (await buildQueryLake()).root;
});

describe('credlake query', () => {
  it('prints JSON rows with the query column names', async () => {
    const r = await runCli(['query', 'multiple_active_keys', '--lake', lake, '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_name: 'u_two_keys', account_id: '111111111111', dt: '2024-05-01' });
  });

  it('prints RFC 4180 CSV with a header, quoting names with commas', async () => {
    const r = await runCli(['query', 'unused_users', '--lake', lake, '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).toBe('dt,account_id,account_name,user_name,arn,reason,user_age_days');
    expect(r.stdout).toContain(
      '"dev+ops=team,east","arn:aws:iam::111111111111:user/dev+ops=team,east",no_active_credentials',
    );
  });

  it('never cuts anything when piped: every ARN, account id and query name whole', async () => {
    const r = await runCli(['query', 'stale_access_keys', '--lake', lake], { COLUMNS: '60' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(4 rows)');
    expect(r.stdout).not.toContain('…');
    const json = await runCli(['query', 'stale_access_keys', '--format', 'json', '--lake', lake]);
    for (const row of JSON.parse(json.stdout) as { arn: string; account_id: string }[]) {
      expect(r.stdout).toContain(row.arn);
      expect(r.stdout).toContain(row.account_id);
    }
    const list = await runCli(['query', '--list'], { COLUMNS: '60' });
    for (const q of CATALOG) expect(list.stdout).toContain(q.name);
    expect(list.stdout).not.toContain('…');
  });

  it('lists the catalog', async () => {
    const r = await runCli(['query', '--list', '--format', 'json']);
    expect(JSON.parse(r.stdout).map((q: { name: string }) => q.name)).toContain('collection_coverage');
  });

  it('explains an unknown query, a bad --param, a missing snapshot and a bad --format', async () => {
    const cases = [
      [['query', 'nope', '--lake', lake], 'unknown query "nope"'],
      [['query', 'stale_access_keys', '--lake', lake, '--param', 'oops'], 'expected name=value'],
      [['query', 'stale_access_keys', '--lake', lake, '--date', '2020-01-01'], 'no snapshot for 2020-01-01'],
      [
        ['query', 'stale_access_keys', '--lake', lake, '--format', 'xml'],
        'Allowed choices are table, csv, json',
      ],
      [['query', 'stale_access_keys', '--lake', join(lake, 'empty')], 'no lake at '],
    ] as const;
    for (const [args, message] of cases) {
      const r = await runCli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

describe('credlake export', () => {
  it('writes one CSV per exported query and a manifest with row counts', async () => {
    const out = await mkdtemp(join(tmpdir(), 'credlake-exports-'));
    const r = await runCli(['export', '--lake', lake, '--out', out]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(
      await readFile(join(out, 'exports/manifest/dt=2024-05-01/manifest.json'), 'utf8'),
    );
    expect(manifest.queries.map((q: { name: string }) => q.name)).toEqual(
      EXPORTED_QUERIES.map((q) => q.name),
    );
    const stale = await readFile(
      join(out, 'exports/stale_access_keys/dt=2024-05-01/stale_access_keys.csv'),
      'utf8',
    );
    expect(stale.trimEnd().split('\r\n')).toHaveLength(
      1 + manifest.queries.find((q: { name: string }) => q.name === 'stale_access_keys').rows,
    );
    expect(manifest.queries.find((q: { name: string }) => q.name === 'stale_access_keys').rows).toBe(4);
    // An auditor's copy says what each file checks: the benchmark, severity and control ids.
    expect(manifest).toMatchObject({
      benchmark: 'cis-5.0',
      benchmarkTitle: 'CIS AWS Foundations Benchmark v5.0.0',
    });
    expect(manifest.queries.find((q: { name: string }) => q.name === 'stale_access_keys')).toMatchObject({
      title: 'Access keys not rotated',
      severity: 'medium',
      benchmark: 'cis-5.0',
      controls: ['1.13'],
      security_hub: ['IAM.3'],
    });
  });
});
