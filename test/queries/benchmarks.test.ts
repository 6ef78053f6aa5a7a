// Each benchmark version's rules on hand-worked fixtures: five roots whose password, MFA device and
// keys differ exactly where CIS v1.4/v3.0, CIS v5.0 and Security Hub disagree, and users idle on
// either side of 45 and 90 days. Every expected row below was worked out by hand from the
// benchmarks' audit procedures, not computed.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importReport } from '../../collector/import-report.ts';
import { writeCurated } from '../../curation/curated-object.ts';
import { accountPostureObject, type PostureRecord } from '../../curation/posture.ts';
import { curatedKey, curatedPrefix } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { toAsff } from '../../queries/asff.ts';
import {
  BENCHMARK_IDS,
  BENCHMARK_VALUES,
  type BenchmarkId,
  COMPLIANCE_CHECKS,
  DEFAULT_BENCHMARK,
  findQuery,
  queryLabels,
} from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { writeDailyRollups } from '../../queries/local-rollup.ts';
import { runSavedQuery, snapshotBenchmark } from '../../queries/run-query.ts';
import { loadQuerySql, readParamsCte } from '../../queries/saved-query.ts';
import { type ReportLine, reportCsv } from '../helpers/report-csv.ts';

const DT = '2024-05-01';
const AT = Date.parse('2024-05-01T06:00:00Z');
/** An instant n whole UTC days before the report's date (at 03:00Z). */
const d = (n: number) =>
  new Date(Date.parse('2024-05-01T03:00:00Z') - n * 86_400_000).toISOString().replace('.000Z', '+00:00');

const PASSWORD_NO_MFA = '100000000001';
const NO_PASSWORD_NO_MFA = '100000000002';
const NO_PASSWORD_VIRTUAL = '100000000003';
const PASSWORD_HARDWARE = '100000000004';
const KEY_ONLY_NO_MFA = '100000000005';

interface Root {
  account: string;
  /** What the report's root row says of the password. */
  reportPassword: 'true' | 'false' | 'not_supported';
  /** What GetAccountSummary says: AccountPasswordPresent, AccountMFAEnabled, the device. */
  passwordPresent: boolean;
  mfa: 'none' | 'virtual' | 'hardware';
  key: boolean;
  users?: ReportLine[];
}

const ROOTS: Root[] = [
  {
    account: PASSWORD_NO_MFA,
    reportPassword: 'not_supported',
    passwordPresent: true,
    mfa: 'none',
    key: false,
    users: [
      // Console password last used 60 days ago: unused at 45 (CIS), not at 90 (Security Hub IAM.8).
      { user: 'idle60', password_enabled: 'true', password_last_used: d(60), password_last_changed: d(300) },
      // Key last used exactly 90 days ago: unused under both thresholds (inclusive).
      {
        user: 'idle90',
        access_key_1_active: 'true',
        access_key_1_last_rotated: d(200),
        access_key_1_last_used_date: d(90),
      },
      // 44 days: unused under neither.
      { user: 'idle44', password_enabled: 'true', password_last_used: d(44), password_last_changed: d(44) },
      // A key set 50 days ago and never used counts from when it was set: CIS yes, Security Hub no.
      { user: 'never50', access_key_1_active: 'true', access_key_1_last_rotated: d(50) },
    ],
  },
  { account: NO_PASSWORD_NO_MFA, reportPassword: 'false', passwordPresent: false, mfa: 'none', key: false },
  {
    account: NO_PASSWORD_VIRTUAL,
    reportPassword: 'not_supported',
    passwordPresent: false,
    mfa: 'virtual',
    key: false,
  },
  {
    account: PASSWORD_HARDWARE,
    reportPassword: 'true',
    passwordPresent: true,
    mfa: 'hardware',
    key: false,
  },
  // The report says not_supported; posture says no password; root holds an active key and no MFA.
  {
    account: KEY_ONLY_NO_MFA,
    reportPassword: 'not_supported',
    passwordPresent: false,
    mfa: 'none',
    key: true,
  },
];

let store: LocalStore;
let engine: DuckDbEngine;

beforeAll(async () => {
  store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-benchmarks-')));
  for (const r of ROOTS) {
    const root: ReportLine = {
      user: '<root_account>',
      password_enabled: r.reportPassword,
      mfa_active: String(r.mfa !== 'none'),
      ...(r.key
        ? {
            access_key_1_active: 'true',
            access_key_1_last_rotated: d(400),
            access_key_1_last_used_date: d(200),
          }
        : {}),
    };
    await importReport(store, {
      bytes: new TextEncoder().encode(reportCsv(r.account, [root, ...(r.users ?? [])])),
      accountId: r.account,
      dt: DT,
      generatedAt: AT,
      accountName: `acct-${r.account.slice(-1)}`,
      sourceName: 'fixture',
    });
  }
  const records: PostureRecord[] = ROOTS.map((r) => ({
    accountId: r.account,
    accountName: `acct-${r.account.slice(-1)}`,
    runId: 'fixture',
    readAt: '2024-05-01T06:00:00.000Z',
    posture: {
      summary: { mfaEnabled: r.mfa !== 'none', accessKeysPresent: r.key, passwordPresent: r.passwordPresent },
      passwordPolicy: { minimumLength: 14, reusePrevention: 24 } as never,
      rootVirtualMfa: r.mfa === 'virtual',
      centralizedRootAccess: false,
    },
    details: { users: [], groups: [], managedDocuments: {} } as never,
  }));
  await writeCurated(store, [accountPostureObject(DT, records)]);
  engine = await DuckDbEngine.open(store.root);
});
afterAll(() => engine?.close());

