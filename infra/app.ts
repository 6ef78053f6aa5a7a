// The CDK app: settings from context, the stacks, and cdk-nag's AwsSolutions checks on all of it.
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CredlakeChecks } from './checks/credlake-checks.ts';
import { ManagementStack } from './management-stack.ts';
import { MemberAccessStack } from './member-access-stack.ts';
import { PipelineStack } from './pipeline-stack.ts';
import { QuickSightStack } from './quicksight-stack.ts';
import { readSettings, type Settings } from './settings.ts';

export interface CredlakeApp {
  readonly app: App;
  readonly settings: Settings;
  readonly pipeline: PipelineStack;
  readonly memberAccess: MemberAccessStack;
  readonly management: ManagementStack;
  readonly quicksight?: QuickSightStack;
}

export function buildApp(app: App = new App()): CredlakeApp {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const tooling = { account: settings.toolingAccountId, region: settings.region };
  const management = { account: settings.managementAccountId, region: settings.region };
  const pipeline = new PipelineStack(app, 'CredlakePipeline', settings, {
    env: tooling,
    description: 'credlake: collection pipeline, lake, catalog and exports',
  });
  // StackSets are owned by the management account or by its delegated administrator, which
  // for credlake is the tooling account.
  const memberAccess = new MemberAccessStack(app, 'CredlakeMemberAccess', settings, {
    env: settings.deployFrom === 'management' ? management : tooling,
    description: 'credlake: member role StackSet for every account of the organization',
  });
  const managementStack = new ManagementStack(app, 'CredlakeManagement', settings, {
    env: management,
    description: 'credlake: member role of the management account and the Organizations read policy',
  });
  const quicksight = settings.quicksight.enabled
    ? new QuickSightStack(app, 'CredlakeQuickSight', {
        settings,
        // An export with a fixed name keeps the cross-stack reference (and its cdk-nag id) stable.
        bucketArn: pipeline.exportValue(pipeline.storage.bucket.bucketArn, {
          name: 'credlake-data-bucket-arn',
        }),
        keyArn: pipeline.storage.key
          ? pipeline.exportValue(pipeline.storage.key.keyArn, { name: 'credlake-data-key-arn' })
          : undefined,
        env: tooling,
        description: 'credlake: QuickSight data source, datasets and dashboard',
      })
    : undefined;
  for (const [k, v] of Object.entries({ project: 'credlake', ...settings.tags })) Tags.of(app).add(k, v);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new CredlakeChecks({
      managementAccountId: settings.managementAccountId,
      userArns: [settings.kmsKeyArn, settings.quicksight.principalArn].filter((a): a is string => !!a),
    }),
  );
  return { app, settings, pipeline, memberAccess, management: managementStack, quicksight };
}
