// One Lambda function of the pipeline as a spec (what it runs, for how long, exactly what it may
// call) and the factory that builds it: bundled by the local esbuild (no Docker), arm64 on the
// current Node runtime, with a role of its own granting the spec's statements and nothing more
// than its log group, X-Ray and the key. Its constructs are made in the caller's scope, so their
// logical ids are the caller's.
import { join } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { EXTERNAL_MODULES, esbuildTarget, LAMBDA_RUNTIME, WASM_BESIDE_BUNDLE } from './bundling.ts';
import { acknowledge, logicalId } from './nag.ts';
import { DEFAULTS } from './settings.ts';

const ROOT = join(import.meta.dirname, '..');

/** One Lambda function of the pipeline: what it runs, for how long, and exactly what it may call. */
export interface FunctionSpec {
  /** Construct id, also the prefix of its role and log group ids (renaming one replaces them). */
  readonly id: string;
  /** Source file, relative to the project root. */
  readonly entry: string;
  /** The exported function of `entry` that Lambda invokes. */
  readonly handler: string;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  /** Everything the function may call, beyond its own log group, X-Ray and the key. */
  readonly statements: PolicyStatement[];
  /** cdk-nag findings acknowledged on its role, each with its reason. */
  readonly acknowledgements: Record<string, string>;
  /**
   * A fixed role name, for trust policies that name the role.
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/** What every function of the pipeline shares. */
export interface LeastPrivilegeOptions {
  /**
   * Encrypts the log group; the role may use it.
   * @default - no key: CloudWatch Logs' own encryption
   */
  readonly key?: IKey;
  /**
   * Retention of the log group, in days (one of CloudWatch Logs' values).
   * @default 365
   */
  readonly logRetentionDays?: number;
}

export function leastPrivilegeFunction(
  scope: Construct,
  { id, entry, handler, environment, timeout, statements, acknowledgements: acks, roleName }: FunctionSpec,
  { key, logRetentionDays }: LeastPrivilegeOptions,
): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: (logRetentionDays ?? DEFAULTS.logRetentionDays) as RetentionDays,
    encryptionKey: key,
  });
  const role = new Role(scope, `${id}Role`, {
    roleName,
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
  });
  role.addToPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroup.logGroupArn}:*`],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      resources: ['*'],
    }),
  );
  for (const s of statements) role.addToPolicy(s);
  if (key)
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
      }),
    );
  const fn = new NodejsFunction(scope, id, {
    entry: join(ROOT, entry),
    handler,
    projectRoot: ROOT,
    depsLockFilePath: join(ROOT, 'package-lock.json'),
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: 1024,
    timeout,
    role,
    logGroup,
    tracing: Tracing.ACTIVE,
    environment: {
      ...environment,
      POWERTOOLS_SERVICE_NAME: 'credlake',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      target: esbuildTarget(LAMBDA_RUNTIME),
      minify: true,
      sourceMap: false,
      externalModules: EXTERNAL_MODULES,
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (inputDir: string, outputDir: string) => [
          `cp ${inputDir}/${WASM_BESIDE_BUNDLE} ${outputDir}/`,
        ],
      },
    },
  });
  acknowledge(role, {
    ...acks,
    [`AwsSolutions-IAM5[Resource::<${logicalId(logGroup)}.Arn>:*]`]:
      "Log streams are created at run time inside this function's own log group",
  });
  return fn;
}
