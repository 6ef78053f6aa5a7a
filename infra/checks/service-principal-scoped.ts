// A resource policy (topic, queue, key, bucket) that lets an AWS service act without naming the
// source it acts for: any customer's resource of that service can then make it act here (the
// confused deputy). CDK's own SnsTopic rule target writes such a statement for EventBridge. Each
// statement granting a service principal must carry aws:SourceArn or aws:SourceAccount, or (for
// CloudWatch Logs using a key) the log group in the encryption context.
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import { CfnTopicPolicy } from 'aws-cdk-lib/aws-sns';
import { CfnQueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from 'cdk-nag';

interface Statement {
  Effect?: string;
  Principal?: { Service?: unknown };
  Condition?: Record<string, Record<string, unknown>>;
}

const SCOPING_KEYS = ['aws:sourcearn', 'aws:sourceaccount', 'kms:encryptioncontext:aws:logs:arn'];

export function servicePrincipalScoped(node: CfnResource): NagRuleCompliance {
  const stack = Stack.of(node);
  const document =
    node instanceof CfnTopicPolicy || node instanceof CfnQueuePolicy || node instanceof CfnBucketPolicy
      ? node.policyDocument
      : node instanceof CfnKey
        ? node.keyPolicy
        : undefined;
  if (document === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const policy = stack.resolve(document) as { Statement?: Statement[] };
  const unscoped = (policy.Statement ?? []).filter(
    (s) =>
      s.Effect === 'Allow' &&
      s.Principal?.Service !== undefined &&
      !Object.values(s.Condition ?? {}).some((keys) =>
        Object.keys(keys).some((k) => SCOPING_KEYS.includes(k.toLowerCase())),
      ),
  );
  return unscoped.length ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
