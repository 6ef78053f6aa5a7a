import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_ROLE_NAME } from '../../infra/member-role.ts';
import { DEFAULTS, SettingsError } from '../../infra/settings.ts';
import { glueColumns } from '../../lake/glue-table.ts';
import { CATALOG } from '../../queries/catalog.ts';
import { TABLES } from '../../transforms/schema.ts';
import { testApp } from '../helpers/cdk-app.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
type Resource = { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> };

/** An ARN as CloudFormation builds it in the stack's own partition. */
const partitioned = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${rest}`]] });

describe('the CDK app', () => {
  let pipeline: Template;
  let access: Template;
  let management: Template;
  beforeAll(() => {
    const built = testApp({ externalId: 'ext-42', notificationEmail: 'secops@example.com' });
    built.app.synth(); // cdk-nag AwsSolutions runs here: any unacknowledged finding throws
    pipeline = Template.fromStack(built.pipeline);
    access = Template.fromStack(built.memberAccess);
    management = Template.fromStack(built.management);
  }, 120_000);

  const policyOf = (template: Template, roleName: string): Statement[] => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } });
    const roleId = Object.keys(roles)[0];
    const policies = template.findResources('AWS::IAM::Policy');
    return Object.values(policies)
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
  };

  it('encrypts the data bucket with the KMS key, blocks public access, versions it and requires TLS', () => {
    pipeline.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            BucketKeyEnabled: true,
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'raw-evidence', Prefix: 'raw/', ExpirationInDays: 2555 }),
        ]),
      },
    });
    pipeline.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    pipeline.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('gives the member role only the read-only report and posture actions, trusted only by the collector role in the org', () => {
    for (const template of [management]) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: 'CredlakeMemberRole',
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { AWS: partitioned('iam::222222222222:root') },
              Condition: {
                ArnEquals: {
                  'aws:PrincipalArn': partitioned(`iam::222222222222:role/${COLLECTOR_ROLE_NAME}`),
                },
                StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1', 'sts:ExternalId': 'ext-42' },
              },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'CredentialReport',
            PolicyDocument: {
              Statement: [
                {
                  Action: [
                    'iam:GenerateCredentialReport',
                    'iam:GetCredentialReport',
                    'iam:GetAccountSummary',
                    'iam:GetAccountPasswordPolicy',
                    'iam:ListVirtualMFADevices',
                    'iam:GetAccountAuthorizationDetails',
                  ],
                  Effect: 'Allow',
                  Resource: '*',
                },
              ],
            },
          },
        ],
      });
      expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toEqual([]);
    }
  });

  it('deploys the member role org-wide with a service-managed, auto-deploying StackSet', () => {
    access.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      OperationPreferences: { FailureTolerancePercentage: 10, MaxConcurrentPercentage: 25 },
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['r-exam'] }, Regions: ['us-east-1'] },
      ],
    });
    const body = JSON.parse(
      Object.values(access.findResources('AWS::CloudFormation::StackSet'))[0].Properties.TemplateBody,
    );
    expect(Object.values(body.Resources).map((r) => (r as { Type: string }).Type)).toEqual([
      'AWS::IAM::Role',
    ]);
    access.resourceCountIs('AWS::Organizations::ResourcePolicy', 0);
  });

  it('puts the Organizations resource policy in the management stack, granting exactly the calls the plan makes', () => {
    const policies = Object.values(management.findResources('AWS::Organizations::ResourcePolicy'));
    expect(policies).toHaveLength(1);
    const [statement] = policies[0].Properties.Content.Statement;
    expect(statement.Action).toEqual([
      'organizations:DescribeOrganization',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListAccountsForParent',
      'organizations:ListTagsForResource',
    ]);
    expect(statement.Principal).toEqual({ AWS: partitioned('iam::222222222222:root') });
    // Every Organizations call the code makes is granted, and nothing else, but ListAccounts: only
    // a local run asks it (test/collector/run-steps.test.ts holds the plan never does).
    const source = readFileSync(
      join(import.meta.dirname, '..', '..', 'collector', 'aws', 'org-api.ts'),
      'utf8',
    );
    const called = [...source.matchAll(/new (\w+)Command\(/g)]
      .map((m) => `organizations:${m[1]}`)
      .filter((action) => action !== 'organizations:ListAccounts')
      .sort();
    expect([...statement.Action].sort()).toEqual(called);
  });

  it('admits CloudWatch Logs and the alert publishers in the key policy, scoped by encryption context and account', () => {
    const key = Object.values(pipeline.findResources('AWS::KMS::Key'))[0];
    const statements = key.Properties.KeyPolicy.Statement as Statement[];
    const logs = statements.find((s) => JSON.stringify(s).includes('logs.us-east-1'));
    expect(logs).toMatchObject({
      Effect: 'Allow',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
    });
    const alerts = statements.find((s) => JSON.stringify(s).includes('events.amazonaws.com'));
    expect(JSON.stringify(alerts)).toContain('cloudwatch.amazonaws.com');
    expect(alerts?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '222222222222' } });
    // Every log group is encrypted with that key.
    for (const group of Object.values(pipeline.findResources('AWS::Logs::LogGroup')))
      expect(group.Properties.KmsKeyId).toBeDefined();
  });

  it('names no retained resource, so a destroy and a new deploy never collide', () => {
    for (const template of [pipeline, access, management]) {
      for (const [id, r] of Object.entries(template.toJSON().Resources as Record<string, Resource>)) {
        if (r.DeletionPolicy !== 'Retain') continue;
        const nameKey = `${r.Type.split('::').pop()}Name`;
        expect(r.Properties?.[nameKey], `${id} is retained and named`).toBeUndefined();
      }
    }
  });

  it('alerts on a failed, timed-out or aborted run, and keeps failed schedule starts in a dead-letter queue', () => {
    pipeline.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.states'],
        detail: Match.objectLike({ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }),
      }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('RunSummary') } })],
    });
    pipeline.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
      }),
    });
    pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('RunSummary') }],
    });
  });

  it('retries throttled and failed Lambda invocations, and keeps the item when a collect step fails', () => {
    const machine = Object.values(pipeline.findResources('AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('Lambda.TooManyRequestsException');
    expect(definition).toContain('\\"ResultPath\\":\\"$.error\\"');
    expect(definition).not.toContain('$$.Map.Item.Value.accountId');
    expect(definition).toContain('\\"ItemReader\\"');
  });

  it('grants the collector role AssumeRole on the member role within the org, and nothing broader', () => {
    const statements = policyOf(pipeline, COLLECTOR_ROLE_NAME);
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        'glue:BatchCreatePartition',
        'iam:GenerateCredentialReport',
        'iam:GetAccountAuthorizationDetails',
        'iam:GetAccountPasswordPolicy',
        'iam:GetAccountSummary',
        'iam:GetCredentialReport',
        'iam:ListVirtualMFADevices',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        's3:PutObjectRetention',
        'sts:AssumeRole',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    expect(statements.find((s) => s.Action === 'sts:AssumeRole')).toMatchObject({
      Resource: partitioned('iam::*:role/CredlakeMemberRole'),
      Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-exampleorg1' } },
    });
    for (const s of statements) expect(JSON.stringify(s.Action)).not.toMatch(/\*"/);
  });

  it('declares Glue tables whose columns equal transforms/schema.ts, partitioned by string keys, with partition filtering', () => {
    for (const table of Object.values(TABLES)) {
      pipeline.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: table.name,
          Parameters: Match.objectLike({ 'partition_filtering.enabled': 'true' }),
          PartitionKeys: table.partitionKeys.map((k) => ({
            Name: k.name,
            Type: 'string',
            Comment: k.description,
          })),
          StorageDescriptor: Match.objectLike({
            Columns: glueColumns(table).map((c) => ({ Name: c.Name, Type: c.Type, Comment: c.Comment })),
            SerdeInfo: {
              SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
              Parameters: { 'serialization.format': '1' },
            },
          }),
        }),
      });
    }
    pipeline.resourcePropertiesCountIs(
      'Custom::AWS',
      { Create: Match.stringLikeRegexp('createPartitionIndex') },
      Object.keys(TABLES).length,
    );
  });

  it("keeps every column comment within Glue's 255 characters (longer ones fail the deployment)", () => {
    const long = Object.values(TABLES)
      .flatMap((t) => [
        ...glueColumns(t),
        ...t.partitionKeys.map((k) => ({ Name: k.name, Comment: k.description })),
      ])
      .filter((c) => c.Comment.length > 255)
      .map((c) => `${c.Name} (${c.Comment.length})`);
    expect(long).toEqual([]);
  });

  it('creates one Athena named query per catalog entry and an enforced, encrypted, capped workgroup', () => {
    const named = pipeline.findResources('AWS::Athena::NamedQuery');
    expect(
      Object.values(named)
        .map((q) => q.Properties.Name)
        .sort(),
    ).toEqual(CATALOG.map((q) => q.name).sort());
    // The default benchmark, CIS v5.0: its values are the .sql files' own.
    const unused = Object.values(named).find((q) => q.Properties.Name === 'unused_credentials')!;
    expect(unused.Properties.QueryString).toContain('45 AS unused_credential_days');
    pipeline.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10240 * 1024 * 1024,
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
        }),
      }),
    });
  });

  it('runs a Distributed Map with the configured concurrency and tolerated failures, on a daily schedule', () => {
    const machine = Object.values(pipeline.findResources('AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"MaxConcurrency\\":20');
    expect(definition).toContain('\\"ToleratedFailurePercentage\\":100');
    expect(definition).toContain('\\"Mode\\":\\"DISTRIBUTED\\"');
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.Properties.LoggingConfiguration.Level).toBe('ALL');
    pipeline.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 5 * * ? *)' });
    pipeline.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'secops@example.com',
    });
    pipeline.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
    });
  });
});

describe('settings', () => {
  it('fail synth with what was wrong and what was expected', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ organizationId: undefined }, /setting organizationId is missing: expected an organization id/],
      [
        { organizationId: 'org-1' },
        /setting organizationId is invalid: got "org-1", expected an organization id/,
      ],
      [
        { managementAccountId: '123' },
        /managementAccountId is invalid: got "123", expected a 12-digit account id/,
      ],
      [{ scheduleHourUtc: 24 }, /scheduleHourUtc is invalid: got "24", expected a whole number from 0 to 23/],
      [{ encryption: 'kms-existing' }, /kmsKeyArn is invalid/],
      [{ logRetentionDays: 100 }, /one of CloudWatch's retention values/],
      [{ memberOuIds: 'Workloads' }, /memberOuIds is invalid/],
      [{ quicksight: '{"enabled":true}' }, /quicksight.principalArn is invalid/],
    ];
    for (const [context, message] of cases) {
      let caught: unknown;
      try {
        testApp(context);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(context)).toBeInstanceOf(SettingsError);
      expect(String(caught)).toMatch(message);
    }
  });

  it('deploy S3-managed encryption and an existing bucket without a KMS key', () => {
    const built = testApp({ encryption: 's3-managed', bucketName: 'my-existing-lake' });
    built.app.synth();
    const t = Template.fromStack(built.pipeline);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: {
          OutputLocation: 's3://my-existing-lake/athena-results/',
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      }),
    });
  });
});

describe('account filters and the benchmark', () => {
  let t: Template;
  beforeAll(() => {
    const built = testApp({
      includeOuIds: 'ou-ab12-cdef3456',
      excludeAccountIds: '333333333333, 444444444444',
      benchmark: 'security-hub',
    });
    t = Template.fromStack(built.pipeline);
  }, 60_000);
  const fn = (prefix: string) =>
    Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))![1];
  const namedQuery = (template: Template, name: string): string =>
    Object.values(template.findResources('AWS::Athena::NamedQuery')).find((q) => q.Properties.Name === name)!
      .Properties.QueryString;

  it("write the benchmark's values into the named queries and tell the exports function, refusing an unknown one", () => {
    expect(namedQuery(t, 'unused_credentials')).toContain('90 AS unused_credential_days');
    expect(namedQuery(t, 'root_account_findings')).toContain('true AS root_mfa_without_password');
    expect(fn('FunctionsExports').Properties.Environment.Variables).toMatchObject({
      CREDLAKE_BENCHMARK: 'security-hub',
    });
    expect(() => testApp({ benchmark: 'cis-2.0' })).toThrow(/setting benchmark is invalid: got "cis-2.0"/);
  });

  it('reach the plan function as the environment it reads, and are validated at synth', () => {
    const plan = fn('FunctionsPlan');
    expect(plan.Properties.Environment.Variables).toMatchObject({
      CREDLAKE_INCLUDE_OUS: 'ou-ab12-cdef3456',
      CREDLAKE_EXCLUDE_ACCOUNTS: '333333333333,444444444444',
    });
    expect(() => testApp({ excludeAccountIds: '12345' })).toThrow(
      /setting excludeAccountIds is invalid: got "12345", expected 12-digit account ids/,
    );
  });
});

describe('evidence an auditor can trust', () => {
  let pipeline: Template;
  beforeAll(() => {
    pipeline = Template.fromStack(testApp({ evidenceLock: 'compliance', rawRetentionDays: 2555 }).pipeline);
  }, 60_000);

  it('creates the bucket with Object Lock and has the collector write raw evidence with its retention', () => {
    pipeline.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const collect = Object.entries(pipeline.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('FunctionsCollectAccount'),
    )![1];
    expect(collect.Properties.Environment.Variables).toMatchObject({
      CREDLAKE_EVIDENCE_LOCK_MODE: 'COMPLIANCE',
      CREDLAKE_EVIDENCE_RETENTION_DAYS: '2555',
    });
  });

  it('lets only the collector role put objects into the evidence zones', () => {
    const deny = Object.values(pipeline.findResources('AWS::S3::BucketPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .find((s) => s.Sid === 'OnlyTheCollectorWritesEvidence')!;
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject' });
    const text = JSON.stringify(deny);
    for (const zone of ['raw/credential_report/*', 'raw/quarantine/*', 'raw/posture/*'])
      expect(text).toContain(zone);
    expect(text).toContain(`:role/${COLLECTOR_ROLE_NAME}`);
    expect(Object.keys(deny.Condition as object)).toEqual(['ArnNotEquals']);
  });

  it('gives every zone of the lake a lifecycle: its days, then a day as a noncurrent version, none outliving the raw evidence', () => {
    const bucket = Object.values(pipeline.findResources('AWS::S3::Bucket')).find(
      (b) => b.Properties.ObjectLockEnabled,
    )!;
    const rules = bucket.Properties.LifecycleConfiguration.Rules as {
      Id: string;
      Prefix?: string;
      ExpirationInDays?: number;
      ExpiredObjectDeleteMarker?: boolean;
      NoncurrentVersionExpiration?: { NoncurrentDays: number };
    }[];
    const byPrefix = Object.fromEntries(rules.filter((r) => r.Prefix).map((r) => [r.Prefix, r]));
    expect(Object.keys(byPrefix).sort()).toEqual(
      ['athena-results/', 'curated/', 'exports/', 'locks/', 'raw/', 'reports/'].sort(),
    );
    const lastDay = (prefix: string) =>
      (byPrefix[prefix].ExpirationInDays ?? 0) +
      (byPrefix[prefix].NoncurrentVersionExpiration?.NoncurrentDays ?? 0);
    expect(byPrefix['raw/']).toMatchObject({
      ExpirationInDays: DEFAULTS.rawRetentionDays,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
    for (const prefix of ['curated/', 'exports/', 'reports/'])
      expect(lastDay(prefix)).toBeLessThanOrEqual(lastDay('raw/'));
    // The delete marker an expiration leaves is removed once its version is gone, in every zone.
    expect(rules.filter((r) => r.ExpiredObjectDeleteMarker && !r.Prefix)).toHaveLength(1);
    expect(() => testApp({ rawRetentionDays: 100, exportsRetentionDays: 365 })).toThrow(
      /exportsRetentionDays is invalid: got 365, expected at most rawRetentionDays \(100\)/,
    );
  });

  it('with posture collection off, gives the member role exactly the two report actions', () => {
    const built = testApp({ collectPosture: false });
    built.app.synth();
    const role = Object.values(Template.fromStack(built.management).findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.Policies[0].PolicyDocument.Statement[0].Action).toEqual([
      'iam:GenerateCredentialReport',
      'iam:GetCredentialReport',
    ]);
    const body = JSON.parse(
      Object.values(Template.fromStack(built.memberAccess).findResources('AWS::CloudFormation::StackSet'))[0]
        .Properties.TemplateBody,
    );
    type RoleProperties = { Policies: { PolicyDocument: { Statement: { Action: string[] }[] } }[] };
    const stackSetRole = Object.values(body.Resources as Record<string, { Properties: RoleProperties }>)[0];
    expect(stackSetRole.Properties.Policies[0].PolicyDocument.Statement[0].Action).toEqual([
      'iam:GenerateCredentialReport',
      'iam:GetCredentialReport',
    ]);
  });
});

describe('a settings change that would replace the lake bucket', () => {
  const lookupKey = () => {
    const assembly = testApp().app.synth();
    const missing = assembly.manifest.missing ?? [];
    const lookup = missing.find((m) => m.provider === 'ssm');
    expect(lookup?.props).toMatchObject({ parameterName: '/credlake/evidence-lock' });
    return lookup!.key;
  };

  it('is refused at synth with one line when the deployed bucket was created with the other lock', () => {
    const key = lookupKey();
    // As cdk.context.json holds the lookup once synth has read the deployed stack's parameter.
    expect(() => testApp({ [key]: 'off' })).toThrow(SettingsError);
    expect(() => testApp({ [key]: 'off' })).toThrow(
      /setting evidenceLock is invalid: got "governance", but the deployed lake bucket was created with "off"/,
    );
    expect(() => testApp({ [key]: 'governance', evidenceLock: 'off' })).toThrow(/would replace the bucket/);
  });

  it('is allowed between lock modes, before the first deploy, and with the lookup turned off', () => {
    const key = lookupKey();
    expect(() => testApp({ [key]: 'governance', evidenceLock: 'compliance' })).not.toThrow();
    expect(() => testApp({ [key]: 'not-deployed', evidenceLock: 'off' })).not.toThrow();
    expect(() => testApp({ [key]: 'off', lookupDeployedStack: false })).not.toThrow();
    const unchecked = testApp({ lookupDeployedStack: false }).app.synth();
    expect(unchecked.manifest.missing ?? []).toEqual([]);
  });

  it('records the lock the bucket was created with in the parameter synth reads', () => {
    Template.fromStack(testApp({ evidenceLock: 'compliance' }).pipeline).hasResourceProperties(
      'AWS::SSM::Parameter',
      { Name: '/credlake/evidence-lock', Value: 'compliance' },
    );
  });
});

describe('synth that cannot read the deployed stack', () => {
  it('says how to synthesize offline', () => {
    const assembly = testApp().app.synth();
    const key = (assembly.manifest.missing ?? []).find((m) => m.provider === 'ssm')!.key;
    // What the CDK CLI puts in the context when a lookup fails.
    const failed = testApp({ [key]: { $providerError: 'no credentials', $dontSaveContext: true } });
    const errors = failed.app
      .synth()
      .getStackByName('CredlakePipeline')
      .messages.filter((m) => m.level === 'error')
      .map((m) => String(m.entry.data));
    expect(errors.join('\n')).toContain('pass -c lookupDeployedStack=false to synthesize offline');
  });
});
