// The deployed pipeline on one machine: the synthesized template's state machine run by
// aws-local-stepfunctions (through the layer in step-functions.ts), each Lambda function bound to
// its real handler loaded with that function's own environment from the template, against the
// simulator (STS, IAM, Organizations, Glue, Athena, SNS) and a real S3-compatible server.
import { CreateDatabaseCommand, CreateTableCommand, GlueClient, type TableInput } from '@aws-sdk/client-glue';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { partitionOf } from '../../infra/settings.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { Simulator } from '../../simulator/simulator.ts';
import { testApp } from './cdk-app.ts';
import type { CountingProxy, S3Requests } from './counting-proxy.ts';
import { runAs } from './request-identity.ts';
import type { S3Server } from './s3-server.ts';
import {
  type AslDefinition,
  type LambdaFunction,
  type RunOptions,
  type RunReport,
  runStateMachine,
} from './step-functions.ts';

let deployments = 0;
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Where a deployment lives: its account (in the simulated organization), partition and region. */
export interface Place {
  readonly account: string;
  readonly partition: string;
  readonly region: string;
}

/** The ARN of a pipeline function of a deployment. */
export const functionArn = (deployment: { place: Place }, logicalId: string) =>
  `arn:${deployment.place.partition}:lambda:${deployment.place.region}:${deployment.place.account}:function:${logicalId}`;

/**
 * The tooling account a deployment goes to in the simulated organization: an active member
 * account without faults (the default: apart from the management account), or the management
 * account itself.
 */
export function toolingAccountOf(sim: Simulator, where: 'member' | 'management' = 'member'): string {
  const { org } = sim;
  if (where === 'management') return org.managementAccountId;
  const clean = org.accounts.find(
    (a) => a.state === 'ACTIVE' && a.id !== org.managementAccountId && !Object.values(a.faults).some(Boolean),
  );
  if (!clean) throw new Error('the simulated organization has no clean member account for the tooling');
  return clean.id;
}

const synths = new Map<
  string,
  { template: { Resources: Resources }; management: { Resources: Resources } }
>();

/**
 * The pipeline and management templates for these CDK settings, synthesized once per test file
 * (the deployed path's scenarios share one organization and so one synth) and handed out as
 * copies: a test may plant a fault in its own.
 */
function synthesized(context: Record<string, unknown>) {
  const key = JSON.stringify(context);
  let found = synths.get(key);
  if (!found) {
    const app = testApp(context);
    found = {
      template: Template.fromStack(app.pipeline).toJSON() as { Resources: Resources },
      management: Template.fromStack(app.management).toJSON() as { Resources: Resources },
    };
    synths.set(key, found);
  }
  return structuredClone(found);
}

