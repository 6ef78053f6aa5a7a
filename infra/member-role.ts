// The member role every account gets: it may only generate and read the credential report and
// the read-only IAM calls behind account posture, and only the collector role of the tooling
// account, inside the organization, may assume it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { VALIDATE_AGAINST_DEFAULT_RULES } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { DEFAULTS } from './settings.ts';

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

export function memberRoleActions(collectPosture: boolean = DEFAULTS.collectPosture): string[] {
  return [...REPORT_ACTIONS, ...(collectPosture ? POSTURE_ACTIONS : [])];
}

/** What the member role is, in every account: read by the role itself and by the collector. */
export interface MemberAccessProps {
  /** The organization the collector and the member accounts belong to. */
  readonly organizationId: string;
  /**
   * Name of the member role in every account.
   * @default 'CredlakeMemberRole'
   */
  readonly memberRoleName?: string;
  /**
   * External id the member role requires of the collector.
   * @default - none required
   */
  readonly externalId?: string;
  /**
   * Whether the role may make the read-only posture calls (`POSTURE_ACTIONS`) besides the
   * credential report's two.
   * @default true
   */
  readonly collectPosture?: boolean;
}

export interface MemberRoleProps extends MemberAccessProps {
  /** The account the collector runs in: only its collector role may assume the member role. */
  readonly toolingAccountId: string;
}

/** The collector role's ARN, in the partition of the stack that names it. */
export function collectorRoleArn(scope: Construct, toolingAccountId: string): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    account: toolingAccountId,
    resource: 'role',
    resourceName: COLLECTOR_ROLE_NAME,
  });
}

export class MemberRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MemberRoleProps) {
    super(scope, id);
    const collectPosture = props.collectPosture ?? DEFAULTS.collectPosture;
    const conditions: Record<string, Record<string, string>> = {
      ArnEquals: { 'aws:PrincipalArn': collectorRoleArn(this, props.toolingAccountId) },
      StringEquals: {
        'aws:PrincipalOrgID': props.organizationId,
        ...(props.externalId ? { 'sts:ExternalId': props.externalId } : {}),
      },
    };
    this.role = new Role(this, 'Role', {
      roleName: props.memberRoleName ?? DEFAULTS.memberRoleName,
      description: 'credlake: lets the collector generate and read the IAM credential report of this account',
      assumedBy: new ArnPrincipal(
        Stack.of(this).formatArn({
          service: 'iam',
          region: '',
          account: props.toolingAccountId,
          resource: 'root',
        }),
      ).withConditions(conditions),
      maxSessionDuration: undefined,
      inlinePolicies: {
        CredentialReport: new PolicyDocument({
          statements: [new PolicyStatement({ actions: memberRoleActions(collectPosture), resources: ['*'] })],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: collectPosture
        ? 'The credential report and account-level IAM read actions (GetAccountSummary, GetAccountPasswordPolicy, ListVirtualMFADevices, GetAccountAuthorizationDetails) support no resource-level permissions; these read-only actions are all the role may do'
        : 'iam:GenerateCredentialReport and iam:GetCredentialReport support no resource-level permissions; these two actions are all the role may do',
    });
  }
}

/**
 * The member role's CloudFormation template, for the StackSet (no bootstrap dependency),
 * synthesized in an app of its own, checked against CloudFormation's schemas as the app it goes
 * into is (`validation`: whether that app checks, and whether a finding is an error).
 */
export function memberRoleTemplate(
  props: MemberRoleProps,
  validation: { readonly enabled: boolean; readonly strict: boolean } = { enabled: true, strict: true },
): string {
  // Its own output folder, removed once read: under the CDK CLI, a plain App would write into
  // the real cdk.out.
  const outdir = mkdtempSync(join(tmpdir(), 'credlake-member-role-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: validation.enabled,
      context: { [VALIDATE_AGAINST_DEFAULT_RULES]: validation.strict },
    });
    const stack = new Stack(app, 'CredlakeMemberRole', {
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
    });
    new MemberRole(stack, 'MemberRole', props);
    const template = app.synth().getStackByName('CredlakeMemberRole').template as {
      Resources: Record<string, { Metadata?: unknown }>;
    };
    for (const resource of Object.values(template.Resources)) delete resource.Metadata;
    return JSON.stringify(template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
