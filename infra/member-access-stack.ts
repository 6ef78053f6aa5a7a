// The member role org-wide: a service-managed StackSet, deployed from the account that owns
// StackSets for the organization (the management account, or its StackSets delegated admin).
import { App, CfnStackSet, Stack, type StackProps, Stage } from 'aws-cdk-lib';
import { VALIDATE_AGAINST_DEFAULT_RULES } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { memberRoleTemplate } from './member-role.ts';
import { memberRoleProps, type Settings } from './settings.ts';

export class MemberAccessStack extends Stack {
  constructor(scope: Construct, id: string, settings: Settings, props?: StackProps) {
    super(scope, id, props);
    // The role's template is synthesized in an app apart: it gets the CloudFormation schema check
    // this app has (on unless the app was made without it, as most tests make theirs; the App
    // keeps its builtinCloudFormationValidation prop as _builtinCloudFormationValidation), and the
    // strictness this app's context asks for (read as aws-cdk-lib reads it: set and not false).
    const app = Stage.of(this);
    const validation = {
      enabled: !App.isApp(app) || app._builtinCloudFormationValidation,
      strict: ![undefined, false, 'false'].includes(this.node.tryGetContext(VALIDATE_AGAINST_DEFAULT_RULES)),
    };
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
      templateBody: memberRoleTemplate(memberRoleProps(settings), validation),
    });
  }
}
