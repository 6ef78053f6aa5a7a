// The member role org-wide: a service-managed StackSet, deployed from the account that owns
// StackSets for the organization (the management account, or its StackSets delegated admin).
import { CfnStackSet, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { memberRoleTemplate } from './member-role.ts';
import { memberRoleProps, type Settings } from './settings.ts';

export class MemberAccessStack extends Stack {
  constructor(scope: Construct, id: string, settings: Settings, props?: StackProps) {
    super(scope, id, props);
    new CfnStackSet(this, 'MemberRoleStackSet', {
      stackSetName: 'credlake-member-role',
      description: 'credlake member role: generate and read the IAM credential report',
      permissionModel: 'SERVICE_MANAGED',
      callAs: settings.deployFrom === 'management' ? 'SELF' : 'DELEGATED_ADMIN',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        failureTolerancePercentage: 10,
        maxConcurrentPercentage: 25,
        regionConcurrencyType: 'PARALLEL',
      },
      stackInstancesGroup: [
        { deploymentTargets: { organizationalUnitIds: settings.memberOuIds }, regions: [settings.region] },
      ],
      templateBody: memberRoleTemplate(memberRoleProps(settings)),
    });
  }
}
