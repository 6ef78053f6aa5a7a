// A simulated AWS organization behind one HTTP endpoint on 127.0.0.1. The production AWS SDK
// clients (and the AWS CLI) talk to it through an endpoint override, with real SigV4 signing.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COLLECTOR_DEFAULTS } from '../common/defaults.ts';
import { addDays } from '../transforms/dates.ts';
import {
  type AccessControl,
  accessDenied,
  athenaQueryPermissions,
  type CallInput,
  permissionsFor,
} from './access.ts';
import { driftAccount } from './drift.ts';
import { computeExpected, type ExpectedAnswers } from './expected.ts';
import { type FaultRates, LATENCY, type LatencyName, NO_FAULTS } from './faults.ts';
import { generateOrg } from './generate.ts';
import { type AthenaOptions, GlueCatalog, SimulatedAthena } from './glue-athena.ts';
import type { SimAccount, SimOrg } from './model.ts';
import * as posture from './posture-services.ts';
import { createRng, hashSeed } from './random.ts';
import { SimulatedSecurityHub } from './security-hub.ts';
import * as svc from './services.ts';
import { type PublishedMessage, publish } from './sns.ts';
import { authenticate, errorReply, NS, readRequest } from './transport.ts';
import { jsonReply, type Reply, restJsonReply, ServiceError, xmlReply } from './wire.ts';

export const CALLER_ACCESS_KEY_ID = 'AKIASIMULATORCALLER0';
export const CALLER_SECRET = 'simulator-caller-secret-not-a-real-key';
/** The member role of the simulated organization: the one the collector assumes by default. */
export const DEFAULT_ROLE_NAME = COLLECTOR_DEFAULTS.memberRoleName;

export interface SimulatorOptions {
  readonly accounts: number;
  readonly seed?: number;
  /** The date the simulator's clock starts on (YYYY-MM-DD). */
  readonly date: string;
  readonly faults?: FaultRates;
  readonly latency?: LatencyName;
  readonly roleName?: string;
  readonly externalId?: string;
  /** Whether the caller may read Organizations (false: only an explicit account list works). */
  readonly orgAccess?: boolean;
  readonly usersPerAccount?: number;
  readonly ouDepth?: number;
  readonly port?: number;
  /** The organization manages member root credentials centrally. */
  readonly centralizedRootAccess?: boolean;
  /**
   * What the caller is to IAM's organization features: `admin` (the management account or IAM's
   * delegated administrator, the default), `member` (neither: a tooling account never registered),
   * or `trusted-access-off` (IAM's trusted access not enabled in Organizations).
   */
  readonly iamOrganizationRole?: 'admin' | 'member' | 'trusted-access-off';
  /** Serve Athena over this bucket (Glue is always served). */
  readonly athena?: AthenaOptions;
}

/** Per-account draws of the latency model, for the benchmark's ideal time. */
export interface AccountTiming {
  firstCallMs: number[];
  generationMs: number;
  /** The service time of the first call of each action: what any collector must spend at least. */
  firstByAction: Record<string, number>;
  /**
   * The service time of the calls any collector must make: the first call of each action and
   * each further page of a paginated read, but no repeated poll or retried attempt.
   */
  requiredMs: number;
  /** The service time of every call made, throttled attempts and repeated polls included. */
  serviceMs: number;
}

export class Simulator {
  readonly org: SimOrg;
  readonly stats = {
    calls: new Map<string, number>(),
    timings: new Map<string, AccountTiming>(),
    /** AccessDenied answers to AssumeRole, by target account: a collector must not retry them. */
    deniedAssumes: new Map<string, number>(),
    /** SNS messages published, by the run summary. */
    published: [] as PublishedMessage[],
  };
  private readonly ctx: svc.ServiceContext;
  /** Account, action and page of every call so far: a call seen before is a repeat. */
  private readonly requiredCalls = new Set<string>();
  private readonly expectedByDate = new Map<string, ExpectedAnswers>();
  /** The Glue catalog, in memory: what the pipeline registered, and where. */
  readonly glue = new GlueCatalog();
  /** Security Hub's findings, as imported and updated. */
  readonly securityHub = new SimulatedSecurityHub();
  readonly athena?: SimulatedAthena;
  /** Who may do what (see access.ts): every call is put to it first; without one, all are allowed. */
  access?: AccessControl;
  private server?: Server;
  private dayStart = 0;
  private realStart = 0;
  private currentDate: string;
  private readonly rng: () => number;

