// An Organizations resource policy in a stack that is not deployed to the management account:
// Organizations accepts PutResourcePolicy only from the management account, so such a stack
// fails to deploy.
import { type CfnResource, Stack, Token } from 'aws-cdk-lib';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-organizations';
import { NagRuleCompliance } from 'cdk-nag';

export function organizationsPolicyInManagement(
  managementAccountId: string,
): (node: CfnResource) => NagRuleCompliance {
  return (node) => {
    if (!(node instanceof CfnResourcePolicy)) return NagRuleCompliance.NOT_APPLICABLE;
    const account = Stack.of(node).account;
    // An environment-agnostic stack could land anywhere: it cannot be shown to be right.
    if (Token.isUnresolved(account)) return NagRuleCompliance.NON_COMPLIANT;
    return account === managementAccountId ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  };
}
