// A small lake with hand-worked answers for every saved query: two snapshots (2024-04-30 and
// 2024-05-01), three collected accounts, one failed, one suspended, one with no run record.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importReport } from '../../collector/import-report.ts';
import { writeOutcome } from '../../collector/journal.ts';
import { type AccountOutcome, type AccountsSnapshot, outcomeWithoutReport } from '../../collector/outcome.ts';
import { writeAccounts, writeCollectionRuns } from '../../collector/write-day-tables.ts';
import { rawAccountsKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { writeDailyRollups } from '../../queries/local-rollup.ts';
import { type ReportLine, reportCsv } from './report-csv.ts';

export const PROD = '111111111111';
export const DEV = '000000000042';
export const SANDBOX = '222222222222';
export const LEGACY = '333333333333';
export const SUSPENDED = '444444444444';
export const UNSEEN = '555555555555';

const DAY = 86_400_000;
const LATEST = Date.parse('2024-05-01T06:00:00Z');
/** An instant n whole UTC days before the latest report's date (at 03:00Z). */
export const d = (n: number) =>
  new Date(Date.parse('2024-05-01T03:00:00Z') - n * DAY).toISOString().replace('.000Z', '+00:00');

const prodUsers = (): ReportLine[] => [
  { user: '<root_account>', mfa_active: 'false' },
  { user: 'u_key45', access_key_1_active: 'true', access_key_1_last_rotated: d(45) },
  { user: 'u_key44', access_key_1_active: 'true', access_key_1_last_rotated: d(44) },
  {
    user: 'u_key90',
    access_key_1_active: 'true',
    access_key_1_last_rotated: d(90),
    access_key_1_last_used_date: d(1),
  },
  {
    user: 'u_key91',
    access_key_1_active: 'true',
    access_key_1_last_rotated: d(91),
    access_key_1_last_used_date: d(1),
  },
  {
    user: 'u_inactive_old',
    access_key_1_active: 'false',
    access_key_1_last_rotated: d(1000),
    access_key_1_last_used_date: d(900),
    access_key_2_active: 'true',
    access_key_2_last_rotated: d(30),
    access_key_2_last_used_date: d(1),
  },
  {
    user: 'u_key2_only',
    access_key_2_active: 'true',
    access_key_2_last_rotated: d(486),
    access_key_2_last_used_date: d(61),
  },
  {
    user: 'u_console_nomfa',
    password_enabled: 'true',
    password_last_used: d(1),
    password_last_changed: d(30),
  },
  {
    user: 'u_console_mfa_never',
    user_creation_time: d(91),
    password_enabled: 'true',
    mfa_active: 'true',
    password_last_used: 'no_information',
    password_last_changed: d(91),
  },
  {
    user: 'u_pw90',
    password_enabled: 'true',
    mfa_active: 'true',
    password_last_used: d(2),
    password_last_changed: d(90),
  },
  {
    user: 'u_two_keys',
    access_key_1_active: 'true',
    access_key_1_last_rotated: d(10),
    access_key_1_last_used_date: d(1),
    access_key_2_active: 'true',
    access_key_2_last_rotated: d(5),
    access_key_2_last_used_date: d(1),
  },
  { user: 'dev+ops=team,east', user_creation_time: d(500) },
  {
    user: 'u_idle',
    user_creation_time: d(330),
    password_enabled: 'true',
    mfa_active: 'true',
    password_last_used: d(121),
    password_last_changed: d(152),
    access_key_1_active: 'true',
    access_key_1_last_rotated: d(152),
    access_key_1_last_used_date: d(107),
  },
  {
    user: 'u_idle_89',
    password_enabled: 'true',
    mfa_active: 'true',
    password_last_used: d(89),
    password_last_changed: d(89),
  },
];

const devUsers = (): ReportLine[] => [
  {
    user: '<root_account>',
    password_enabled: 'true',
    mfa_active: 'false',
    access_key_1_active: 'true',
    access_key_1_last_rotated: d(2000),
    access_key_1_last_used_date: d(6),
  },
  {
    user: 'u_console_nomfa',
    password_enabled: 'true',
    password_last_used: d(2),
    password_last_changed: d(30),
  },
];

const sandboxUsers = (): ReportLine[] => [
  { user: '<root_account>', password_enabled: 'false', mfa_active: 'false', password_last_used: d(90) },
];

export async function buildQueryLake(): Promise<LocalStore> {
  const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-queries-')));
  const put = (accountId: string, dt: string, at: number, lines: ReportLine[], name: string) =>
    importReport(store, {
      bytes: new TextEncoder().encode(reportCsv(accountId, lines)),
      accountId,
      dt,
      generatedAt: at,
      accountName: name,
      sourceName: 'fixture',
    });
  const previousProd = prodUsers().filter((u) => u.user !== 'u_idle_89');
  previousProd.push({
    user: 'departed',
    password_enabled: 'true',
    password_last_used: d(3),
    password_last_changed: d(3),
  });
  await put(PROD, '2024-04-30', LATEST - DAY, previousProd, 'prod');
  await put(DEV, '2024-04-30', LATEST - DAY, devUsers(), 'dev');
  await put(PROD, '2024-05-01', LATEST, prodUsers(), 'prod');
  await put(DEV, '2024-05-01', LATEST, devUsers(), 'dev');
  await put(SANDBOX, '2024-05-01', LATEST, sandboxUsers(), 'sandbox');
  const outcome = (
    accountId: string,
    name: string,
    status: AccountOutcome['status'],
    reason: AccountOutcome['reason'],
  ): AccountOutcome =>
    outcomeWithoutReport({
      accountId,
      accountName: name,
      status,
      reason,
      message: `${reason}`,
      attempts: 1,
      durationMs: 5,
      runId: '20240501T060000Z-test',
    });
  await writeOutcome(store, '2024-05-01', outcome(LEGACY, 'legacy', 'failed', 'access_denied'));
  await writeOutcome(store, '2024-05-01', outcome(SUSPENDED, 'old', 'skipped', 'not_active'));
  await writeCollectionRuns(store, '2024-05-01');
  const account = (accountId: string, name: string, state = 'ACTIVE') => ({
    accountId,
    name,
    email: `${name}@example.com`,
    state,
    ouPath: 'Root/Workloads',
    joinedAt: '2020-01-01T00:00:00.000Z',
  });
  const snapshot: AccountsSnapshot = {
    dt: '2024-05-01',
    takenAt: '2024-05-01T06:00:00.000Z',
    organizationId: 'o-fixture',
    source: 'organizations',
    accounts: [
      account(PROD, 'prod'),
      account(DEV, 'dev'),
      account(SANDBOX, 'sandbox'),
      account(LEGACY, 'legacy'),
      account(SUSPENDED, 'old', 'SUSPENDED'),
      account(UNSEEN, 'unseen'),
    ],
  };
  await store.put(rawAccountsKey('2024-05-01'), JSON.stringify(snapshot));
  await writeAccounts(store, '2024-05-01');
  // Every run writes the day's rollup; so does this lake, as a run would have.
  const engine = await DuckDbEngine.open(store.root);
  try {
    await writeDailyRollups(engine, store, ['2024-04-30', '2024-05-01']);
  } finally {
    engine.close();
  }
  return store;
}
