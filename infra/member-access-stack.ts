// Member access, deployed from the management account (or the StackSets delegated admin):
// the member role org-wide through a service-managed StackSet, and, for a delegated-admin
// deployment, the Organizations resource policy that lets the tooling account list accounts.
import { CfnStackSet, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import { memberRoleTemplate } from './member-role.ts';
import type { Settings } from './settings.ts';

export const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  'organizations:ListAccounts',
] as const;

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
      templateBody: memberRoleTemplate(settings),
    });
    if (
      settings.deployFrom === 'delegated-admin' &&
      settings.toolingAccountId !== settings.managementAccountId
    ) {
      new CfnResourcePolicy(this, 'OrganizationsReadPolicy', {
        content: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'CredlakeToolingAccountReadsAccounts',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${settings.toolingAccountId}:root` },
              Action: [...ORGANIZATIONS_READ_ACTIONS],
              Resource: '*',
            },
          ],
        },
      });
    }
  }
}
