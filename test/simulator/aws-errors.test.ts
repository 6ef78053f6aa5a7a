// The simulator fails as AWS documents it. Every error code it can return is listed here with the
// operations it answers and its HTTP status, and each is held to the SDK client's own model: the
// error is in the operation's documented error list (the command's @throws) or is one of AWS's
// common errors, and a query-protocol error (IAM, STS, SNS) carries the wire code and status the
// model gives it. The situations the collector depends on are then provoked through the real SDK
// clients, which must deserialize each into the documented exception.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET } from '../../simulator/simulator.ts';
import { withSimulator } from '../helpers/simulator.ts';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..');

type Protocol = 'query' | 'json';
const CLIENTS = {
  iam: { pkg: '@aws-sdk/client-iam', protocol: 'query' },
  sts: { pkg: '@aws-sdk/client-sts', protocol: 'query' },
  sns: { pkg: '@aws-sdk/client-sns', protocol: 'query' },
  organizations: { pkg: '@aws-sdk/client-organizations', protocol: 'json' },
  glue: { pkg: '@aws-sdk/client-glue', protocol: 'json' },
  athena: { pkg: '@aws-sdk/client-athena', protocol: 'json' },
  securityhub: { pkg: '@aws-sdk/client-securityhub', protocol: 'json' },
} as const satisfies Record<string, { pkg: string; protocol: Protocol }>;
type Service = keyof typeof CLIENTS;

/**
 * AWS's common errors, which any operation may return (the Common Errors page of each API
 * reference): the query services' AccessDenied as IAM and STS send it, and the rest.
 */
const COMMON: Record<string, number> = {
  AccessDenied: 403,
  AccessDeniedException: 400,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  ServiceUnavailable: 503,
  Throttling: 400,
  ValidationError: 400,
  UnknownOperationException: 400,
};

/** Every error the simulator returns: the service, the operations that may return it, its status. */
const SIMULATED: { service: Service; operations: string[]; code: string; status: number }[] = [
  { service: 'iam', operations: ['GetCredentialReport'], code: 'ReportNotPresent', status: 410 },
  { service: 'iam', operations: ['GetCredentialReport'], code: 'ReportExpired', status: 410 },
  { service: 'iam', operations: ['GetCredentialReport'], code: 'ReportInProgress', status: 404 },
  { service: 'iam', operations: ['GetAccountPasswordPolicy'], code: 'NoSuchEntity', status: 404 },
  {
    service: 'iam',
    operations: ['ListOrganizationsFeatures'],
    code: 'ServiceAccessNotEnabledException',
    status: 400,
  },
  {
    service: 'iam',
    operations: ['ListOrganizationsFeatures'],
    code: 'AccountNotManagementOrDelegatedAdministratorException',
    status: 400,
  },
  { service: 'iam', operations: ['GetAccountSummary'], code: 'AccessDenied', status: 403 },
  { service: 'iam', operations: ['GenerateCredentialReport'], code: 'Throttling', status: 400 },
  { service: 'iam', operations: ['GenerateCredentialReport'], code: 'ServiceUnavailable', status: 503 },
  { service: 'iam', operations: ['GetCredentialReport'], code: 'InvalidAction', status: 400 },
  { service: 'sts', operations: ['AssumeRole'], code: 'AccessDenied', status: 403 },
  { service: 'sts', operations: ['AssumeRole'], code: 'ValidationError', status: 400 },
  { service: 'sts', operations: ['GetCallerIdentity'], code: 'InvalidClientTokenId', status: 403 },
  { service: 'sts', operations: ['GetCallerIdentity'], code: 'SignatureDoesNotMatch', status: 403 },
  { service: 'sns', operations: ['Publish'], code: 'AuthorizationError', status: 403 },
  { service: 'sns', operations: ['Publish'], code: 'ParameterValueInvalid', status: 400 },
  {
    service: 'organizations',
    operations: ['ListAccountsForParent', 'ListOrganizationalUnitsForParent'],
    code: 'ParentNotFoundException',
    status: 400,
  },
  {
    service: 'organizations',
    operations: ['ListTagsForResource'],
    code: 'TargetNotFoundException',
    status: 400,
  },
  {
    service: 'organizations',
    operations: ['ListAccountsForParent'],
    code: 'InvalidInputException',
    status: 400,
  },
  {
    service: 'organizations',
    operations: ['ListAccountsForParent'],
    code: 'AccessDeniedException',
    status: 400,
  },
  {
    service: 'organizations',
    operations: ['ListAccountsForParent'],
    code: 'TooManyRequestsException',
    status: 400,
  },
  { service: 'organizations', operations: ['ListAccountsForParent'], code: 'ServiceException', status: 500 },
  { service: 'organizations', operations: ['ListAccounts'], code: 'UnknownOperationException', status: 400 },
  {
    service: 'glue',
    operations: ['CreateDatabase', 'CreateTable'],
    code: 'AlreadyExistsException',
    status: 400,
  },
  {
    service: 'glue',
    operations: ['GetTable', 'BatchCreatePartition'],
    code: 'EntityNotFoundException',
    status: 400,
  },
  { service: 'glue', operations: ['BatchCreatePartition'], code: 'AccessDeniedException', status: 400 },
  { service: 'glue', operations: ['GetPartitions'], code: 'UnknownOperationException', status: 400 },
  {
    service: 'athena',
    operations: ['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults', 'GetNamedQuery'],
    code: 'InvalidRequestException',
    status: 400,
  },
  { service: 'athena', operations: ['StartQueryExecution'], code: 'AccessDeniedException', status: 400 },
  {
    service: 'securityhub',
    operations: ['BatchImportFindings', 'BatchUpdateFindings'],
    code: 'InvalidInputException',
    status: 400,
  },
  { service: 'securityhub', operations: ['GetFindings'], code: 'UnknownOperationException', status: 400 },
  { service: 'securityhub', operations: ['BatchImportFindings'], code: 'AccessDeniedException', status: 403 },
];

