import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp, type CredlakeApp } from '../../infra/app.ts';

const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8'));

/** The CDK app with cdk.json's context plus overrides; Lambda bundling skipped unless asked. */
export function testApp(context: Record<string, unknown> = {}, bundle = false): CredlakeApp {
  return buildApp(
    new App({
      context: { ...cdkJson.context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
    }),
  );
}