  constructor(readonly options: SimulatorOptions) {
    const seed = options.seed ?? 1;
    const faults = options.faults ?? NO_FAULTS;
    this.org = generateOrg({
      centralizedRootAccess: options.centralizedRootAccess,
      accounts: options.accounts,
      seed,
      startDate: options.date,
      ouDepth: options.ouDepth,
      faults,
      usersPerAccount: options.usersPerAccount,
    });
    this.rng = createRng(hashSeed('calls', seed));
    if (options.athena) this.athena = new SimulatedAthena(options.athena, this.athenaAccess(options.athena));
    this.currentDate = options.date;
    const latency = LATENCY[options.latency ?? 'fast'];
    const identities = new Map<string, svc.Identity>();
    identities.set(CALLER_ACCESS_KEY_ID, {
      accountId: this.org.managementAccountId,
      arn: `arn:aws:iam::${this.org.managementAccountId}:user/credlake-operator`,
      secret: CALLER_SECRET,
      isCaller: true,
    });
    this.ctx = {
      org: this.org,
      roleName: options.roleName ?? DEFAULT_ROLE_NAME,
      externalId: options.externalId,
      orgAccess: options.orgAccess ?? true,
      identities,
      reports: new Map(),
      simNow: () => this.dayStart + (performance.now() - this.realStart),
      realNow: () => performance.now(),
      // Draws are per account and per generation, so two collectors calling in a different
      // order see the same latencies (the benchmark compares them on identical draws).
      generationMs: (account) =>
        latency.reportGeneration(this.draw('generation', account.id), account.faults.slow),
      onReportStarted: (account, ms) => {
        const t = this.timing(account.id);
        if (t.generationMs === 0) t.generationMs = ms;
      },
    };
    this.setClock(options.date);
  }

  static async start(options: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(options);
    await sim.listen(options.port ?? 0);
    return sim;
  }

  get date(): string {
    return this.currentDate;
  }

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the simulator is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  get roleName(): string {
    return this.ctx.roleName;
  }

  /** Credentials of the operator identity, in the management account. */
  get callerCredentials() {
    return { accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET };
  }

  /** Moves the clock forward to `date` (06:00 UTC), replaying each day's drift on the way. */
  advanceTo(date: string): void {
    if (date < this.currentDate)
      throw new Error(`the simulator cannot go back from ${this.currentDate} to ${date}`);
    this.expected(this.currentDate);
    while (this.currentDate < date) {
      const next = addDays(this.currentDate, 1);
      for (const account of this.org.accounts) driftAccount(account, this.options.seed ?? 1, next);
      this.currentDate = next;
      this.expected(next);
    }
    this.setClock(date);
  }

  /** The simulated wall clock (epoch ms): the run date at 06:00 UTC plus the time since. */
  now(): number {
    return this.ctx.simNow();
  }

  /** Moves the simulated clock forward within the day (to exercise IAM's 4-hour report reuse). */
  advanceClockBy(ms: number): void {
    this.dayStart += ms;
  }

  /** What every saved query should answer for a day the simulator has reached. */
  expected(date: string = this.currentDate): ExpectedAnswers {
    const cached = this.expectedByDate.get(date);
    if (cached) return cached;
    if (date !== this.currentDate)
      throw new Error(`no expected answers for ${date}: the simulator has not been on that day`);
    const answers = computeExpected(this.org, date);
    this.expectedByDate.set(date, answers);
    return answers;
  }

  private accountOf(identity: svc.Identity): SimAccount {
    return this.org.accounts.find((a) => a.id === identity.accountId)!;
  }

  account(id: string): SimAccount | undefined {
    return this.org.accounts.find((a) => a.id === id);
  }

  private setClock(date: string): void {
    this.dayStart = Date.parse(`${date}T06:00:00Z`);
    this.realStart = performance.now();
  }

  private readonly drawCounts = new Map<string, number>();

