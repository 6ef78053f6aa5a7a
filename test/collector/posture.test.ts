// Account posture and privileges through the production SDK clients against the simulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { createClients } from '../../collector/aws/clients.ts';
import { readPostureRecord, storePosture } from '../../collector/posture.ts';
import { BENCHMARK_IDS } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { benchmarkThresholds, computeExpected } from '../../simulator/expected.ts';
import { parseFaultSpec } from '../../simulator/faults.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { COMPARED_QUERIES, lakeAnswers, newStore, runAgainst } from '../helpers/sim-run.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

/** The production SDK clients' way into the simulated organization's accounts. */
async function memberAccess(sim: Simulator) {
  const connection = { region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.callerCredentials };
  return sdkAccountAccess(connection, createClients(connection).sts, {
    roleName: sim.roleName,
    sessionName: 'credlake-test',
  });
}

describe('account posture and user privileges', () => {
  it('reads posture over the wire: no password policy is null, root virtual MFA is told apart, every page of authorization details', async () => {
    const sim = await startSimulator({ accounts: 40, seed: 6, date: '2024-05-01', usersPerAccount: 230 });
    const access = await memberAccess(sim);
    const noPolicy = sim.org.accounts.find(
      (a) => a.state === 'ACTIVE' && !a.faults.accessDenied && !a.posture.passwordPolicy,
    )!;
    const virtual = sim.org.accounts.find(
      (a) => a.state === 'ACTIVE' && a.root.mfa && !a.posture.rootMfaHardware,
    )!;
    const direct = <T>(fn: () => Promise<T>) => fn();
    const one = await (await access.reportApiFor(noPolicy.id)).posture!.readPosture(direct);
    expect(one.passwordPolicy).toBeNull();
    const two = await (await access.reportApiFor(virtual.id)).posture!;
    expect((await two.readPosture(direct)).rootVirtualMfa).toBe(true);
    const details = await two.readAuthorizationDetails(direct);
    expect(details.users).toHaveLength(virtual.users.length);
    expect(details.groups.map((g) => g.name)).toContain('Admins');
    expect(Object.keys(details.managedDocuments)).toEqual(virtual.posture.adminCustomerPolicies);
    expect(await access.centralizedRootAccess?.()).toBe(false);
  });

  it("reads an account's summary, password policy, MFA devices and privileges side by side, and stores them as one record", async () => {
    const sim = await startSimulator({ accounts: 8, seed: 6, date: '2024-05-01', usersPerAccount: 230 });
    const access = await memberAccess(sim);
    const account = sim.org.accounts.find((a) => a.state === 'ACTIVE' && !a.faults.accessDenied)!;
    const api = (await access.reportApiFor(account.id)).posture!;
    let inFlight = 0;
    let most = 0;
    const counted = async <T>(fn: () => Promise<T>) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fn();
      } finally {
        inFlight--;
      }
    };
    const store = await newStore();
    const read = await readPostureRecord(api, counted, {
      accountId: account.id,
      accountName: account.name,
      runId: 'run-1',
      readAt: new Date(sim.now()).toISOString(),
      centralizedRootAccess: false,
    });
    const evidence = await storePosture(store, sim.date, read);
    // GetAccountSummary, GetAccountPasswordPolicy, ListVirtualMFADevices and the first page of
    // GetAccountAuthorizationDetails are all asked before any is answered.
    expect(most).toBe(4);
    const record = JSON.parse(new TextDecoder().decode((await store.get(evidence.key))!));
    expect(record.details.users).toHaveLength(account.users.length);
    expect(record.posture.summary).toBeDefined();
  });

  it('marks only posture as failed when it is denied, and gets every question right, posture ones included', async () => {
    const sim = await startSimulator({
      accounts: 60,
      seed: 19,
      date: '2024-05-01',
      faults: parseFaultSpec('posture=0.3,throttle=0.05'),
    });
    const store = await newStore();
    const result = await runAgainst(sim, store);
    const denied = sim.org.accounts.filter((a) => a.faults.postureDenied && a.state === 'ACTIVE');
    expect(denied.length).toBeGreaterThan(0);
    for (const a of denied) {
      expect(result.outcomes.find((o) => o.accountId === a.id)).toMatchObject({
        status: 'collected',
        postureFailed: true,
      });
    }
    const answers = await lakeAnswers(store.root, '2024-05-01');
    for (const name of COMPARED_QUERIES) expect(answers[name], name).toEqual(sim.expected()[name]);
    expect(sim.expected().admin_users.length).toBeGreaterThan(0);
    expect(sim.expected().password_policy_weak.length).toBeGreaterThan(0);
    // Every benchmark's rules agree with the ground truth written out by hand for it, on roots
    // whose password is known from posture and on roots whose posture was denied.
    for (const benchmark of BENCHMARK_IDS) {
      const truth = computeExpected(sim.org, '2024-05-01', benchmarkThresholds(benchmark));
      const judged = await lakeAnswers(store.root, '2024-05-01', benchmark);
      for (const name of COMPARED_QUERIES) expect(judged[name], `${benchmark} ${name}`).toEqual(truth[name]);
    }
    const strict = computeExpected(sim.org, '2024-05-01', benchmarkThresholds('cis-3.0'));
    const v5 = computeExpected(sim.org, '2024-05-01', benchmarkThresholds('cis-5.0'));
    const hub = computeExpected(sim.org, '2024-05-01', benchmarkThresholds('security-hub'));
    // The versions differ on this organization, so the loop above told them apart.
    expect(v5.root_account_findings.length).toBeLessThan(strict.root_account_findings.length);
    expect(v5.root_hardware_mfa_missing.length).toBeLessThan(strict.root_hardware_mfa_missing.length);
    expect(hub.unused_credentials.length).toBeLessThan(strict.unused_credentials.length);
  });

  it('under centralized root access, exempts only member accounts whose root credentials were removed', async () => {
    const sim = await startSimulator({
      accounts: 30,
      seed: 19,
      date: '2024-05-01',
      centralizedRootAccess: true,
    });
    const store = await newStore();
    await runAgainst(sim, store);
    const answers = await lakeAnswers(store.root, '2024-05-01');
    const expected = sim.expected();
    expect(answers.root_account_findings).toEqual(expected.root_account_findings);
    expect(answers.root_hardware_mfa_missing).toEqual(expected.root_hardware_mfa_missing);
    expect(answers.admin_users).toEqual(expected.admin_users);
    // The management account is never exempt: its root without MFA stays a finding.
    const management = sim.org.accounts.find((a) => a.id === sim.org.managementAccountId)!;
    if (!management.root.mfa)
      expect(answers.root_account_findings).toContain(`${management.id}|root_mfa_disabled`);
    // And some member account is exempt: root without MFA, password or keys, no finding.
    const exempt = sim.org.accounts.filter(
      (a) =>
        a.id !== sim.org.managementAccountId &&
        a.state === 'ACTIVE' &&
        !a.root.mfa &&
        !a.posture.rootPasswordPresent &&
        !a.root.keys.some((k) => k !== null),
    );
    expect(exempt.length).toBeGreaterThan(0);
    for (const a of exempt) expect(answers.root_account_findings).not.toContain(`${a.id}|root_mfa_disabled`);
  });
});

