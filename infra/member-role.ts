// The member role every account gets: it may only generate and read the credential report and
// the read-only IAM calls behind account posture, and only the collector role of the tooling
// account, inside the organization, may assume it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Settings } from './settings.ts';

/** Physical name of the collector Lambda's role, named in every member role's trust. */
export const COLLECTOR_ROLE_NAME = 'credlake-collector';

/** The credential report: all the member role may do when posture collection is off. */
export const REPORT_ACTIONS = ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'] as const;

/**
 * The read-only calls behind account posture and user privileges. GetAccountAuthorizationDetails
 * returns every user, role and policy document of the account: the `collectPosture` setting
 * decides whether the role has them.
 */
export const POSTURE_ACTIONS = [
  'iam:GetAccountSummary',
  'iam:GetAccountPasswordPolicy',
  'iam:ListVirtualMFADevices',
  'iam:GetAccountAuthorizationDetails',
] as const;

export function memberRoleActions(settings: Pick<Settings, 'collectPosture'>): string[] {
  return [...REPORT_ACTIONS, ...(settings.collectPosture ? POSTURE_ACTIONS : [])];
}

/** The collector role's ARN, in the partition of the stack that names it. */
export function collectorRoleArn(scope: Construct, settings: Settings): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    account: settings.toolingAccountId,
    resource: 'role',
    resourceName: COLLECTOR_ROLE_NAME,
  });
}

export class MemberRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const conditions: Record<string, Record<string, string>> = {
      ArnEquals: { 'aws:PrincipalArn': collectorRoleArn(this, settings) },
      StringEquals: {
        'aws:PrincipalOrgID': settings.organizationId,
        ...(settings.externalId ? { 'sts:ExternalId': settings.externalId } : {}),
      },
    };
    this.role = new Role(this, 'Role', {
      roleName: settings.memberRoleName,
      description: 'credlake: lets the collector generate and read the IAM credential report of this account',
      assumedBy: new ArnPrincipal(
        Stack.of(this).formatArn({
          service: 'iam',
          region: '',
          account: settings.toolingAccountId,
          resource: 'root',
        }),
      ).withConditions(conditions),
      maxSessionDuration: undefined,
      inlinePolicies: {
        CredentialReport: new PolicyDocument({
          statements: [new PolicyStatement({ actions: memberRoleActions(settings), resources: ['*'] })],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: settings.collectPosture
        ? 'The credential report and account-level IAM read actions (GetAccountSummary, GetAccountPasswordPolicy, ListVirtualMFADevices, GetAccountAuthorizationDetails) support no resource-level permissions; these read-only actions are all the role may do'
        : 'iam:GenerateCredentialReport and iam:GetCredentialReport support no resource-level permissions; these two actions are all the role may do',
    });
  }
}

/** The member role's CloudFormation template, for the StackSet (no bootstrap dependency). */
export function memberRoleTemplate(settings: Settings): string {
  // Its own output folder: under the CDK CLI, a plain App would write into the real cdk.out.
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'credlake-member-role-')) });
  const stack = new Stack(app, 'CredlakeMemberRole', {
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    analyticsReporting: false,
  });
  new MemberRole(stack, 'MemberRole', settings);
  const template = app.synth().getStackByName('CredlakeMemberRole').template as {
    Resources: Record<string, { Metadata?: unknown }>;
  };
  for (const resource of Object.values(template.Resources)) delete resource.Metadata;
  return JSON.stringify(template);
}
