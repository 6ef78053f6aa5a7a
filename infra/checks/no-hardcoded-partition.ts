// An ARN written with a literal partition (`arn:aws:`, `arn:aws-us-gov:`, ...) breaks the stack
// in every other partition: ARNs are built from the stack's partition (AWS::Partition). ARNs the
// user gave in the settings (an existing key, a QuickSight principal) are theirs, and exempt.
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';

const LITERAL_PARTITION = /arn:aws(-[a-z]+)*:/;

export function noHardcodedPartition(
  userArns: readonly string[] = [],
): (node: CfnResource) => NagRuleCompliance {
  return (node) => {
    // The resource as CloudFormation will see it; nested templates (a StackSet's body) are text.
    let rendered = JSON.stringify(
      Stack.of(node).resolve((node as unknown as CfnRendered)._toCloudFormation()),
    );
    for (const arn of userArns) rendered = rendered.replaceAll(arn, '');
    return LITERAL_PARTITION.test(rendered) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  };
}

interface CfnRendered {
  _toCloudFormation(): object;
}
