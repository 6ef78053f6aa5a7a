// Runs the collector core against an in-process simulator with the production SDK adapters.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { sdkOrgApi } from '../../collector/aws/org-api.ts';
import { type CollectOptions, collectRun, type RunResult } from '../../collector/collect-run.ts';
import { LocalStore } from '../../lake/local-store.ts';
import type { BenchmarkId } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { runSavedQuery } from '../../queries/run-query.ts';
import type { ExpectedAnswers } from '../../simulator/expected.ts';
import type { Simulator } from '../../simulator/simulator.ts';

export const FAST_POLL = { initialMs: 30, factor: 1.5, maxMs: 300, jitter: 0.2 };
export const FAST_RETRY = { maxAttempts: 8, baseMs: 5, maxMs: 50 };

export async function newStore(): Promise<LocalStore> {
  return new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-collect-')));
}

export async function runAgainst(
  sim: Simulator,
  store: LocalStore,
  options: Partial<CollectOptions> = {},
): Promise<RunResult> {
  const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
  const clients = createClients(connection);
  const access = await sdkAccountAccess(connection, clients.sts, {
    roleName: sim.roleName,
    sessionName: 'credlake-test',
  });
  return collectRun({
    store,
    dt: sim.date,
    access,
    org: sdkOrgApi(clients.organizations, FAST_RETRY),
    poll: FAST_POLL,
    retry: FAST_RETRY,
    reportTimeoutMs: 5_000,
    concurrency: 16,
    now: () => sim.now(),
    ...options,
  });
}

type Keyed = Record<string, string | number | boolean | null>;
const key = (row: Keyed, ...cols: string[]) => cols.map((c) => row[c] ?? '').join('|');

const KEYS: Record<string, string[]> = {
  stale_access_keys: ['account_id', 'user_name', 'key_slot', 'key_age_days'],
  unused_credentials: ['account_id', 'user_name', 'credential', 'days_unused'],
  console_users_without_mfa: ['account_id', 'user_name'],
  unused_users: ['account_id', 'user_name', 'reason'],
  root_account_findings: ['account_id', 'finding'],
  multiple_active_keys: ['account_id', 'user_name'],
  passwords_not_rotated: ['account_id', 'user_name', 'password_age_days'],
  collection_coverage: ['account_id', 'status', 'reason'],
  root_hardware_mfa_missing: ['account_id'],
  password_policy_weak: ['account_id', 'no_policy', 'length_too_short', 'reuse_prevention_too_low'],
  admin_users: ['account_id', 'user_name', 'policy_name', 'source', 'group_name'],
  privileged_users_without_mfa: ['account_id', 'user_name'],
  privileged_users_with_stale_keys: ['account_id', 'user_name', 'key_slot'],
};

/** Every saved query's answer from the lake, keyed the way the simulator's expected answers are. */
export async function lakeAnswers(
  lakeRoot: string,
  dt: string,
  benchmark?: BenchmarkId,
): Promise<Partial<Record<keyof ExpectedAnswers, string[]>>> {
  const engine = await DuckDbEngine.open(lakeRoot);
  try {
    const out: Partial<Record<keyof ExpectedAnswers, string[]>> = {};
    for (const [name, cols] of Object.entries(KEYS)) {
      const { rows } = await runSavedQuery(engine, name, { date: dt, benchmark });
      out[name as keyof ExpectedAnswers] = rows.map((r) => key(r, ...cols)).sort();
    }
    return out;
  } finally {
    engine.close();
  }
}

export const COMPARED_QUERIES = Object.keys(KEYS) as (keyof ExpectedAnswers)[];
