import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../../simulator/faults.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { callerClients, callerConfig, errorOf, memberIam } from '../helpers/sim-clients.ts';
import { simulatorsForFile, withSimulator } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulator endpoint with the AWS SDK v3 clients', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      accounts: 45,
      seed: 11,
      date: '2024-05-01',
      externalId: 'ext-123',
      faults: parseFaultSpec('access_denied=0.2'),
    });
  });
  const active = () => sim.org.accounts.filter((a) => a.state === 'ACTIVE' && !a.faults.accessDenied);

  it('answers GetCallerIdentity for the operator', async () => {
    const out = await callerClients(sim).sts.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe(sim.org.managementAccountId);
  });

  it('describes the organization and pages ListAccounts 20 at a time, with State', async () => {
    const { org } = callerClients(sim);
    expect((await org.send(new DescribeOrganizationCommand({}))).Organization?.MasterAccountId).toBe(
      sim.org.managementAccountId,
    );
    const first = await org.send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(20);
    expect(first.NextToken).toBeTruthy();
    const all = [];
    for await (const page of paginateListAccounts({ client: org }, {})) all.push(...(page.Accounts ?? []));
    expect(all.map((a) => a.Id).sort()).toEqual(sim.org.accounts.map((a) => a.id).sort());
    expect(all.find((a) => a.Id === sim.org.accounts[0].id)?.State).toBe('ACTIVE');
    expect(await errorOf(org.send(new ListAccountsCommand({ NextToken: 'bm9wZQ==' })))).toMatchObject({
      name: 'InvalidInputException',
    });
  });

  it('walks the OU tree: roots, OUs per parent, accounts per parent, covering every account once', async () => {
    const { org } = callerClients(sim);
    const roots = (await org.send(new ListRootsCommand({}))).Roots ?? [];
    expect(roots).toHaveLength(1);
    const seen: string[] = [];
    const walk = async (parentId: string): Promise<void> => {
      const accounts = await org.send(new ListAccountsForParentCommand({ ParentId: parentId }));
      seen.push(...(accounts.Accounts ?? []).map((a) => a.Id!));
      const ous = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId }));
      for (const ou of ous.OrganizationalUnits ?? []) await walk(ou.Id!);
    };
    await walk(roots[0].Id!);
    expect(seen.sort()).toEqual(sim.org.accounts.map((a) => a.id).sort());
    expect(
      await errorOf(org.send(new ListAccountsForParentCommand({ ParentId: 'ou-nope-12345678' }))),
    ).toMatchObject({
      name: 'ParentNotFoundException',
    });
  });

  it('assumes the member role only with the right name and external id, and denies where the role is missing', async () => {
    const { sts } = callerClients(sim);
    const target = active()[1];
    const arn = `arn:aws:iam::${target.id}:role/${sim.roleName}`;
    const ok = await sts.send(
      new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'credlake-test', ExternalId: 'ext-123' }),
    );
    expect(ok.AssumedRoleUser?.Arn).toContain(`${target.id}:assumed-role/${sim.roleName}/credlake-test`);
    for (const bad of [
      { RoleArn: arn, RoleSessionName: 'credlake-test', ExternalId: 'wrong' },
      { RoleArn: arn, RoleSessionName: 'credlake-test' },
      {
        RoleArn: `arn:aws:iam::${target.id}:role/OtherRole`,
        RoleSessionName: 'credlake-test',
        ExternalId: 'ext-123',
      },
    ]) {
      expect(await errorOf(sts.send(new AssumeRoleCommand(bad)))).toMatchObject({
        name: 'AccessDenied',
        status: 403,
      });
    }
    const denied = sim.org.accounts.find((a) => a.faults.accessDenied)!;
    const roleArn = `arn:aws:iam::${denied.id}:role/${sim.roleName}`;
    expect(
      await errorOf(
        sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: 'credlake-test',
            ExternalId: 'ext-123',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('refuses member credentials for Organizations, unknown keys and wrong secrets', async () => {
    const target = active()[2];
    const iam = await memberWithExternalId(sim, target.id);
    const org = new OrganizationsClient({ ...callerConfig(sim), credentials: iam.config.credentials });
    expect(await errorOf(org.send(new ListAccountsCommand({})))).toMatchObject({
      name: 'AccessDeniedException',
    });
    const stranger = new STSClient({
      ...callerConfig(sim),
      credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' },
    });
    expect(await errorOf(stranger.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
    const forged = new STSClient({
      ...callerConfig(sim),
      credentials: { ...sim.callerCredentials, secretAccessKey: 'guess' },
    });
    expect(await errorOf(forged.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
  });

  it('generates reports over time: ReportNotPresent, STARTED, ReportInProgress, COMPLETE, then the CSV of that account', async () => {
    const target = active()[3];
    const iam = await memberWithExternalId(sim, target.id);
    expect(await errorOf(iam.send(new GetCredentialReportCommand({})))).toMatchObject({
      name: 'CredentialReportNotPresentException',
      status: 410,
    });
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
    expect(await errorOf(iam.send(new GetCredentialReportCommand({})))).toMatchObject({
      name: 'CredentialReportNotReadyException',
      status: 404,
    });
    await sleep(120);
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
    const report = await iam.send(new GetCredentialReportCommand({}));
    const csv = new TextDecoder().decode(report.Content);
    expect(csv).toContain(`arn:aws:iam::${target.id}:root`);
    expect(csv.trimEnd().split('\n')).toHaveLength(2 + target.users.length);
    expect(report.GeneratedTime?.toISOString()).toMatch(/^2024-05-01T06:/);
  });

  it('reuses a report for 4 hours, then reports it expired and generates a new one', async () => {
    const target = active()[4];
    const iam = await memberWithExternalId(sim, target.id);
    await iam.send(new GenerateCredentialReportCommand({}));
    await sleep(120);
    const first = await iam.send(new GetCredentialReportCommand({}));
    sim.advanceClockBy(3 * 3_600_000);
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
    expect((await iam.send(new GetCredentialReportCommand({}))).GeneratedTime).toEqual(first.GeneratedTime);
    sim.advanceClockBy(1.5 * 3_600_000);
    expect(await errorOf(iam.send(new GetCredentialReportCommand({})))).toMatchObject({
      name: 'CredentialReportExpiredException',
      status: 410,
    });
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
  });

  it("serves each account's own report to its own credentials", async () => {
    const [a, b] = [active()[5], active()[6]];
    for (const account of [a, b]) {
      const iam = await memberWithExternalId(sim, account.id);
      await iam.send(new GenerateCredentialReportCommand({}));
      await sleep(120);
      const csv = new TextDecoder().decode((await iam.send(new GetCredentialReportCommand({}))).Content);
      expect(csv).toContain(`arn:aws:iam::${account.id}:root`);
    }
  });
});

describe('simulator faults', () => {
  it('throttles and fails calls at the configured rates, with the services’ own error codes', async () => {
    await withSimulator(
      {
        accounts: 3,
        seed: 2,
        date: '2024-05-01',
        faults: parseFaultSpec('throttle=0.3,server_error=0.3'),
      },
      async (sim) => {
        const { sts, org } = callerClients(sim);
        const names = new Set<string>();
        for (let i = 0; i < 60; i++) {
          await sts.send(new GetCallerIdentityCommand({})).catch((e) => names.add(e.name));
          await org.send(new ListRootsCommand({})).catch((e) => names.add(e.name));
        }
        expect(names).toEqual(
          new Set(['Throttling', 'ServiceUnavailable', 'TooManyRequestsException', 'ServiceException']),
        );
      },
    );
  });

  it('keeps a stuck report in progress, and serves a malformed one broken', async () => {
    await withSimulator(
      {
        accounts: 60,
        seed: 4,
        date: '2024-05-01',
        faults: parseFaultSpec('stuck=0.2,malformed=0.2'),
      },
      async (sim) => {
        const stuck = sim.org.accounts.find((a) => a.faults.stuck)!;
        const malformed = sim.org.accounts.find((a) => a.faults.malformed)!;
        const iamStuck = await memberIam(sim, stuck.id);
        await iamStuck.send(new GenerateCredentialReportCommand({}));
        await sleep(300);
        expect((await iamStuck.send(new GenerateCredentialReportCommand({}))).State).toBe('INPROGRESS');
        const iamBad = await memberIam(sim, malformed.id);
        await iamBad.send(new GenerateCredentialReportCommand({}));
        await sleep(300);
        const csv = new TextDecoder().decode((await iamBad.send(new GetCredentialReportCommand({}))).Content);
        const lines = csv.trimEnd().split('\n');
        expect(lines.at(-1)!.split(',').length).toBeLessThan(22);
      },
    );
  });

  it('has no Organizations access when told so', async () => {
    await withSimulator({ accounts: 3, date: '2024-05-01', orgAccess: false }, async (sim) => {
      expect(await errorOf(callerClients(sim).org.send(new ListRootsCommand({})))).toMatchObject({
        name: 'AccessDeniedException',
      });
    });
  });
});

const memberWithExternalId = (sim: Simulator, accountId: string) => memberIam(sim, accountId, 'ext-123');

describe("the simulator's account of service time, for the collection bound", () => {
  it('counts every page of a paginated read as required, and no call made again', async () => {
    await withSimulator(
      { accounts: 3, seed: 4, date: '2024-05-01', latency: 'realistic', usersPerAccount: 250 },
      async (sim) => {
        const account = sim.org.accounts.find(
          (a) => a.state === 'ACTIVE' && !Object.values(a.faults).some(Boolean),
        )!;
        const iam = await memberIam(sim, account.id);
        const readAll = async () => {
          let pages = 0;
          let marker: string | undefined;
          do {
            const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: marker }));
            pages++;
            marker = page.IsTruncated ? page.Marker : undefined;
          } while (marker);
          await iam.send(new GetAccountSummaryCommand({}));
          return pages;
        };
        const pages = await readAll();
        expect(pages).toBeGreaterThan(1);
        const timing = () => structuredClone(sim.stats.timings.get(account.id)!);
        const once = timing();
        const firstCalls = Object.values(once.firstByAction).reduce((a, b) => a + b, 0);
        // AssumeRole, the first page and the summary are first calls; the further pages add to them.
        expect(once.requiredMs).toBeGreaterThanOrEqual(firstCalls + (pages - 1) * 60);
        expect(once.serviceMs).toBe(once.requiredMs);
        // The same reads again are repeats: more service time, nothing more required.
        expect(await readAll()).toBe(pages);
        const twice = timing();
        expect(twice.requiredMs).toBe(once.requiredMs);
        expect(twice.serviceMs).toBeGreaterThanOrEqual(once.serviceMs + (pages + 1) * 60);
      },
    );
  });
});
