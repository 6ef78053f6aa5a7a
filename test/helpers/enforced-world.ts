// A deployment under IAM, as AWS would enforce it: one IAM world (iam-world.ts) built from the
// synthesized pipeline and management templates decides every request the deployment makes.
// - S3: the enforcing proxy in front of the S3 server (enforcing-proxy.ts).
// - STS, IAM, Organizations, Glue, Athena (and the S3 reads and writes each query makes with its
//   caller's permissions), SNS, Security Hub: the simulator's access control (simulator/access.ts),
//   which hands each call to the world as the principal that made it: a function's role (its
//   requests carry the function's mark), the member role of an account (its assumed-role session),
//   the state machine's role (its Lambda invocations, ItemReader and ResultWriter).
// Requests of neither kind are the tests' own set-up and reads, made as the operator.
import { S3Client } from '@aws-sdk/client-s3';
import type { AccessControl, Permission } from '../../simulator/access.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import type { Deployment } from './deployed-pipeline.ts';
import type { EnforcingProxy, Refusal } from './enforcing-proxy.ts';
import { buildIamWorld, type IamWorld, type WorldOptions } from './iam-world.ts';
import { FUNCTION_HEADER, runAs } from './request-identity.ts';
import type { LambdaFunction } from './step-functions.ts';

export interface Enforcement {
  readonly world: IamWorld;
  /** Every request refused anywhere in this deployment, in order. */
  readonly refusals: Refusal[];
  /** The state machine's Lambda functions, each invocation authorized as the state machine's role. */
  readonly lambdas: Map<string, LambdaFunction>;
  /** The S3 client of the state machine's ItemReader and ResultWriter, through the proxy. */
  readonly stateMachineS3: S3Client;
}

/** The simulator's access control for a world: each call decided as the principal that made it. */
export function worldAccess(world: IamWorld, refusals: Refusal[]): AccessControl {
  const member = (arn: string) => /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  return {
    principal(signer, headers) {
      const fn = headers[FUNCTION_HEADER];
      if (typeof fn !== 'string' || !signer.isCaller) return signer;
      return { ...signer, accountId: world.account, arn: world.sessionArn(fn) };
    },
    async authorize(principal, asks: readonly Permission[]) {
      const fn = world.functionOf(principal.arn);
      const session = member(principal.arn);
      for (const ask of asks) {
        const decision = fn
          ? await world.authorize(fn, ask)
          : session && !principal.isCaller
            ? await world.authorizeMember(session[1], ask)
            : undefined;
        if (decision && !decision.allowed) {
          refusals.push({
            functionId: fn ?? `member ${session?.[1]}`,
            method: 'POST',
            path: ask.action.split(':')[0],
            action: ask.action,
            resource: ask.resource,
          });
          return ask;
        }
      }
      return undefined;
    },
  };
}

/**
 * Puts a deployment under IAM: the proxy decides its S3 requests, the simulator its other calls,
 * and the state machine's own requests go through both as its role.
 */
export function enforce(
  sim: Simulator,
  proxy: EnforcingProxy,
  deployment: Deployment,
  bucket: string,
  options: { plant?: (t: Deployment['template']) => Deployment['template']; world?: WorldOptions } = {},
): Enforcement {
  const template = options.plant ? options.plant(deployment.template) : deployment.template;
  const { place } = deployment;
  const world = buildIamWorld(template, place.account, bucket, {
    partition: place.partition,
    region: place.region,
    organization: {
      id: sim.org.id,
      managementAccountId: sim.org.managementAccountId,
      accounts: sim.org.accounts.map((a) => a.id),
      management: deployment.management,
    },
    ...options.world,
  });
  proxy.govern(bucket, world);
  sim.access = worldAccess(world, proxy.refusals);
  const lambdas = new Map<string, LambdaFunction>();
  for (const [arn, fn] of deployment.lambdas)
    lambdas.set(arn, {
      timeoutSeconds: fn.timeoutSeconds,
      handler: async (event) => {
        const decision = await world.authorize('StateMachine', {
          action: 'lambda:InvokeFunction',
          resource: arn,
        });
        if (!decision.allowed) {
          proxy.refusals.push({
            functionId: 'StateMachine',
            method: 'POST',
            path: 'lambda',
            action: 'lambda:InvokeFunction',
            resource: arn,
          });
          const error = new Error(
            `User: ${world.sessionArn('StateMachine')} is not authorized to perform: lambda:InvokeFunction on resource: ${arn}`,
          );
          error.name = 'Lambda.AWSLambdaException';
          throw error;
        }
        return fn.handler(event);
      },
    });
  const client = new S3Client({
    endpoint: proxy.endpoint,
    region: place.region,
    forcePathStyle: true,
    credentials: sim.callerCredentials,
  });
  const send = client.send.bind(client);
  // Every request of the ItemReader and ResultWriter is the state machine's.
  client.send = ((command: Parameters<typeof send>[0]) =>
    runAs('StateMachine', () => send(command))) as typeof send;
  return { world, refusals: proxy.refusals, lambdas, stateMachineS3: client };
}

