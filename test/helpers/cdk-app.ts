import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp, type CredlakeApp } from '../../infra/app.ts';

/** The project's cdk.json: the example settings every test app starts from. */
export const cdkJson = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8'),
) as { context: Record<string, unknown> };

/**
 * The CDK app with cdk.json's context plus overrides; Lambda bundling skipped unless asked.
 *
 * aws-cdk-lib checks every synthesized template against CloudFormation's resource schemas. The
 * check's first run in a process takes about 3 s, and most test files synthesize only to read a
 * template. So it runs only where asked (`validate`): test/infra/cfn-validation.test.ts checks
 * every deployment setting with it once, and `cdk synth` always runs it.
 */
export function testApp(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; validate?: boolean } = {},
): CredlakeApp {
  return buildApp(
    new App({
      context: {
        ...cdkJson.context,
        ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
        ...context,
      },
      builtinCloudFormationValidation: options.validate ?? false,
    }),
  );
}

/** An empty app for a test stack, without CloudFormation's schema check (see testApp). */
export const bareApp = () => new App({ builtinCloudFormationValidation: false });
