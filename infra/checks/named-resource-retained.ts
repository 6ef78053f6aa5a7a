// A resource with a fixed physical name that is retained when the stack is destroyed: the next
// deploy of the stack tries to create the same name again and fails.
import { CfnDeletionPolicy, type CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';

const RETAINED = new Set([CfnDeletionPolicy.RETAIN, CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE]);

export function namedResourceRetained(node: CfnResource): NagRuleCompliance {
  if (!RETAINED.has(node.cfnOptions.deletionPolicy as CfnDeletionPolicy)) return NagRuleCompliance.COMPLIANT;
  // CloudFormation's naming property is the type's last segment plus `Name`
  // (AWS::Logs::LogGroup -> LogGroupName, AWS::S3::Bucket -> BucketName).
  const nameProperty = `${node.cfnResourceType.split('::').pop()}Name`;
  const rendered = Stack.of(node).resolve((node as unknown as CfnRendered)._toCloudFormation()) as {
    Resources: Record<string, { Properties?: Record<string, unknown> }>;
  };
  const properties = Object.values(rendered.Resources)[0]?.Properties ?? {};
  return properties[nameProperty] === undefined
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}

interface CfnRendered {
  _toCloudFormation(): object;
}
