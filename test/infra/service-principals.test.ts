// The services that act on the pipeline's resources on their own behalf, decided by an IAM
// engine we did not write against the synthesized resource policies: the EventBridge rule and
// the CloudWatch alarm publishing to the encrypted alerts topic, and nobody else.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/cdk-app.ts';
import { resolvedProperties, serviceMay } from '../helpers/iam-world.ts';

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

  it('admits the EventBridge rule that announces a failed run', async () => {
    expect(
      await serviceMay('events.amazonaws.com', 'sns:Publish', TOPIC, topicPolicy, ACCOUNT, {
        'aws:SourceAccount': ACCOUNT,
      }),
    ).toBe('Allowed');
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
