// The five functions of the pipeline as specs: what each runs, for how long, and exactly what it
// may call on exactly which resources (infra/least-privilege-function.ts builds them).
import { Duration, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ENV } from '../common/env-names.ts';
import { curatedPrefix, RAW_ZONES, RUNS_ZONE as RUNS_PREFIX, WAIVERS_FILE_KEY } from '../lake/keys.ts';
import { TABLES } from '../transforms/schema.ts';
import { DATABASE_NAME, WORKGROUP_NAME } from './athena-glue.ts';
import type { FunctionsProps } from './functions.ts';
import type { FunctionSpec } from './least-privilege-function.ts';
import { ORGANIZATIONS_READ_ACTIONS } from './management-stack.ts';
import { COLLECTOR_ROLE_NAME, memberRoleActions } from './member-role.ts';
import { logicalId } from './nag.ts';
import { DEFAULTS } from './settings.ts';
import { ATHENA_RESULTS_PREFIX } from './storage.ts';

/** The exports step writes the day's derived tables, and nothing else of the curated zone. */
const DERIVED_TABLES = ['findings', 'findings_daily', 'waivers'] as const;
const DERIVED_PREFIXES = DERIVED_TABLES.map((t) => curatedPrefix(t));
/** The derived tables Athena writes (UNLOAD), whose partitions each run replaces whole. */
const UNLOADED_PREFIXES = (['findings', 'findings_daily'] as const).map((t) => curatedPrefix(t));

/** What the specs share: the defaults applied, the lake's grants and the collector's environment. */
interface Shared {
  readonly stack: Stack;
  readonly props: FunctionsProps;
  readonly memberRoleName: string;
  readonly reportTimeoutSeconds: number;
  readonly collectPosture: boolean;
  readonly digest: NonNullable<FunctionsProps['digest']>;
  readonly glue: () => string[];
  readonly objectAcks: (...zones: string[]) => Record<string, string>;
  readonly objects: (...prefixes: string[]) => string[];
  readonly env: Record<string, string>;
  readonly lakeAccess: PolicyStatement[];
}

export interface PipelineFunctionSpecs {
  readonly plan: FunctionSpec;
  readonly collect: FunctionSpec;
  readonly recordFailure: FunctionSpec;
  readonly finalize: FunctionSpec;
  readonly exports: FunctionSpec;
}

export function pipelineFunctionSpecs(stack: Stack, props: FunctionsProps): PipelineFunctionSpecs {
  const c = shared(stack, props);
  return {
    plan: planSpec(c),
    collect: collectSpec(c),
    recordFailure: recordFailureSpec(c),
    finalize: finalizeSpec(c),
    exports: exportsSpec(c),
  };
}

function shared(stack: Stack, props: FunctionsProps): Shared {
  const { bucket, collection, evidenceRetention: lock } = props;
  const memberRoleName = collection.memberRoleName ?? DEFAULTS.memberRoleName;
  const reportTimeoutSeconds = collection.reportTimeoutSeconds ?? DEFAULTS.reportTimeoutSeconds;
  const collectPosture = collection.collectPosture ?? DEFAULTS.collectPosture;
  const digest = props.digest ?? DEFAULTS.digest;

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
  return {
    stack,
    props,
    memberRoleName,
    reportTimeoutSeconds,
    collectPosture,
    digest,
    glue,
    objectAcks,
    objects,
    env,
    lakeAccess,
  };
}

function planSpec({ env, lakeAccess, objectAcks, collectPosture }: Shared): FunctionSpec {
  return {
    id: 'Plan',
    entry: 'collector/handler.ts',
    handler: 'plan',
    environment: env,
    timeout: Duration.minutes(5),
    statements: [
      ...lakeAccess,
      new PolicyStatement({
        actions: [
          ...ORGANIZATIONS_READ_ACTIONS,
          // Whether root credentials are managed centrally, read once per run for every account.
          ...(collectPosture ? ['iam:ListOrganizationsFeatures'] : []),
        ],
        resources: ['*'],
      }),
    ],
    acknowledgements: {
      ...objectAcks('raw/', 'curated/'),
      'AwsSolutions-IAM5[Resource::*]':
        "Organizations read actions, IAM's ListOrganizationsFeatures and X-Ray writes take no resource-level permissions; roots and OUs are discovered at run time",
    },
  };
}

function collectSpec({
  stack,
  props,
  env,
  lakeAccess,
  objectAcks,
  memberRoleName,
  reportTimeoutSeconds,
  collectPosture,
}: Shared): FunctionSpec {
  const { collection } = props;
  const memberRoleArns = stack.formatArn({
    service: 'iam',
    region: '',
    account: '*',
    resource: 'role',
    resourceName: memberRoleName,
  });
  return {
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
      new PolicyStatement({ actions: memberRoleActions(collectPosture), resources: ['*'] }),
    ],
    acknowledgements: {
      ...objectAcks('raw/', 'curated/'),
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleName}]`]:
        'The member role exists in every account of the organization; aws:ResourceOrgID confines the grant to this organization',
      'AwsSolutions-IAM5[Resource::*]':
        'The credential report actions (the tooling account reads its own report) and X-Ray writes take no resource-level permissions',
    },
    roleName: COLLECTOR_ROLE_NAME,
  };
}

// Journals the failure of a collect invocation that ended in an error (its Lambda threw, timed
// out or could not be invoked): it only writes that account's outcome under raw/runs/.
function recordFailureSpec({ props, env, objects, objectAcks }: Shared): FunctionSpec {
  const { bucket } = props;
  return {
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
  };
}

function finalizeSpec({ props, env, lakeAccess, objectAcks }: Shared): FunctionSpec {
  return {
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
  };
}

function exportsSpec({ stack, props, digest, glue, objects, objectAcks }: Shared): FunctionSpec {
  const { bucket } = props;
  const workgroupArn = stack.formatArn({
    service: 'athena',
    resource: 'workgroup',
    resourceName: WORKGROUP_NAME,
  });
  return {
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
      // Athena writes findings and the rollup through UNLOAD into a fresh folder of the results;
      // the function copies them into the partition and removes an earlier run's files there.
      new PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: objects(...UNLOADED_PREFIXES),
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
  };
}