const rootFindings = async (benchmark: BenchmarkId) =>
  (await runSavedQuery(engine, 'root_account_findings', { benchmark })).rows
    .filter((r) => r.finding !== 'root_used_recently')
    .map((r) => `${r.account_id} ${r.finding}`);
const hardwareMissing = async (benchmark: BenchmarkId) =>
  (await runSavedQuery(engine, 'root_hardware_mfa_missing', { benchmark })).rows.map((r) => r.account_id);
const unused = async (benchmark: BenchmarkId) =>
  (await runSavedQuery(engine, 'unused_credentials', { benchmark })).rows.map(
    (r) => `${r.user_name} ${r.credential} ${r.days_unused}`,
  );

describe('benchmark versions on hand-worked fixtures', () => {
  it('root MFA: CIS v1.4, v3.0 and Security Hub audit MFA alone; CIS v5.0 passes a root with no password', async () => {
    const strict = [
      `${PASSWORD_NO_MFA} root_mfa_disabled`,
      `${NO_PASSWORD_NO_MFA} root_mfa_disabled`,
      `${KEY_ONLY_NO_MFA} root_access_key_active`,
      `${KEY_ONLY_NO_MFA} root_mfa_disabled`,
    ];
    expect(await rootFindings('cis-1.4')).toEqual(strict);
    expect(await rootFindings('cis-3.0')).toEqual(strict);
    expect(await rootFindings('security-hub')).toEqual(strict);
    // v5.0: "mfa_active TRUE or password_enabled FALSE". The password comes from posture
    // (AccountPasswordPresent) where the report says not_supported; keys do not bear on MFA.
    expect(await rootFindings('cis-5.0')).toEqual([
      `${PASSWORD_NO_MFA} root_mfa_disabled`,
      `${KEY_ONLY_NO_MFA} root_access_key_active`,
    ]);
  });

  it('root hardware MFA: v5.0 passes no MFA and no password, and still fails a virtual device', async () => {
    const strict = [PASSWORD_NO_MFA, NO_PASSWORD_NO_MFA, NO_PASSWORD_VIRTUAL, KEY_ONLY_NO_MFA];
    expect(await hardwareMissing('cis-1.4')).toEqual(strict);
    expect(await hardwareMissing('cis-3.0')).toEqual(strict);
    expect(await hardwareMissing('security-hub')).toEqual(strict);
    expect(await hardwareMissing('cis-5.0')).toEqual([PASSWORD_NO_MFA, NO_PASSWORD_VIRTUAL]);
  });

  it('unused credentials: 45 days in every CIS version, 90 under Security Hub (IAM.8), both inclusive', async () => {
    const cis = ['idle60 password 60', 'idle90 access_key_1 90', 'never50 access_key_1 50'];
    for (const b of ['cis-1.4', 'cis-3.0', 'cis-5.0'] as const) expect(await unused(b), b).toEqual(cis);
    expect(await unused('security-hub')).toEqual(['idle90 access_key_1 90']);
  });

  it('a parameter given outright wins over the benchmark', async () => {
    const rows = await runSavedQuery(engine, 'unused_credentials', {
      benchmark: 'security-hub',
      params: { unused_credential_days: 44 },
    });
    expect(rows.rows.map((r) => r.user_name)).toEqual(['idle44', 'idle60', 'idle90', 'never50']);
  });

  it('the rollup records its benchmark, counts by its rules, and later queries of the day follow it', async () => {
    expect(await snapshotBenchmark(engine, DT)).toBeUndefined();
    await writeDailyRollups(engine, store, [DT], { benchmark: 'security-hub' });
    const daily = await runSavedQuery(engine, 'findings_by_account');
    const total = daily.rows.reduce((n, r) => n + Number(r.unused_credentials ?? 0), 0);
    expect(total).toBe(1);
    expect(await snapshotBenchmark(engine, DT)).toBe('security-hub');
    // No benchmark asked: the day's own, so the check's rows agree with the day's counts.
    expect((await runSavedQuery(engine, 'unused_credentials')).rows).toHaveLength(1);
    await writeDailyRollups(engine, store, [DT], { benchmark: 'cis-1.4' });
    expect(await snapshotBenchmark(engine, DT)).toBe('cis-1.4');
    expect((await runSavedQuery(engine, 'unused_credentials')).rows).toHaveLength(3);
    const counts = await runSavedQuery(engine, 'findings_by_account');
    expect(counts.rows.reduce((n, r) => n + Number(r.root_account_findings ?? 0), 0)).toBe(4);
  });

  it("replaces the day's whole partition, files a deployed run's Athena wrote there included", async () => {
    const findings = curatedKey('findings', DT);
    const before = Number(
      (await engine.run(`SELECT count(*) AS n FROM findings WHERE dt = '${DT}'`)).rows[0].n,
    );
    expect(before).toBeGreaterThan(0);
    // The same rows again under a name Athena's UNLOAD gives them in a deployed lake.
    const unloaded = `${curatedPrefix('findings', DT)}part-0a1b2c3d-0000-4000-8000-000000000000-00000.parquet`;
    await store.put(unloaded, (await store.get(findings))!);
    await writeDailyRollups(engine, store, [DT], { benchmark: 'cis-1.4' });
    expect(await store.list(curatedPrefix('findings', DT))).toEqual([findings]);
    const after = Number(
      (await engine.run(`SELECT count(*) AS n FROM findings WHERE dt = '${DT}'`)).rows[0].n,
    );
    expect(after).toBe(before);
  });
});

