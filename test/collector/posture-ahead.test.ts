// An account's posture is read while IAM builds its credential report, not after: the reads do not
// depend on the report, and one after the other they made every account's chain of calls longer
// than its report's wait. It is still stored only once the report is, and no read outlives its
// account.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountAccess, CallWrapper, OrgApi, PostureApi } from '../../collector/api.ts';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { collectRun } from '../../collector/collect-run.ts';
import { ApiError } from '../../collector/errors.ts';
import { rawPosturePrefix } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { reportCsv } from '../helpers/report-csv.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

const DT = '2024-05-01';
const ACCOUNT = '000000000001';
const GENERATED = Date.parse('2024-05-01T05:59:00Z');

const org: OrgApi = {
  describeOrganization: async () => ({ id: 'o-fake123456', managementAccountId: null }),
  listRootIds: async () => ['r-root'],
  listChildOus: async () => [],
  listAccounts: async (p) =>
    p === 'r-root' ? [{ id: ACCOUNT, name: 'one', email: null, state: 'ACTIVE', joinedAt: null }] : [],
};

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** IAM that takes `generationMs` to build the report, with a posture API that logs its reads. */
function loggingAccess(log: string[], generationMs: number, report: 'ok' | 'denied'): AccountAccess {
  const read =
    <T>(name: string, value: T) =>
    async (call: CallWrapper) =>
      call(async () => {
        log.push(`${name} start`);
        await tick(20);
        log.push(`${name} end`);
        return value;
      });
  const posture: PostureApi = {
    readPosture: read('posture', {
      summary: { mfaEnabled: true, accessKeysPresent: false, passwordPresent: true },
      passwordPolicy: null,
      rootVirtualMfa: false,
    }),
    readAuthorizationDetails: read('details', { users: [], groups: [], managedDocuments: {} }),
  };
  let askedAt = 0;
  return {
    callerAccountId: '999999999999',
    reportApiFor: async () => ({
      generate: async () => {
        askedAt = performance.now();
        log.push('generate');
        return 'STARTED';
      },
      fetch: async () => {
        log.push('fetch');
        if (report === 'denied') throw new ApiError('access_denied', 'AccessDenied', 'not allowed');
        if (performance.now() - askedAt < generationMs)
          throw new ApiError('report_in_progress', 'ReportInProgress', 'not yet');
        return {
          content: new TextEncoder().encode(reportCsv(ACCOUNT, [{ user: 'alice' }])),
          generatedAt: GENERATED,
        };
      },
      posture,
    }),
  };
}

const run = async (access: AccountAccess) => {
  const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-posture-ahead-')));
  const result = await collectRun({
    store,
    dt: DT,
    access,
    org,
    now: () => GENERATED + 60_000,
    poll: { initialMs: 60, factor: 1, maxMs: 60, jitter: 0 },
    retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
  });
  return { store, outcome: result.outcomes[0] };
};

describe("an account's posture", () => {
  it('is read side by side while IAM builds the report, and stored once the report is', async () => {
    const log: string[] = [];
    const { store, outcome } = await run(loggingAccess(log, 50, 'ok'));
    expect(outcome).toMatchObject({ status: 'collected', postureFailed: false });
    // Both reads started before the first look at the report, and each before either ended.
    const at = (e: string) => log.indexOf(e);
    expect(at('posture start')).toBeLessThan(at('fetch'));
    expect(at('details start')).toBeLessThan(at('fetch'));
    expect(Math.max(at('posture start'), at('details start'))).toBeLessThan(
      Math.min(at('posture end'), at('details end')),
    );
    expect(await store.list(rawPosturePrefix(DT))).toHaveLength(1);
    expect(outcome.evidence?.map((e) => e.key.split('/')[1])).toEqual(['credential_report', 'posture']);
  });

  it('is not stored for an account whose report fails, and no read outlives the account', async () => {
    const log: string[] = [];
    const { store, outcome } = await run(loggingAccess(log, 0, 'denied'));
    expect(outcome).toMatchObject({ status: 'failed', reason: 'access_denied' });
    // The reads were under way when the report failed; the account ended only after they did.
    expect(log).toContain('posture end');
    expect(log).toContain('details end');
    expect(await store.list(rawPosturePrefix(DT))).toEqual([]);
    expect(outcome.evidence ?? []).toEqual([]);
  });

  it('asks the summary, the password policy and the MFA devices of an account side by side', async () => {
    const sim = await startSimulator({ accounts: 3, seed: 4, date: DT });
    const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
    const access = await sdkAccountAccess(connection, createClients(connection).sts, {
      roleName: sim.roleName,
      sessionName: 'credlake-test',
    });
    const account = sim.org.accounts.find((a) => a.state === 'ACTIVE' && !a.faults.accessDenied)!;
    let inFlight = 0;
    let most = 0;
    const counting: CallWrapper = async (fn) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fn();
      } finally {
        inFlight--;
      }
    };
    const posture = await (await access.reportApiFor(account.id)).posture!.readPosture(counting);
    expect(posture.summary.passwordPresent).toBeTypeOf('boolean');
    expect(most).toBe(3);
  });
});