type Resources = Deployment['template']['Resources'];

/** One thing an AWS service does for the deployment, and what IAM said to it. */
export interface ServiceAct {
  readonly who: string;
  readonly what: string;
  readonly allowed: boolean;
}

/**
 * What AWS's services do for the deployment with its roles and under its resource policies, each
 * decided by the world: Lambda, Step Functions and EventBridge Scheduler assume the roles (their
 * trust policies, with aws:SourceArn and aws:SourceAccount as each service sets them); the Lambda
 * runtime writes each function's logs and traces as its role; Step Functions sets up its log
 * delivery, traces and starts the Distributed Map's child executions as its role; the schedule
 * starts the run and parks a failed start in its dead-letter queue; the EventBridge rule and the
 * CloudWatch alarm publish to the encrypted alerts topic; CloudWatch Logs encrypts each log group
 * with the key.
 */
export async function servicesAtWork(
  world: IamWorld,
  template: { Resources: Resources },
): Promise<ServiceAct[]> {
  const acts: ServiceAct[] = [];
  const { account, region, partition } = world;
  const note = async (who: string, what: string, decision: Promise<{ allowed: boolean }>) =>
    acts.push({ who, what, allowed: (await decision).allowed });
  const source = (arn: string) => ({ 'aws:SourceArn': arn, 'aws:SourceAccount': account });
  const ids = (type: string) =>
    Object.keys(template.Resources).filter((id) => template.Resources[id].Type === type);
  const roleIdOf = (value: unknown) => (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const topic = ids('AWS::SNS::Topic').map((id) => world.resolve({ Ref: id }) as string)[0];
  const key = world.keyArn;

  for (const id of ids('AWS::Lambda::Function')) {
    const props = template.Resources[id].Properties;
    const role = roleIdOf(props.Role);
    const arn = world.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string;
    await note(
      'lambda.amazonaws.com',
      `assumes the role of ${id}`,
      world.serviceAssumes('lambda.amazonaws.com', role, source(arn)),
    );
    const logGroup = (props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
    const groupArn = logGroup
      ? `arn:${partition}:logs:${region}:${account}:log-group:${String(world.resolve(logGroup))}`
      : `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${id}`;
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
      await note(
        `the Lambda runtime of ${id}`,
        action,
        world.authorizeTemplateRole(role, {
          action,
          resource: `${groupArn}:log-stream:2026/12/01/[$LATEST]0`,
        }),
      );
    if ((props.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active')
      for (const action of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'])
        await note(
          `the Lambda runtime of ${id}`,
          action,
          world.authorizeTemplateRole(role, { action, resource: '*' }),
        );
  }

  for (const id of ids('AWS::StepFunctions::StateMachine')) {
    const props = template.Resources[id].Properties;
    const role = roleIdOf(props.RoleArn);
    const arn = world.resolve({ Ref: id }) as string;
    await note(
      'states.amazonaws.com',
      'assumes the state machine role',
      world.serviceAssumes('states.amazonaws.com', role, source(arn)),
    );
    const as = (action: string, resource: string) =>
      note('Step Functions', action, world.authorizeTemplateRole(role, { action, resource }));
    if (props.LoggingConfiguration)
      for (const action of [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ])
        await as(action, '*');
    if ((props.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled)
      for (const action of [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ])
        await as(action, '*');
    // The Distributed Map runs each item as a child execution of this state machine.
    await as('states:StartExecution', arn);
    // It describes and stops the run's execution (as Step Functions documents the resource), and
    // redrives a map run's child executions.
    const executions = arn.replace(':stateMachine:', ':execution:');
    await as('states:DescribeExecution', `${executions}:run-1`);
    await as('states:StopExecution', `${executions}:run-1`);
    await as('states:RedriveExecution', `${executions}/map-run:child-1`);
  }

  for (const id of ids('AWS::Scheduler::Schedule')) {
    const target = template.Resources[id].Properties.Target as {
      RoleArn: unknown;
      Arn: unknown;
      DeadLetterConfig?: { Arn: unknown };
    };
    const role = roleIdOf(target.RoleArn);
    const arn = world.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string;
    await note(
      'scheduler.amazonaws.com',
      'assumes the schedule role',
      world.serviceAssumes('scheduler.amazonaws.com', role, source(arn)),
    );
    await note(
      'the schedule',
      'states:StartExecution',
      world.authorizeTemplateRole(role, {
        action: 'states:StartExecution',
        resource: String(world.resolve(target.Arn)),
      }),
    );
    if (target.DeadLetterConfig)
      await note(
        'the schedule',
        'sqs:SendMessage',
        world.authorizeTemplateRole(role, {
          action: 'sqs:SendMessage',
          resource: String(world.resolve(target.DeadLetterConfig.Arn)),
        }),
      );
  }

  // AwsCustomResource calls at deploy time (the Glue partition indexes), as the provider's role.
  for (const id of Object.keys(template.Resources).filter(
    (x) => template.Resources[x].Type === 'Custom::AWS',
  )) {
    const props = template.Resources[id].Properties;
    const create = JSON.parse(String(world.resolve(props.Create))) as {
      service: string;
      action: string;
      parameters: { DatabaseName?: string; TableName?: string };
    };
    const role = roleIdOf(
      template.Resources[String((props.ServiceToken as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0])]
        .Properties.Role,
    );
    const action = `${create.service.toLowerCase()}:${create.action[0].toUpperCase()}${create.action.slice(1)}`;
    const glue = (kind: string) => `arn:${partition}:glue:${region}:${account}:${kind}`;
    const { DatabaseName: db, TableName: table } = create.parameters;
    for (const resource of [glue('catalog'), glue(`database/${db}`), glue(`table/${db}/${table}`)])
      await note(
        `the custom resource ${id}`,
        action,
        world.authorizeTemplateRole(role, { action, resource }),
      );
  }

  const publishers = [
    ...ids('AWS::Events::Rule').map((id) => ({
      service: 'events.amazonaws.com',
      arn: world.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string,
    })),
    ...ids('AWS::CloudWatch::Alarm').map((id) => ({
      service: 'cloudwatch.amazonaws.com',
      arn: world.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string,
    })),
  ];
  for (const { service, arn } of publishers) {
    await note(
      service,
      `publishes to the alerts topic from ${arn}`,
      world.serviceRequest(service, { action: 'sns:Publish', resource: topic, context: source(arn) }),
    );
    if (key)
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
        await note(
          service,
          `${action} for the encrypted topic`,
          world.serviceRequest(service, { action, resource: key, context: source(arn) }),
        );
  }

  if (key)
    for (const id of ids('AWS::Logs::LogGroup')) {
      const group = `arn:${partition}:logs:${region}:${account}:log-group:${String(world.resolve({ Ref: id }))}`;
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey'])
        await note(
          `logs.${region}.amazonaws.com`,
          `${action} for ${id}`,
          world.serviceRequest(`logs.${region}.amazonaws.com`, {
            action,
            resource: key,
            context: { 'kms:EncryptionContext:aws:logs:arn': group },
          }),
        );
    }
  return acts;
}
