// credlake's own cdk-nag rule pack: deploy-time faults that synth and AwsSolutions do not see,
// each learned from the services' documented behaviour. One pure rule per file; the app runs
// this pack beside AwsSolutions, and acknowledgements work as for any cdk-nag rule.
import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import { logGroupKeyAdmitsLogs } from './log-group-key-admits-logs.ts';
import { namedResourceRetained } from './named-resource-retained.ts';
import { noHardcodedPartition } from './no-hardcoded-partition.ts';
import { organizationsPolicyInManagement } from './organizations-policy-in-management.ts';
import { servicePrincipalScoped } from './service-principal-scoped.ts';

export interface CredlakeChecksProps extends NagPackProps {
  /** The organization's management account: the only one that may hold its resource policy. */
  readonly managementAccountId: string;
  /** ARNs given by the user in the settings: written as given, in their own partition. */
  readonly userArns?: readonly string[];
}

export class CredlakeChecks extends NagPack {
  readonly name = 'Credlake';
  private readonly managementAccountId: string;
  private readonly userArns: readonly string[];

  constructor(props: CredlakeChecksProps) {
    super(undefined, props);
    this.packName = 'Credlake';
    this.managementAccountId = props.managementAccountId;
    this.userArns = props.userArns ?? [];
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'LogGroupKey',
      info: 'The log group is encrypted with a key whose policy does not admit CloudWatch Logs.',
      explanation:
        'CloudWatch Logs uses the key on its own behalf: the key policy must allow logs.<region>.amazonaws.com, conditioned on kms:EncryptionContext:aws:logs:arn, or the log group fails to create.',
      level: NagMessageLevel.ERROR,
      rule: logGroupKeyAdmitsLogs,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'OrgPolicyAccount',
      info: 'An Organizations resource policy is in a stack not deployed to the management account.',
      explanation: 'Only the management account can create an Organizations resource policy.',
      level: NagMessageLevel.ERROR,
      rule: organizationsPolicyInManagement(this.managementAccountId),
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'Partition',
      info: 'The resource holds an ARN with a literal partition.',
      explanation:
        'GovCloud and China use other partitions: build ARNs from the stack (AWS::Partition, Stack.formatArn).',
      level: NagMessageLevel.ERROR,
      rule: noHardcodedPartition(this.userArns),
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'ServicePrincipalScoped',
      info: 'A resource policy lets an AWS service act without naming the source it acts for.',
      explanation:
        "Without aws:SourceArn or aws:SourceAccount (or, for CloudWatch Logs on a key, the log group in the encryption context), any account's resource of that service can make it act on this one: the confused deputy.",
      level: NagMessageLevel.ERROR,
      rule: servicePrincipalScoped,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'NamedRetained',
      info: 'The resource has a fixed name and is retained on destroy.',
      explanation:
        'After a destroy the retained resource keeps its name, and the next deploy fails creating it again: let CloudFormation name it, or do not retain it.',
      level: NagMessageLevel.ERROR,
      rule: namedResourceRetained,
      node,
    });
  }
}