/** Resolves the CloudFormation intrinsics of the synthesized template to this deployment's values. */
function resolver(resources: Resources, bucket: string, place: Place) {
  const ACCOUNT = place.account;
  const pseudo: Record<string, string> = {
    'AWS::Region': place.region,
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': place.partition,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const arn = (service: string, rest: string) =>
    `arn:${place.partition}:${service}:${place.region}:${ACCOUNT}:${rest}`;
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    if ('Ref' in v) {
      const id = String(v.Ref);
      if (id in pseudo) return pseudo[id];
      const r = resources[id];
      if (r?.Type === 'AWS::S3::Bucket') return bucket;
      if (r?.Type === 'AWS::SNS::Topic') return arn('sns', 'credlake-run-summary');
      throw new Error(`unresolved Ref ${id}`);
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      if (attr === 'NamedQueryId') return `nq-${resources[id].Properties.Name}`;
      if (attr === 'Arn' && resources[id]?.Type === 'AWS::Lambda::Function')
        return arn('lambda', `function:${id}`);
      if (attr === 'Arn' && resources[id]?.Type === 'AWS::S3::Bucket')
        return `arn:${place.partition}:s3:::${bucket}`;
      throw new Error(`unresolved GetAtt ${id}.${attr}`);
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

/** Where each handler's code lives (the entries infra/functions.ts bundles). */
const moduleOf = (handler: string) =>
  handler === 'exportAll' ? '../../queries/handler.ts' : '../../collector/handler.ts';

export interface Deployment {
  readonly place: Place;
  readonly definition: AslDefinition;
  /** The synthesized pipeline template (its IAM decides what each function may do). */
  readonly template: { Resources: Resources };
  /** The management account's stack: the member role and the Organizations delegation policy. */
  readonly management: { Resources: Resources };
  /** The pipeline's functions by logical id (not the CDK-managed custom resource provider). */
  readonly functions: Map<string, { handler: string; timeoutSeconds: number }>;
  readonly lambdas: Map<string, LambdaFunction>;
}

export type HandlerWrap = (
  functionId: string,
  handler: (event: unknown) => Promise<unknown>,
) => (event: unknown) => Promise<unknown>;

/**
 * Deploys the pipeline stack to this machine: its Glue database and tables to the simulated Glue,
 * its functions as handlers loaded one module instance per function, each under the environment
 * the template gives it (plus the endpoints that point at this machine).
 */
export async function deployPipeline(
  sim: Simulator,
  s3: S3Server,
  bucket: string,
  wrap: HandlerWrap = (_, h) => h,
  options: {
    /** CDK settings over cdk.json's (e.g. concurrency). */
    context?: Record<string, unknown>;
    /** Where the functions reach S3 (a counting proxy), instead of the server itself. */
    s3Endpoint?: string;
    /** The pipeline in a member account of its own (the default) or in the management account. */
    tooling?: 'member' | 'management';
  } = {},
): Promise<Deployment> {
  const context = options.context ?? {};
  const region = String(context.region ?? 'us-east-1');
  const place: Place = {
    account: toolingAccountOf(sim, options.tooling),
    region,
    partition: partitionOf(region),
  };
  // The stacks of this organization: its ids, its management account, the tooling account.
  const { template, management } = synthesized({
    organizationId: sim.org.id,
    managementAccountId: sim.org.managementAccountId,
    toolingAccountId: place.account,
    memberOuIds: sim.org.rootId,
    ...context,
  });
  const resolve = resolver(template.Resources, bucket, place);
  const machine = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  )!;
  const definition = JSON.parse(String(resolve(machine.Properties.DefinitionString))) as AslDefinition;

  const glue = new GlueClient({
    region: 'us-east-1',
    endpoint: sim.endpoint,
    credentials: sim.callerCredentials,
  });
  for (const r of Object.values(template.Resources).filter((x) => x.Type === 'AWS::Glue::Database'))
    await glue.send(
      new CreateDatabaseCommand({ DatabaseInput: resolve(r.Properties.DatabaseInput) as { Name: string } }),
    );
  for (const r of Object.values(template.Resources).filter((x) => x.Type === 'AWS::Glue::Table'))
    await glue.send(
      new CreateTableCommand({
        DatabaseName: String(r.Properties.DatabaseName),
        TableInput: resolve(r.Properties.TableInput) as TableInput,
      }),
    );
  glue.destroy();

  const connection = {
    AWS_REGION: place.region,
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ENDPOINT_URL_S3: options.s3Endpoint ?? s3.endpoint,
    AWS_ACCESS_KEY_ID: sim.callerCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.callerCredentials.secretAccessKey,
    CREDLAKE_S3_FORCE_PATH_STYLE: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // The simulator's reports are ready in milliseconds: ask again after 100 ms, not IAM's 2.5 s.
    CREDLAKE_REPORT_POLL_MS: '100',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  Object.assign(process.env, connection);
  const functions = new Map<string, { handler: string; timeoutSeconds: number }>();
  const lambdas = new Map<string, LambdaFunction>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || !id.startsWith('Functions')) continue;
    const handler = String(r.Properties.Handler).replace(/^index\./, '');
    const variables = resolve((r.Properties.Environment as { Variables: object }).Variables) as Record<
      string,
      string
    >;
    // A module instance of its own (a distinct URL), configured by this function's environment alone.
    const saved = { ...process.env };
    Object.assign(process.env, variables);
    let fn: ((event: unknown) => Promise<unknown>) | undefined;
    try {
      const module = (await import(
        `${moduleOf(handler)}?function=${id}&deployment=${++deployments}`
      )) as Record<string, unknown>;
      if (typeof module[handler] === 'function') fn = module[handler] as typeof fn;
    } finally {
      for (const k of Object.keys(variables)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    if (!fn) throw new Error(`no handler ${handler} for function ${id}`);
    const timeoutSeconds = Number(r.Properties.Timeout ?? 3);
    functions.set(id, { handler, timeoutSeconds });
    const invoke = fn;
    // Each function's requests are marked as its own, for the IAM-enforcing proxy.
    lambdas.set(resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string, {
      handler: wrap(id, (event) => runAs(id, () => invoke(event))),
      timeoutSeconds,
    });
  }
  return { place, definition, template, management, functions, lambdas };
}

/** One execution of the deployed state machine, as the daily schedule would start it. */
export function runDeployed(
  deployment: Deployment,
  s3: S3Server,
  options: Partial<RunOptions> = {},
  input: { dt?: string } = {},
) {
  return runStateMachine(deployment.definition, input, {
    lambdas: deployment.lambdas,
    s3: s3.client,
    retryDelayMs: 10,
    ...options,
  });
}

/** The logical id of the pipeline function whose handler is `name`. */
export function functionId(deployment: Deployment, name: string): string {
  const found = [...deployment.functions].find(([, f]) => f.handler === name);
  if (!found) throw new Error(`no function with handler ${name}`);
  return found[0];
}

export interface ScaleRun {
  readonly report: RunReport;
  /** S3 requests the functions made, counted by the proxy. */
  readonly requests: S3Requests;
  readonly wallSeconds: number;
  /** Every account of the simulated organization, as collection_runs should hold them. */
  readonly accounts: string[];
  /** The account ids collection_runs holds after the run. */
  readonly runs: string[];
  /** Rows of the day's findings table. */
  readonly findings: number;
  /** The ARN of the Exports function (handler exportAll), for its figures in the report. */
  readonly exportsArn: string;
  /** Result rows read back from Athena (GetQueryResults) in the run: only the Exports step asks. */
  readonly athenaRowsRead: number;
}

/**
 * One simulated organization of the given size (4 users an account, or the simulator's own mix
 * of users: most accounts a handful, a few hundreds to 1,500) through the deployed state
 * machine, on a bucket of its own, the functions' S3 traffic counted by the proxy.
 */
export async function runSimulatedOrganization(
  s3: S3Server,
  proxy: CountingProxy,
  options: {
    accounts: number;
    seed: number;
    concurrency: number;
    users?: 'four' | 'mix';
    /** Sample each function's memory (the bench's figure; costly with many invocations in flight). */
    sampleMemory?: boolean;
  },
): Promise<ScaleRun> {
  const bucket = `credlake-scale-${options.accounts}`;
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  const store = new S3Store(s3.client, bucket, '');
  const sim = await Simulator.start({
    accounts: options.accounts,
    seed: options.seed,
    date: new Date().toISOString().slice(0, 10),
    usersPerAccount: options.users === 'mix' ? undefined : 4,
    athena: { store, bucket, workgroup: 'credlake', database: 'credlake', queueMs: 5 },
  });
  try {
    const deployment = await deployPipeline(sim, s3, bucket, undefined, {
      context: { concurrency: options.concurrency },
      s3Endpoint: proxy.endpoint,
    });
    proxy.reset();
    const started = performance.now();
    const report = await runDeployed(deployment, s3, { sampleMemory: options.sampleMemory });
    const wallSeconds = (performance.now() - started) / 1000;
    const requests = { ...proxy.counts };
    const engine = await DuckDbEngine.openStore(store);
    try {
      const runs = (await engine.run('SELECT account_id FROM collection_runs')).rows.map((r) =>
        String(r.account_id),
      );
      const [{ n }] = (await engine.run('SELECT count(*) AS n FROM findings')).rows;
      return {
        report,
        requests,
        wallSeconds,
        accounts: sim.org.accounts.map((a) => a.id),
        runs,
        findings: Number(n),
        exportsArn: functionArn(deployment, functionId(deployment, 'exportAll')),
        athenaRowsRead: sim.athena?.rowsServed ?? 0,
      };
    } finally {
      engine.close();
    }
  } finally {
    await sim.close();
  }
}
