// A log group encrypted with a key of the same stack whose key policy does not admit CloudWatch
// Logs: the service encrypts with the key on its own behalf, so only the key policy can allow
// it, and without it the log group fails to create and the stack rolls back.
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { NagRuleCompliance } from 'cdk-nag';

interface Statement {
  Effect?: string;
  Principal?: { Service?: unknown };
  Action?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export function logGroupKeyAdmitsLogs(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof CfnLogGroup) || node.kmsKeyId === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const stack = Stack.of(node);
  const ref = stack.resolve(node.kmsKeyId) as unknown;
  const logicalId = (ref as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
  // A key from outside the stack: its policy is not in view here.
  if (!logicalId) return NagRuleCompliance.NOT_APPLICABLE;
  const key = stack.node
    .findAll()
    .find((c): c is CfnKey => c instanceof CfnKey && stack.getLogicalId(c) === logicalId);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const policy = stack.resolve(key.keyPolicy) as { Statement?: Statement[] } | undefined;
  const admits = (policy?.Statement ?? []).some(
    (s) =>
      s.Effect === 'Allow' &&
      /"logs\.|\blogs\./.test(JSON.stringify(s.Principal?.Service ?? '')) &&
      [s.Action].flat().some((a) => a === 'kms:*' || /^kms:(Encrypt|GenerateDataKey)/.test(String(a))) &&
      Object.values(s.Condition ?? {}).some((c) => 'kms:EncryptionContext:aws:logs:arn' in c),
  );
  return admits ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
