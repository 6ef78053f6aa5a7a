// The simulated STS, IAM and Organizations APIs. Handlers throw ServiceError the way the real
// services fail; the server turns it into the service's wire format.
import { randomBytes } from 'node:crypto';
import type { SimAccount, SimOrg } from './model.ts';
import { renderMalformedReport, renderReport } from './report-csv.ts';
import { ServiceError, xmlEscape } from './wire.ts';

const FOUR_HOURS = 4 * 3_600_000;

export interface Identity {
  accountId: string;
  arn: string;
  secret: string;
  sessionToken?: string;
  /** The caller (tooling) identity may assume member roles and read Organizations. */
  isCaller: boolean;
}

interface ReportState {
  generatedTime: number;
  readyAt: number;
  content?: string;
}

export interface ServiceContext {
  org: SimOrg;
  roleName: string;
  externalId?: string;
  orgAccess: boolean;
  identities: Map<string, Identity>;
  reports: Map<string, ReportState>;
  simNow(): number;
  realNow(): number;
  /** Milliseconds a report takes to generate for an account, drawn by the latency model. */
  generationMs(account: SimAccount): number;
  onReportStarted(account: SimAccount, ms: number): void;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function accountOf(ctx: ServiceContext, id: string): SimAccount | undefined {
  return ctx.org.accounts.find((a) => a.id === id);
}

export function assumeRole(ctx: ServiceContext, caller: Identity, params: URLSearchParams): string {
  const roleArn = params.get('RoleArn') ?? '';
  const session = params.get('RoleSessionName') ?? '';
  const denied = () =>
    new ServiceError(
      403,
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  const m = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  if (!m)
    throw new ServiceError(
      400,
      'ValidationError',
      `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint`,
    );
  if (!/^[\w+=,.@-]{2,64}$/.test(session))
    throw new ServiceError(400, 'ValidationError', 'invalid RoleSessionName');
  const [, partition, accountId, name] = m;
  const account = accountOf(ctx, accountId);
  if (!caller.isCaller || !account || account.state !== 'ACTIVE' || account.faults.accessDenied)
    throw denied();
  if (name !== ctx.roleName) throw denied();
  if (ctx.externalId !== undefined && params.get('ExternalId') !== ctx.externalId) throw denied();
  const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const identity: Identity = {
    accountId: account.id,
    arn: `arn:${partition}:sts::${account.id}:assumed-role/${name}/${session}`,
    secret: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(32).toString('base64'),
    isCaller: false,
  };
  ctx.identities.set(accessKeyId, identity);
  return `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${identity.secret}</SecretAccessKey><SessionToken>${identity.sessionToken}</SessionToken><Expiration>${iso(ctx.simNow() + 3_600_000)}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(session)}</AssumedRoleId><Arn>${xmlEscape(identity.arn)}</Arn></AssumedRoleUser>`;
}

export function getCallerIdentity(identity: Identity): string {
  return `<Arn>${xmlEscape(identity.arn)}</Arn><UserId>AIDASIMULATOR:${identity.accountId}</UserId><Account>${identity.accountId}</Account>`;
}

export function generateCredentialReport(ctx: ServiceContext, identity: Identity): string {
  const account = accountOf(ctx, identity.accountId)!;
  const current = ctx.reports.get(account.id);
  if (!current || ctx.simNow() - current.generatedTime > FOUR_HOURS) {
    const ms = account.faults.stuck ? Number.POSITIVE_INFINITY : ctx.generationMs(account);
    ctx.reports.set(account.id, { generatedTime: ctx.simNow(), readyAt: ctx.realNow() + ms });
    ctx.onReportStarted(account, ms);
    return '<State>STARTED</State><Description>No report exists. Starting a new report generation task</Description>';
  }
  if (ctx.realNow() < current.readyAt)
    return '<State>INPROGRESS</State><Description>Report generation in progress</Description>';
  return '<State>COMPLETE</State>';
}

export function getCredentialReport(ctx: ServiceContext, identity: Identity): string {
  const account = accountOf(ctx, identity.accountId)!;
  const report = ctx.reports.get(account.id);
  if (!report) {
    throw new ServiceError(
      410,
      'ReportNotPresent',
      'Credential report does not exist. Use GenerateCredentialReport to generate a report.',
    );
  }
  if (ctx.realNow() < report.readyAt)
    throw new ServiceError(404, 'ReportInProgress', 'Credential report generation is in progress.');
  if (ctx.simNow() - report.generatedTime > FOUR_HOURS) {
    throw new ServiceError(
      410,
      'ReportExpired',
      'The credential report has expired. Use GenerateCredentialReport to generate a new report.',
    );
  }
  report.content ??= account.faults.malformed ? renderMalformedReport(account) : renderReport(account);
  return `<Content>${Buffer.from(report.content).toString('base64')}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>${iso(report.generatedTime)}</GeneratedTime>`;
}

// --- Organizations (AWS JSON 1.1) ------------------------------------------------------------

const PAGE = 20;

function page<T>(items: T[], body: Record<string, unknown>): { items: T[]; NextToken?: string } {
  const max = Math.min(Number(body.MaxResults ?? PAGE), PAGE);
  if (!(max >= 1))
    throw new ServiceError(400, 'InvalidInputException', 'MaxResults must be between 1 and 20');
  let start = 0;
  if (body.NextToken !== undefined) {
    start = Number(Buffer.from(String(body.NextToken), 'base64').toString());
    if (!Number.isInteger(start) || start < 0)
      throw new ServiceError(400, 'InvalidInputException', 'The NextToken is not valid');
  }
  const end = start + max;
  return {
    items: items.slice(start, end),
    NextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined,
  };
}

function accountJson(org: SimOrg, a: SimAccount) {
  return {
    Id: a.id,
    Arn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: a.state === 'PENDING_CLOSURE' ? 'PENDING_CLOSURE' : a.state,
    State: a.state,
    JoinedMethod: a.id === org.managementAccountId ? 'CREATED' : 'INVITED',
    JoinedTimestamp: a.joinedAt / 1000,
  };
}

export function organizations(
  ctx: ServiceContext,
  identity: Identity,
  action: string,
  body: Record<string, unknown>,
): unknown {
  const { org } = ctx;
  if (!identity.isCaller || !ctx.orgAccess) {
    throw new ServiceError(
      400,
      'AccessDeniedException',
      `You don't have permissions to access this resource.`,
    );
  }
  const parent = () => {
    const id = String(body.ParentId ?? '');
    if (id !== org.rootId && !org.ous.some((o) => o.id === id)) {
      throw new ServiceError(
        400,
        'ParentNotFoundException',
        `We can't find a root or OU with the ParentId ${id}.`,
      );
    }
    return id;
  };
  const ouJson = (o: SimOrg['ous'][number]) => ({
    Id: o.id,
    Arn: `arn:aws:organizations::${org.managementAccountId}:ou/${org.id}/${o.id}`,
    Name: o.name,
  });
  switch (action) {
    case 'DescribeOrganization': {
      const mgmt = accountOf(ctx, org.managementAccountId);
      return {
        Organization: {
          Id: org.id,
          Arn: `arn:aws:organizations::${org.managementAccountId}:organization/${org.id}`,
          FeatureSet: 'ALL',
          MasterAccountArn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${org.managementAccountId}`,
          MasterAccountId: org.managementAccountId,
          MasterAccountEmail: mgmt?.email,
          AvailablePolicyTypes: [],
        },
      };
    }
    case 'ListRoots': {
      const roots = [
        {
          Id: org.rootId,
          Arn: `arn:aws:organizations::${org.managementAccountId}:root/${org.id}/${org.rootId}`,
          Name: 'Root',
          PolicyTypes: [],
        },
      ];
      const { items, NextToken } = page(roots, body);
      return { Roots: items, NextToken };
    }
    case 'ListOrganizationalUnitsForParent': {
      const id = parent();
      const { items, NextToken } = page(
        org.ous.filter((o) => o.parentId === id),
        body,
      );
      return { OrganizationalUnits: items.map(ouJson), NextToken };
    }
    case 'ListAccountsForParent': {
      const id = parent();
      const { items, NextToken } = page(
        org.accounts.filter((a) => a.ouId === id),
        body,
      );
      return { Accounts: items.map((a) => accountJson(org, a)), NextToken };
    }
    case 'ListTagsForResource': {
      const id = String(body.ResourceId ?? '');
      const account = org.accounts.find((a) => a.id === id);
      if (!account && id !== org.rootId && !org.ous.some((o) => o.id === id)) {
        throw new ServiceError(
          400,
          'TargetNotFoundException',
          `We can't find a resource with the ResourceId ${id}.`,
        );
      }
      const tags = Object.entries(account?.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
      const { items, NextToken } = page(tags, body);
      return { Tags: items, NextToken };
    }
    case 'ListAccounts': {
      const { items, NextToken } = page(org.accounts, body);
      return { Accounts: items.map((a) => accountJson(org, a)), NextToken };
    }
    default:
      throw new ServiceError(400, 'UnknownOperationException', `The simulator does not implement ${action}`);
  }
}