describe('the catalog of benchmarks', () => {
  it('names control ids per version: v5.0 renumbered section 1, Security Hub has its own', () => {
    const stale = findQuery('stale_access_keys')!;
    expect(queryLabels(stale, 'cis-1.4').controls).toEqual(['1.14']);
    expect(queryLabels(stale, 'cis-3.0').controls).toEqual(['1.14']);
    expect(queryLabels(stale, 'cis-5.0').controls).toEqual(['1.13']);
    expect(queryLabels(stale, 'security-hub').controls).toEqual(['IAM.3']);
    const root = findQuery('root_account_findings')!;
    expect(queryLabels(root, 'cis-1.4').controls).toEqual(['1.4', '1.5', '1.7']);
    expect(queryLabels(root, 'cis-5.0').controls).toEqual(['1.3', '1.4', '1.6']);
    const unusedCheck = findQuery('unused_credentials')!;
    // At 45 days Security Hub's control for the rule is IAM.22; at its own 90 days, IAM.8.
    expect(queryLabels(unusedCheck, 'cis-5.0')).toMatchObject({
      controls: ['1.11'],
      security_hub: ['IAM.22'],
    });
    expect(queryLabels(unusedCheck, 'security-hub')).toMatchObject({
      controls: ['IAM.8'],
      security_hub: ['IAM.8'],
    });
  });

  it('an ASFF finding names the benchmark and its ids in RelatedRequirements', () => {
    const row = {
      check_name: 'stale_access_keys',
      account_id: '100000000001',
      account_name: 'acct-1',
      finding_key: 'stale_access_keys|100000000001|alice|1',
      user_name: 'alice',
      user_arn: 'arn:aws:iam::100000000001:user/alice',
      dt: DT,
    };
    const ctx = { account: '999999999999', region: 'eu-west-1', now: '2024-05-01T07:00:00.000Z' };
    const v14 = toAsff(row, { ...ctx, benchmark: 'cis-1.4' });
    expect(v14.Compliance).toMatchObject({
      RelatedRequirements: ['CIS AWS Foundations Benchmark v1.4.0 1.14', 'Security Hub IAM.3'],
    });
    expect((v14.ProductFields as Record<string, string>)['credlake/benchmark']).toBe('cis-1.4');
    expect(toAsff(row, { ...ctx, benchmark: 'cis-5.0' }).Compliance).toMatchObject({
      RelatedRequirements: ['CIS AWS Foundations Benchmark v5.0.0 1.13', 'Security Hub IAM.3'],
    });
    const hub = toAsff(row, { ...ctx, benchmark: 'security-hub' });
    expect(hub.Compliance).toMatchObject({ RelatedRequirements: ['Security Hub IAM.3'] });
    expect(hub.Types).toEqual(['Software and Configuration Checks/AWS Security Best Practices']);
  });

  it("each .sql file holds the default benchmark's values, and every benchmark sets the same parameters", () => {
    for (const check of COMPLIANCE_CHECKS) {
      const cte = readParamsCte(loadQuerySql(check.name));
      for (const p of check.params.filter((p) => p.name in BENCHMARK_VALUES[DEFAULT_BENCHMARK])) {
        const expected = String(BENCHMARK_VALUES[DEFAULT_BENCHMARK][p.name]);
        expect(cte.get(p.name), `${check.name}.${p.name}`).toBe(expected);
        expect(String(p.default), `${check.name}.${p.name} catalog default`).toBe(expected);
      }
    }
    const names = Object.keys(BENCHMARK_VALUES[DEFAULT_BENCHMARK]).sort();
    for (const b of BENCHMARK_IDS) expect(Object.keys(BENCHMARK_VALUES[b]).sort(), b).toEqual(names);
  });
});