  /** A random stream for the n-th draw of a kind for one account. */
  private draw(kind: string, accountId: string): () => number {
    const key = `${kind}|${accountId}`;
    const n = (this.drawCounts.get(key) ?? 0) + 1;
    this.drawCounts.set(key, n);
    return createRng(hashSeed(kind, this.options.seed ?? 1, accountId, n));
  }

  private timing(accountId: string): AccountTiming {
    let t = this.stats.timings.get(accountId);
    if (!t) {
      t = { firstCallMs: [], generationMs: 0, firstByAction: {}, requiredMs: 0, serviceMs: 0 };
      this.stats.timings.set(accountId, t);
    }
    return t;
  }

  private listen(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    this.server.keepAliveTimeout = 30_000;
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
    await this.athena?.dispose();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const reply = await this.dispatch(req, body);
    res.writeHead(reply.status, { ...reply.headers, 'x-amzn-requestid': crypto.randomUUID() });
    res.end(reply.body);
  }

  private async dispatch(req: IncomingMessage, body: Buffer): Promise<Reply> {
    const request = readRequest(req, body);
    const { service, action, form, input, isJson } = request;
    this.stats.calls.set(request.counted, (this.stats.calls.get(request.counted) ?? 0) + 1);
    try {
      const signer = authenticate(this.ctx.identities, req, body);
      const identity = this.access?.principal?.(signer, req.headers) ?? signer;
      const timed =
        action === 'AssumeRole'
          ? /::(\d{12}):role\//.exec(form.get('RoleArn') ?? '')?.[1]
          : isJson
            ? undefined
            : identity.accountId;
      await this.delay(timed, action, form.get('Marker') ?? '');
      await this.authorize(identity, request, req.url ?? '/');
      if (request.signedService === 'securityhub') {
        if (!identity.isCaller)
          throw new ServiceError(403, 'AccessDeniedException', `${identity.arn} may not call Security Hub`);
        const [path] = (req.url ?? '/').split('?');
        return restJsonReply(
          this.securityHub.handle(req.method ?? 'POST', path, input, {
            account: identity.accountId,
            region: request.region ?? '',
          }),
        );
      }
      if (service === 'AWSGlue' || service === 'AmazonAthena') {
        if (!identity.isCaller)
          throw new ServiceError(400, 'AccessDeniedException', `${identity.arn} may not call ${service}`);
        if (service === 'AWSGlue') return jsonReply(this.glue.handle(action, input));
        if (!this.athena)
          throw new ServiceError(400, 'InvalidRequestException', 'Athena is not enabled in this simulator');
        return jsonReply(await this.athena.handle(action, input, identity, request.region));
      }
      this.injectCallFaults(isJson);
      if (isJson) return jsonReply(svc.organizations(this.ctx, identity, action, input));
      return this.queryAction(identity, action, form);
    } catch (error) {
      if (error instanceof ServiceError) {
        const target = /::(\d{12}):role\//.exec(form.get('RoleArn') ?? '')?.[1];
        if (action === 'AssumeRole' && error.code === 'AccessDenied' && target) {
          this.stats.deniedAssumes.set(target, (this.stats.deniedAssumes.get(target) ?? 0) + 1);
        }
        return errorReply(request, error);
      }
      throw error;
    }
  }

  /** Refuses a call the access control does not allow, as its service refuses it. */
  private async authorize(
    identity: svc.Identity,
    request: ReturnType<typeof readRequest>,
    url: string,
  ): Promise<void> {
    const access = this.access;
    if (!access) return;
    const jsonService: Record<string, CallInput['service']> = {
      AWSOrganizationsV20161128: 'organizations',
      AWSGlue: 'glue',
      AmazonAthena: 'athena',
    };
    const service = (jsonService[request.service] ?? request.signedService) as CallInput['service'];
    const call: CallInput = {
      service,
      action: request.action,
      form: request.form,
      body:
        service === 'athena'
          ? { WorkGroup: this.options.athena?.workgroup, ...request.input }
          : request.input,
      region: request.region ?? 'us-east-1',
      path: url.split('?')[0],
    };
    const denied = await access.authorize(identity, permissionsFor(this.org, identity, call));
    if (denied) throw accessDenied(service, identity, denied);
  }

