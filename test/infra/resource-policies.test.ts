// The synthesized resource policies, decided by an IAM engine we did not write: the services
// that publish to the alerts topic (the EventBridge rule and the CloudWatch alarm, nobody else),
// and who may write what `credlake verify` trusts (the pipeline's writers, never an
// administrator of the tooling account).
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/cdk-app.ts';
import { buildIamWorld, resolvedProperties, serviceMay } from '../helpers/iam-world.ts';

const ACCOUNT = '222222222222';
const template = Template.fromStack(testApp().pipeline).toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};
const topicPolicyId = Object.keys(template.Resources).find(
  (id) => template.Resources[id].Type === 'AWS::SNS::TopicPolicy',
)!;
const topicPolicy = resolvedProperties(template, topicPolicyId, ACCOUNT, 'credlake-data').PolicyDocument;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:credlake-run-summary`;
const alarm = (account: string) => `arn:aws:cloudwatch:us-east-1:${account}:alarm:credlake-schedule-failed`;

describe('who may publish to the alerts topic', () => {
  it("admits the schedule's CloudWatch alarm, which announces that a run could not start", async () => {
    expect(
      await serviceMay('cloudwatch.amazonaws.com', 'sns:Publish', TOPIC, topicPolicy, ACCOUNT, {
        'aws:SourceArn': alarm(ACCOUNT),
        'aws:SourceAccount': ACCOUNT,
      }),
    ).toBe('Allowed');
  });

  it('admits the EventBridge rule that announces a failed run, and no other rule', async () => {
    const ruleId = Object.keys(template.Resources).find(
      (id) => template.Resources[id].Type === 'AWS::Events::Rule',
    )!;
    const rule = (name: string, account = ACCOUNT) => `arn:aws:events:us-east-1:${account}:rule/${name}`;
    expect(
      await serviceMay('events.amazonaws.com', 'sns:Publish', TOPIC, topicPolicy, ACCOUNT, {
        'aws:SourceArn': rule(ruleId),
        'aws:SourceAccount': ACCOUNT,
      }),
    ).toBe('Allowed');
    // Another rule, in this account or any other, may not: CDK's own target would have let it.
    for (const [name, account] of [
      ['someone-elses-rule', ACCOUNT],
      [ruleId, '999999999999'],
    ])
      expect(
        await serviceMay('events.amazonaws.com', 'sns:Publish', TOPIC, topicPolicy, ACCOUNT, {
          'aws:SourceArn': rule(name, account),
          'aws:SourceAccount': account,
        }),
      ).not.toBe('Allowed');
  });

  it("refuses another account's alarm and plain HTTP", async () => {
    expect(
      await serviceMay('cloudwatch.amazonaws.com', 'sns:Publish', TOPIC, topicPolicy, ACCOUNT, {
        'aws:SourceArn': alarm('999999999999'),
        'aws:SourceAccount': '999999999999',
      }),
    ).not.toBe('Allowed');
    expect(
      await serviceMay('events.amazonaws.com', 'sns:Publish', TOPIC, topicPolicy, ACCOUNT, {
        'aws:SecureTransport': 'false',
      }),
    ).toBe('ExplicitlyDenied');
  });
});

describe('who may write what credlake verify trusts', () => {
  const BUCKET = 'credlake-data';
  const world = buildIamWorld(template, ACCOUNT, BUCKET);
  const fn = (prefix: string) =>
    Object.keys(template.Resources).find(
      (id) => id.startsWith(`Functions${prefix}`) && template.Resources[id].Type === 'AWS::Lambda::Function',
    )!;
  const put = (key: string) => ({ action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/${key}` });
  const admin = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
  const zones = {
    report:
      'raw/credential_report/dt=2026-12-01/account_id=111111111111/generated_at=2026-12-01T05-00-00Z.csv',
    posture: 'raw/posture/dt=2026-12-01/account_id=111111111111/posture.json',
    organization: 'raw/accounts/dt=2026-12-01/accounts.json',
    outcome: 'raw/runs/dt=2026-12-01/outcomes/account_id=111111111111/run_id=r.json',
    manifest: 'raw/runs/dt=2026-12-01/run_id=r/manifest.json',
  };

  it('refuses an administrator of the tooling account every evidence zone', async () => {
    for (const [zone, key] of Object.entries(zones))
      expect((await world.authorizeRole('Administrator', admin, put(key))).result, zone).toBe(
        'ExplicitlyDenied',
      );
    // and lets it write elsewhere: the refusal is the evidence's, not a broken policy.
    expect((await world.authorizeRole('Administrator', admin, put('exports/x.csv'))).allowed).toBe(true);
  });

  it('lets each writer write its own records', async () => {
    expect((await world.authorize(fn('CollectAccount'), put(zones.report))).allowed).toBe(true);
    expect((await world.authorize(fn('CollectAccount'), put(zones.outcome))).allowed).toBe(true);
    expect((await world.authorize(fn('Plan'), put(zones.organization))).allowed).toBe(true);
    expect((await world.authorize(fn('RecordFailure'), put(zones.outcome))).allowed).toBe(true);
    expect((await world.authorize(fn('Finalize'), put(zones.manifest))).allowed).toBe(true);
    expect((await world.authorize(fn('Plan'), put(zones.report))).result).toBe('ExplicitlyDenied');
    expect((await world.authorize(fn('Exports'), put(zones.manifest))).allowed).toBe(false);
  });
});
