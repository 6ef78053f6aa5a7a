// credlake's own cdk-nag rules: each one fails on a small stack that makes the deploy-time
// mistake it describes, passes on the corrected stack, and passes on the real app.
import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-organizations';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CredlakeChecks } from '../../infra/checks/credlake-checks.ts';
import { testApp } from '../helpers/cdk-app.ts';

const MANAGEMENT = '111111111111';
const TOOLING = '222222222222';

function findings(build: (stack: Stack) => void, account = TOOLING, userArns: string[] = []): string[] {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account, region: 'us-east-1' } });
  build(stack);
  const report = new CredlakeChecks({ managementAccountId: MANAGEMENT, userArns }).validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
  );
}

const admitLogs = (key: Key) =>
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal('logs.us-east-1.amazonaws.com')],
      actions: ['kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:Decrypt*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:222222222222:log-group:*' },
      },
    }),
  );

describe('Credlake-LogGroupKey', () => {
  it('fails a log group encrypted with a key whose policy has only the account root', () => {
    const found = findings((s) => new LogGroup(s, 'Logs', { encryptionKey: new Key(s, 'Key') }));
    expect(found).toContain('Credlake-LogGroupKey Test/Logs/Resource');
  });

  it('passes once the key policy admits CloudWatch Logs with the log-group encryption context', () => {
    const found = findings((s) => {
      const key = new Key(s, 'Key');
      admitLogs(key);
      new LogGroup(s, 'Logs', { encryptionKey: key });
    });
    expect(found.filter((f) => f.includes('LogGroupKey'))).toEqual([]);
  });

  it('does not accept a logs statement without the encryption-context condition', () => {
    const found = findings((s) => {
      const key = new Key(s, 'Key');
      key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('logs.us-east-1.amazonaws.com')],
          actions: ['kms:Encrypt*', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
      new LogGroup(s, 'Logs', { encryptionKey: key });
    });
    expect(found).toContain('Credlake-LogGroupKey Test/Logs/Resource');
  });
});

describe('Credlake-OrgPolicyAccount', () => {
  const policy = (s: Stack) =>
    new CfnResourcePolicy(s, 'OrgPolicy', {
      content: { Version: '2012-10-17', Statement: [] },
    });

  it('fails an Organizations resource policy in a stack for another account', () => {
    expect(findings(policy, TOOLING)).toContain('Credlake-OrgPolicyAccount Test/OrgPolicy');
  });

  it('fails it in an environment-agnostic stack, and passes it in the management account', () => {
    const app = new App();
    const agnostic = new Stack(app, 'Agnostic');
    policy(agnostic);
    const report = new CredlakeChecks({ managementAccountId: MANAGEMENT }).validateScope(agnostic);
    expect(report.violations.map((v) => v.ruleName)).toContain('Credlake-OrgPolicyAccount');
    expect(findings(policy, MANAGEMENT).filter((f) => f.includes('OrgPolicyAccount'))).toEqual([]);
  });
});

describe('Credlake-Partition', () => {
  it('fails an ARN with a literal partition, and passes one built from the stack', () => {
    const literal = findings((s) =>
      new Topic(s, 'Topic').addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: ['arn:aws:sns:us-east-1:222222222222:other'],
        }),
      ),
    );
    expect(literal).toContain('Credlake-Partition Test/Topic/Policy/Resource');
    const built = findings((s) =>
      new Topic(s, 'Topic').addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [s.formatArn({ service: 'sns', resource: 'other' })],
        }),
      ),
    );
    expect(built.filter((f) => f.includes('Partition'))).toEqual([]);
  });

  it('fails a GovCloud literal too, and exempts an ARN the user gave in the settings', () => {
    const gov = 'arn:aws-us-gov:kms:us-gov-west-1:222222222222:key/abc';
    const withKey = (s: Stack) => new Bucket(s, 'Bucket', { encryptionKey: Key.fromKeyArn(s, 'K', gov) });
    expect(findings(withKey)).toContain('Credlake-Partition Test/Bucket/Resource');
    expect(findings(withKey, TOOLING, [gov]).filter((f) => f.includes('Partition'))).toEqual([]);
  });
});

