// The Lambda functions, bundled by the local esbuild (no Docker), arm64 on the current Node
// runtime, each with its own role granting exactly what it calls on exactly which resources.
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type IFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../common/env-names.ts';
import { curatedPrefix, RAW_ZONES, RUNS_ZONE as RUNS_PREFIX, WAIVERS_FILE_KEY } from '../lake/keys.ts';
import type { BenchmarkId } from '../queries/catalog.ts';
import { TABLES } from '../transforms/schema.ts';
import { EXTERNAL_MODULES, esbuildTarget, LAMBDA_RUNTIME, WASM_BESIDE_BUNDLE } from './bundling.ts';
import { DATABASE_NAME, WORKGROUP_NAME } from './catalog.ts';
import { ORGANIZATIONS_READ_ACTIONS } from './management-stack.ts';
import { COLLECTOR_ROLE_NAME, type MemberAccessProps, memberRoleActions } from './member-role.ts';
import { acknowledge, logicalId } from './nag.ts';
import { DEFAULTS, type DigestMode } from './settings.ts';
import { ATHENA_RESULTS_PREFIX, type EvidenceRetention } from './storage.ts';

const ROOT = join(import.meta.dirname, '..');
/** The exports step writes the day's derived tables, and nothing else of the curated zone. */
const DERIVED_TABLES = ['findings', 'findings_daily', 'waivers'] as const;
const DERIVED_PREFIXES = DERIVED_TABLES.map((t) => curatedPrefix(t));

/** What the collector collects, and through which member role. */
export interface CollectionProps extends MemberAccessProps {
  /**
   * Per-account deadline for credential report generation, in seconds. The collect function's
   * timeout is a minute longer.
   * @default 300
   */
  readonly reportTimeoutSeconds?: number;
  /**
   * Collect only these accounts; the others are recorded as excluded.
   * @default - every account
   */
  readonly includeAccountIds?: string[];
  /**
   * Accounts never collected, recorded as excluded.
   * @default - none
   */
  readonly excludeAccountIds?: string[];
  /**
   * Collect only accounts under these roots or OUs, nested OUs included.
   * @default - every account
   */
  readonly includeOuIds?: string[];
}

export interface FunctionsProps {
  /** The lake. */
  readonly bucket: IBucket;
  /**
   * The key of the bucket, the topic and the log groups: every function may use it.
   * @default - AWS managed keys
   */
  readonly key?: IKey;
  /** The run summary and digest topic. */
  readonly topic: ITopic;
  /** Athena named query ids by catalog name, for the exports function. */
  readonly namedQueryIds: Record<string, string>;
  readonly collection: CollectionProps;
  /**
   * The Object Lock raw evidence is written with (`Storage.evidenceRetention`).
   * @default - raw evidence is written without a retention date
   */
  readonly evidenceRetention?: EvidenceRetention;
  /**
   * When the exports function publishes the digest of what changed.
   * @default 'changes'
   */
  readonly digest?: DigestMode;
  /**
   * Tag keys naming a finding's owner, first found wins.
   * @default ['owner', 'team']
   */
  readonly ownerTags?: readonly string[];
  /**
   * Also publish each owner's part of the digest (message attribute `owner`).
   * @default false
   */
  readonly digestByOwner?: boolean;
  /**
   * Import each day's findings into Security Hub (the pipeline's account and region).
   * @default false
   */
  readonly securityHub?: boolean;
  /**
   * The benchmark the rollup judges by and the exports are labelled with.
   * @default 'cis-5.0'
   */
  readonly benchmark?: BenchmarkId;
  /**
   * Retention of the functions' log groups, in days (one of CloudWatch Logs' values).
   * @default 365
   */
  readonly logRetentionDays?: number;
}