  /** With an access control, each Athena query reads and writes S3 with its caller's permissions. */
  private athenaAccess(athena: AthenaOptions) {
    return async (
      principal: svc.Identity,
      region: string,
      sql: string,
      outputKey: string,
      unloadPrefix?: string,
    ) => {
      const access = this.access;
      if (!access) return undefined;
      const tables: Record<string, string> = {};
      for (const [key, table] of this.glue.tables) {
        const [db, name] = key.split('.');
        const location = String(
          (table.StorageDescriptor as { Location?: string } | undefined)?.Location ?? '',
        );
        if (db === athena.database && location) tables[name] = location.replace(/^s3:\/\/[^/]+\//, '');
      }
      const asks = athenaQueryPermissions(this.org, principal, region, {
        sql,
        database: athena.database,
        bucket: athena.bucket,
        tables,
        outputKey,
        unloadPrefix,
      });
      return access.authorize(principal, asks);
    };
  }

  /** The query-protocol actions of STS, IAM and SNS, each answered by its service. */
  private queryAction(identity: svc.Identity, action: string, form: URLSearchParams): Reply {
    const account = () => this.accountOf(identity);
    switch (action) {
      case 'AssumeRole':
        return xmlReply(action, NS.sts, svc.assumeRole(this.ctx, identity, form));
      case 'GetCallerIdentity':
        return xmlReply(action, NS.sts, svc.getCallerIdentity(identity));
      case 'GenerateCredentialReport':
        return xmlReply(action, NS.iam, svc.generateCredentialReport(this.ctx, identity));
      case 'GetCredentialReport':
        return xmlReply(action, NS.iam, svc.getCredentialReport(this.ctx, identity));
      case 'GetAccountSummary':
        return xmlReply(action, NS.iam, posture.getAccountSummary(account(), identity));
      case 'GetAccountPasswordPolicy':
        return xmlReply(action, NS.iam, posture.getAccountPasswordPolicy(account(), identity));
      case 'ListVirtualMFADevices':
        return xmlReply(action, NS.iam, posture.listVirtualMfaDevices(account(), identity, form));
      case 'GetAccountAuthorizationDetails':
        return xmlReply(action, NS.iam, posture.getAccountAuthorizationDetails(account(), identity, form));
      case 'ListOrganizationsFeatures':
        return xmlReply(
          action,
          NS.iam,
          posture.listOrganizationsFeatures(this.org, identity, this.options.iamOrganizationRole ?? 'admin'),
        );
      case 'Publish':
        return xmlReply(action, NS.sns, publish(identity, form, this.stats.published));
      default:
        throw new ServiceError(400, 'InvalidAction', `The action ${action} is not valid for this endpoint.`);
    }
  }

  /** Waits one call's latency; the first three calls per account (assume, generate, get on the
   * shortest path) are kept as that account's draws. `page` is the call's pagination marker. */
  private async delay(account: string | undefined, action: string, page: string): Promise<void> {
    const ms = LATENCY[this.options.latency ?? 'fast'].call(this.draw('call', account ?? 'organization'));
    const t = this.timing(account ?? 'organization');
    if (account && t.firstCallMs.length < 3) t.firstCallMs.push(ms);
    t.firstByAction[action] ??= ms;
    const call = `${account ?? 'organization'}|${action}|${page}`;
    if (!this.requiredCalls.has(call)) {
      this.requiredCalls.add(call);
      t.requiredMs += ms;
    }
    t.serviceMs += ms;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private injectCallFaults(isJson: boolean): void {
    const faults = this.options.faults ?? NO_FAULTS;
    if (this.rng() < faults.throttle) {
      throw isJson
        ? new ServiceError(
            400,
            'TooManyRequestsException',
            'AWS Organizations can’t complete your request because another request is already in progress. Try again later.',
          )
        : new ServiceError(400, 'Throttling', 'Rate exceeded');
    }
    if (this.rng() < faults.server_error) {
      throw isJson
        ? new ServiceError(
            500,
            'ServiceException',
            'AWS Organizations can’t complete your request because of an internal service error.',
          )
        : new ServiceError(503, 'ServiceUnavailable', 'Service is unavailable. Please try again later.');
    }
  }
}