describe('Credlake-NamedRetained', () => {
  it('fails a named resource retained on destroy; passes it unnamed, or named and deleted', () => {
    expect(
      findings(
        (s) => new LogGroup(s, 'Logs', { logGroupName: '/fixed', removalPolicy: RemovalPolicy.RETAIN }),
      ),
    ).toContain('Credlake-NamedRetained Test/Logs/Resource');
    expect(
      findings(
        (s) => new Bucket(s, 'Bucket', { bucketName: 'fixed-name', removalPolicy: RemovalPolicy.RETAIN }),
      ),
    ).toContain('Credlake-NamedRetained Test/Bucket/Resource');
    const fine = findings((s) => {
      new LogGroup(s, 'Unnamed', { removalPolicy: RemovalPolicy.RETAIN });
      new LogGroup(s, 'Deleted', { logGroupName: '/fixed', removalPolicy: RemovalPolicy.DESTROY });
    });
    expect(fine.filter((f) => f.includes('NamedRetained'))).toEqual([]);
  });
});

describe('the credlake app', () => {
  it('passes its own rule pack in every deployment mode', () => {
    for (const context of [
      {},
      { deployFrom: 'management' },
      { toolingAccountId: MANAGEMENT },
      { encryption: 's3-managed', bucketName: 'my-existing-lake' },
    ]) {
      const built = testApp(context);
      const checks = new CredlakeChecks({ managementAccountId: MANAGEMENT });
      for (const stack of [built.pipeline, built.memberAccess, built.management]) {
        expect(
          checks.validateScope(stack).violations,
          `${stack.stackName} ${JSON.stringify(context)}`,
        ).toEqual([]);
      }
    }
  });
});

describe('acknowledgements', () => {
  it('each one suppresses a finding that exists: none is stale', () => {
    const quicksight = JSON.stringify({
      enabled: true,
      principalArn: 'arn:aws:quicksight:us-east-1:222222222222:user/default/analyst',
    });
    for (const context of [{ quicksight }, { encryption: 's3-managed', bucketName: 'my-existing-lake' }]) {
      const built = testApp(context);
      const stacks = [
        built.pipeline,
        built.memberAccess,
        built.management,
        ...(built.quicksight ? [built.quicksight] : []),
      ];
      // Every finding the packs would report with no acknowledgement in place.
      const raw = new Map<string, string[]>();
      for (const pack of [
        new AwsSolutionsChecks(),
        new CredlakeChecks({ managementAccountId: MANAGEMENT }),
      ]) {
        (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
        for (const stack of stacks)
          for (const v of pack.validateScope(stack).violations)
            raw.set(v.ruleName, [
              ...(raw.get(v.ruleName) ?? []),
              ...v.violatingResources.map((r) => r.constructPath ?? ''),
            ]);
      }
      const stale: string[] = [];
      for (const stack of stacks) {
        for (const construct of stack.node.findAll()) {
          for (const entry of construct.node.metadata) {
            if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
            for (const key of Object.keys(entry.data as object)) {
              const id = key.replace(/^annotation::/i, '');
              // Only the packs' own rules (CDK acknowledges some cfn-lint rules itself).
              if (!/^(AwsSolutions|Credlake)-/.test(id)) continue;
              const paths = raw.get(id) ?? [];
              if (!paths.some((p) => p === construct.node.path || p.startsWith(`${construct.node.path}/`)))
                stale.push(`${construct.node.path}: ${id}`);
            }
          }
        }
      }
      expect(stale, JSON.stringify(context)).toEqual([]);
    }
  });
});

describe('Credlake-ServicePrincipalScoped', () => {
  it("fails a topic that CDK's SnsTopic rule target opens to every EventBridge rule", async () => {
    const { Rule, Schedule } = await import('aws-cdk-lib/aws-events');
    const { SnsTopic } = await import('aws-cdk-lib/aws-events-targets');
    const found = findings((s) => {
      const topic = new Topic(s, 'Topic');
      new Rule(s, 'Rule', { schedule: Schedule.rate(Duration.hours(1)), targets: [new SnsTopic(topic)] });
    });
    expect(found).toContain('Credlake-ServicePrincipalScoped Test/Topic/Policy/Resource');
  });

  it('passes a statement scoped by aws:SourceArn, and a key statement scoped by the log group', () => {
    const found = findings((s) => {
      const topic = new Topic(s, 'Topic');
      topic.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:us-east-1:222222222222:rule/r' } },
        }),
      );
      admitLogs(new Key(s, 'Key'));
    });
    expect(found.filter((f) => f.includes('ServicePrincipalScoped'))).toEqual([]);
  });

  it('passes the real app', () => {
    const built = testApp();
    const found = [built.pipeline, built.management, built.memberAccess].flatMap((stack) =>
      new CredlakeChecks({ managementAccountId: MANAGEMENT })
        .validateScope(stack)
        .violations.filter((v) => v.ruleName.includes('ServicePrincipalScoped')),
    );
    expect(found).toEqual([]);
  });
});