/** One Lambda function of the pipeline: what it runs, for how long, and exactly what it may call. */
interface FunctionSpec {
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

export class Functions extends Construct {
  readonly plan: IFunction;
  readonly collect: IFunction;
  readonly recordFailure: IFunction;
  readonly finalize: IFunction;
  readonly exports: IFunction;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: FunctionsProps,
  ) {
    super(scope, id);
    const { bucket, collection, evidenceRetention: lock } = props;
    const memberRoleName = collection.memberRoleName ?? DEFAULTS.memberRoleName;
    const reportTimeoutSeconds = collection.reportTimeoutSeconds ?? DEFAULTS.reportTimeoutSeconds;
    const collectPosture = collection.collectPosture ?? DEFAULTS.collectPosture;
    const digest = props.digest ?? DEFAULTS.digest;
    const stack = Stack.of(this);
    const glue = () => [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: DATABASE_NAME }),
      ...Object.keys(TABLES).map((t) =>
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${DATABASE_NAME}/${t}` }),
      ),
    ];
    const prefixReason = (zone: string) =>
      `Objects are addressed by key under the ${zone} prefix of the lake, written and read per account and date`;
    // cdk-nag names a bucket it created by logical id, an existing one by name.
    const bucketRef = bucket.node.defaultChild
      ? `<${logicalId(bucket)}.Arn>`
      : `arn:<AWS::Partition>:s3:::${bucket.bucketName}`;
    const objectAcks = (...zones: string[]) =>
      Object.fromEntries(
        zones.map((z) => [`AwsSolutions-IAM5[Resource::${bucketRef}/${z}*]`, prefixReason(z)]),
      );
    const objects = (...prefixes: string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
    const env = {
      [ENV.bucket]: bucket.bucketName,
      [ENV.prefix]: '',
      [ENV.memberRoleName]: memberRoleName,
      [ENV.reportTimeoutSeconds]: String(reportTimeoutSeconds),
      [ENV.glueDatabase]: DATABASE_NAME,
      ...(collection.externalId ? { [ENV.externalId]: collection.externalId } : {}),
      ...(collection.includeAccountIds
        ? { [ENV.includeAccounts]: collection.includeAccountIds.join(',') }
        : {}),
      ...(collection.excludeAccountIds
        ? { [ENV.excludeAccounts]: collection.excludeAccountIds.join(',') }
        : {}),
      ...(collection.includeOuIds ? { [ENV.includeOus]: collection.includeOuIds.join(',') } : {}),
      ...(lock
        ? {
            [ENV.evidenceLockMode]: lock.mode,
            [ENV.evidenceRetentionDays]: String(lock.days),
          }
        : {}),
      ...(collectPosture ? {} : { [ENV.collectPosture]: 'false' }),
    };
    const memberRoleArns = stack.formatArn({
      service: 'iam',
      region: '',
      account: '*',
      resource: 'role',
      resourceName: memberRoleName,
    });
    const lakeAccess = [
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['raw/*', 'curated/*'] } },
      }),
      new PolicyStatement({
        actions: [
          's3:GetObject',
          's3:PutObject',
          // Raw evidence is written with its Object Lock retention date.
          ...(lock ? ['s3:PutObjectRetention'] : []),
        ],
        resources: objects('raw/', 'curated/'),
      }),
      new PolicyStatement({ actions: ['glue:BatchCreatePartition'], resources: glue() }),
    ];

    this.plan = this.fn({
      id: 'Plan',
      entry: 'collector/handler.ts',
      handler: 'plan',
      environment: env,
      timeout: Duration.minutes(5),
      statements: [
        ...lakeAccess,
        new PolicyStatement({ actions: [...ORGANIZATIONS_READ_ACTIONS], resources: ['*'] }),
      ],
      acknowledgements: {
        ...objectAcks('raw/', 'curated/'),
        'AwsSolutions-IAM5[Resource::*]':
          'Organizations read actions and X-Ray writes take no resource-level permissions; roots and OUs are discovered at run time',
      },
    });

    this.collect = this.fn({
      id: 'CollectAccount',
      entry: 'collector/handler.ts',
      handler: 'collectAccount',
      environment: env,
      timeout: Duration.seconds(Math.min(900, reportTimeoutSeconds + 60)),
      statements: [
        ...lakeAccess,
        new PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [memberRoleArns],
          conditions: { StringEquals: { 'aws:ResourceOrgID': collection.organizationId } },
        }),
        new PolicyStatement({
          actions: [
            ...memberRoleActions(collectPosture),
            ...(collectPosture ? ['iam:ListOrganizationsFeatures'] : []),
          ],
          resources: ['*'],
        }),
      ],
      acknowledgements: {
        ...objectAcks('raw/', 'curated/'),
        [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleName}]`]:
          'The member role exists in every account of the organization; aws:ResourceOrgID confines the grant to this organization',
        'AwsSolutions-IAM5[Resource::*]':
          'The credential report actions (the tooling account reads its own report) and X-Ray writes take no resource-level permissions',
      },
      roleName: COLLECTOR_ROLE_NAME,
    });

    // Journals the failure of a collect invocation that ended in an error (its Lambda threw, timed
    // out or could not be invoked): it only writes that account's outcome under raw/runs/.
    this.recordFailure = this.fn({
      id: 'RecordFailure',
      entry: 'collector/handler.ts',
      handler: 'recordFailure',
      environment: env,
      timeout: Duration.minutes(1),
      // It reads the account's outcomes so far (a failure never replaces a better one), then
      // journals its own: list and read under the run records, write there.
      statements: [
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${RUNS_PREFIX}*`] } },
        }),
        new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: objects(RUNS_PREFIX) }),
      ],
      acknowledgements: {
        ...objectAcks(RUNS_PREFIX),
        'AwsSolutions-IAM5[Resource::*]': 'X-Ray writes take no resource-level permissions',
      },
    });

    this.finalize = this.fn({
      id: 'Finalize',
      entry: 'collector/handler.ts',
      handler: 'finalize',
      environment: { ...env, [ENV.topicArn]: props.topic.topicArn },
      timeout: Duration.minutes(5),
      statements: [
        ...lakeAccess,
        new PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }),
      ],
      acknowledgements: {
        ...objectAcks('raw/', 'curated/'),
        'AwsSolutions-IAM5[Resource::*]': 'X-Ray writes take no resource-level permissions',
      },
    });

    const workgroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: WORKGROUP_NAME,
    });
    this.exports = this.fn({
      id: 'Exports',
      entry: 'queries/handler.ts',
      handler: 'exportAll',
      environment: {
        [ENV.bucket]: bucket.bucketName,
        [ENV.prefix]: '',
        [ENV.glueDatabase]: DATABASE_NAME,
        [ENV.athenaWorkgroup]: WORKGROUP_NAME,
        [ENV.namedQueries]: JSON.stringify(props.namedQueryIds),
        [ENV.digest]: digest,
        ...(digest === 'off' ? {} : { [ENV.topicArn]: props.topic.topicArn }),
        ...(props.ownerTags ? { [ENV.ownerTags]: props.ownerTags.join(',') } : {}),
        ...(props.digestByOwner ? { [ENV.digestByOwner]: 'true' } : {}),
        ...(props.securityHub ? { [ENV.securityHub]: 'true' } : {}),
        ...(props.benchmark ? { [ENV.benchmark]: props.benchmark } : {}),
      },
      timeout: Duration.minutes(15),
      statements: [
        new PolicyStatement({
          actions: [
            'athena:StartQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:GetNamedQuery',
            'athena:GetWorkGroup',
          ],
          resources: [workgroupArn],
        }),
        new PolicyStatement({
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions'],
          resources: glue(),
        }),
        new PolicyStatement({
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resources: [bucket.bucketArn],
        }),
        new PolicyStatement({ actions: ['s3:GetObject'], resources: objects('curated/') }),
        // The lake's waivers file, read by every rollup, and the copy it keeps of what it applied.
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects(WAIVERS_FILE_KEY)],
        }),
        new PolicyStatement({ actions: ['s3:PutObject'], resources: objects(RAW_ZONES.waivers) }),
        new PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          resources: objects(ATHENA_RESULTS_PREFIX),
        }),
        new PolicyStatement({
          actions: ['s3:PutObject'],
          resources: objects('exports/', ...DERIVED_PREFIXES),
        }),
        ...(digest === 'off'
          ? []
          : [new PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] })]),
        // Findings into Security Hub: imports under the account's default product, workflow and
        // notes on the account's hub.
        ...(props.securityHub
          ? [
              new PolicyStatement({
                actions: ['securityhub:BatchImportFindings'],
                resources: [
                  stack.formatArn({
                    service: 'securityhub',
                    resource: 'product',
                    resourceName: `${stack.account}/default`,
                  }),
                ],
              }),
              new PolicyStatement({
                actions: ['securityhub:BatchUpdateFindings'],
                resources: [
                  stack.formatArn({ service: 'securityhub', resource: 'hub', resourceName: 'default' }),
                ],
              }),
            ]
          : []),
        // The derived tables' partitions, each registered once its file is written.
        new PolicyStatement({
          actions: ['glue:BatchCreatePartition'],
          resources: [
            ...glue().slice(0, 2),
            ...DERIVED_TABLES.map((t) =>
              stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${DATABASE_NAME}/${t}` }),
            ),
          ],
        }),
      ],
      acknowledgements: {
        ...objectAcks('curated/', ATHENA_RESULTS_PREFIX, 'exports/', RAW_ZONES.waivers, ...DERIVED_PREFIXES),
        'AwsSolutions-IAM5[Resource::*]': 'X-Ray writes take no resource-level permissions',
      },
    });
  }

  private fn({
    id,
    entry,
    handler,
    environment,
    timeout,
    statements,
    acknowledgements: acks,
    roleName,
  }: FunctionSpec): NodejsFunction {
    const { key } = this.props;
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: (this.props.logRetentionDays ?? DEFAULTS.logRetentionDays) as RetentionDays,
      encryptionKey: key,
    });
    const role = new Role(this, `${id}Role`, {
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
    const fn = new NodejsFunction(this, id, {
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
}