/** The exceptions an operation documents, from its command's type declarations. */
function documented(service: Service, operation: string): string[] {
  const dir = join(ROOT, 'node_modules', CLIENTS[service].pkg, 'dist-types', 'commands');
  const text = readFileSync(join(dir, `${operation}Command.d.ts`), 'utf8');
  return [...text.matchAll(/@throws \{@link (\w+)\}/g)].map((m) => m[1]);
}

/** The SDK's error schema for a wire code: the exception's name and the status its model gives. */
function modelled(service: Service, code: string): { name: string; status?: number } | undefined {
  const sdk = require(CLIENTS[service].pkg) as Record<string, unknown>;
  for (const [key, value] of Object.entries(sdk)) {
    if (!key.endsWith('Exception$') && !key.endsWith('Error$') && !key.endsWith('Fault$')) continue;
    const schema = value as [
      number,
      string,
      string,
      { awsQueryError?: [string, number]; httpError?: number },
    ];
    if (!Array.isArray(schema) || schema[0] !== -3) continue;
    const traits = schema[3] ?? {};
    const wire = traits.awsQueryError?.[0] ?? schema[2];
    if (wire === code) return { name: schema[2], status: traits.awsQueryError?.[1] ?? traits.httpError };
  }
  return undefined;
}

describe("the simulator's errors, held to the SDK clients' models", () => {
  it('lists every error code the simulator can return', () => {
    const codes = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'simulator')).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(ROOT, 'simulator', file), 'utf8');
      for (const m of text.matchAll(/new ServiceError\(\s*\d+,\s*'(\w+)'/g)) codes.add(m[1]);
      // (Security Hub's per-finding ErrorCode values are data in a 200 answer, not errors.)
    }
    const listed = new Set(SIMULATED.map((e) => e.code));
    expect([...codes].filter((c) => !listed.has(c)).sort()).toEqual([]);
  });

  for (const error of SIMULATED)
    it(`${error.service} ${error.code} (${error.status}) from ${error.operations.join(', ')}`, () => {
      const model = modelled(error.service, error.code);
      for (const operation of error.operations) {
        const list = documented(error.service, operation);
        expect(list.length, `${operation} has no documented errors: is it an operation?`).toBeGreaterThan(0);
        const known = (model && list.includes(model.name)) || error.code in COMMON;
        expect(
          known,
          `${error.code} is neither in ${operation}'s errors (${list.join(', ')}) nor common`,
        ).toBe(true);
      }
      const expected =
        model && CLIENTS[error.service].protocol === 'query' ? model.status : COMMON[error.code];
      if (expected !== undefined && !(model && CLIENTS[error.service].protocol === 'json'))
        expect(error.status).toBe(expected);
    });
});

describe('the situations the collector depends on, through the real SDK clients', () => {
  const iamFor = (endpoint: string) =>
    new IAMClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET },
      maxAttempts: 1,
    });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
    );

  it('a report not generated yet, and one in progress', () =>
    // Realistic latency: a report takes at least a second to generate.
    withSimulator({ accounts: 2, date: '2026-12-01', latency: 'realistic' }, async (sim) => {
      const iam = iamFor(sim.endpoint);
      const absent = await failure(iam.send(new GetCredentialReportCommand({})));
      expect(absent).toBeInstanceOf(CredentialReportNotPresentException);
      expect(absent?.$metadata?.httpStatusCode).toBe(410);
      await iam.send(new GenerateCredentialReportCommand({}));
      const pending = await failure(iam.send(new GetCredentialReportCommand({})));
      expect(pending).toBeInstanceOf(CredentialReportNotReadyException);
      expect(pending?.$metadata?.httpStatusCode).toBe(404);
      iam.destroy();
    }));

  it('not the management account or delegated administrator, and IAM trusted access off', async () => {
    for (const [role, name] of [
      ['member', 'AccountNotManagementOrDelegatedAdministratorException'],
      ['trusted-access-off', 'ServiceAccessNotEnabledException'],
    ] as const)
      await withSimulator({ accounts: 2, date: '2026-12-01', iamOrganizationRole: role }, async (sim) => {
        const iam = iamFor(sim.endpoint);
        const error = await failure(iam.send(new ListOrganizationsFeaturesCommand({})));
        expect(error?.name).toBe(name);
        expect(error?.$metadata?.httpStatusCode).toBe(400);
        iam.destroy();
      });
  });
});