describe('whether root credentials are managed centrally, when IAM will not say', () => {
  const thrownBy = (command: string) =>
    [
      ...readFileSync(
        join(
          import.meta.dirname,
          '../../node_modules/@aws-sdk/client-iam/dist-types/commands',
          `${command}Command.d.ts`,
        ),
        'utf8',
      ).matchAll(/@throws \{@link (\w+)\}/g),
    ].map((m) => m[1]);

  for (const role of ['member', 'trusted-access-off'] as const) {
    it(`records it as unknown and keeps posture (${role === 'member' ? "a caller that is not IAM's delegated administrator" : "IAM's trusted access off"})`, async () => {
      const sim = await startSimulator({
        accounts: 12,
        seed: 4,
        date: '2024-05-01',
        iamOrganizationRole: role,
      });
      const store = await newStore();
      const result = await runAgainst(sim, store);
      const collected = result.outcomes.filter((o) => o.status === 'collected');
      expect(collected.length).toBeGreaterThan(0);
      // Before IAM's own error codes were known, every account's posture failed here.
      expect(collected.filter((o) => o.postureFailed)).toEqual([]);
      const rows = await queryLake(
        store.root,
        'SELECT DISTINCT centralized_root_access AS c FROM account_posture',
      );
      expect(rows.map((r) => r.c)).toEqual([null]);
    });
  }

  it('answers with error codes the SDK documents for the operation', () => {
    const documented = thrownBy('ListOrganizationsFeatures');
    for (const code of [
      'AccountNotManagementOrDelegatedAdministratorException',
      'ServiceAccessNotEnabledException',
    ])
      expect(documented, code).toContain(code);
  });
});

async function queryLake(root: string, sql: string) {
  const engine = await DuckDbEngine.open(root);
  try {
    return (await engine.run(sql)).rows;
  } finally {
    engine.close();
  }
}
