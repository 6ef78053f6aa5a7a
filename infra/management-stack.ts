// What only the management account can hold: its own member role (StackSets never deploy to the
// management account) and, when the pipeline runs in another account, the Organizations resource
// policy that lets that account read the organization. Organizations accepts a resource policy
// only from the management account, so it cannot live in the StackSet stack, which a delegated
// administrator deploys.

import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import { MemberRole } from './member-role.ts';
import { memberRoleProps, type Settings } from './settings.ts';

/** Exactly the Organizations calls the plan step makes (collector/aws/org-api.ts). */
export const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  // Each account's tags: an owner for its findings when the user has none.
  'organizations:ListTagsForResource',
] as const;

export class ManagementStack extends Stack {
  readonly organizationsPolicy?: CfnResourcePolicy;

  constructor(scope: Construct, id: string, settings: Settings, props?: StackProps) {
    super(scope, id, props);
    new MemberRole(this, 'MemberRole', memberRoleProps(settings));
    if (settings.toolingAccountId === settings.managementAccountId) return;
    this.organizationsPolicy = new CfnResourcePolicy(this, 'OrganizationsReadPolicy', {
      content: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CredlakeToolingAccountReadsAccounts',
            Effect: 'Allow',
            Principal: {
              AWS: this.formatArn({
                service: 'iam',
                region: '',
                account: settings.toolingAccountId,
                resource: 'root',
              }),
            },
            Action: [...ORGANIZATIONS_READ_ACTIONS],
            Resource: '*',
          },
        ],
      },
    });
  }
}
