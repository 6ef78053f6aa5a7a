// `cdk synth` entry point (cdk.json): the app from CDK context. A setting that is wrong stops
// synth with one line naming the setting, the value and what was expected, never a stack trace
// (CREDLAKE_DEBUG=1 prints one). With encryption=kms-existing it prints the key policy the key
// must have, since the stack cannot write it.
import { buildApp } from './app.ts';
import { existingKeyPolicy } from './key-policy.ts';
import { partitionOf, SettingsError } from './settings.ts';

try {
  const { app, settings } = buildApp();
  app.synth();
  if (settings.encryption === 'kms-existing')
    process.stderr.write(
      `credlake: the key ${settings.kmsKeyArn} must have this key policy (see docs/deploy.md, "An existing KMS key"):\n${JSON.stringify(
        existingKeyPolicy({
          partition: partitionOf(settings.region),
          region: settings.region,
          account: settings.toolingAccountId,
        }),
        null,
        2,
      )}\n`,
    );
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const what = error instanceof SettingsError ? 'credlake settings' : 'credlake synth';
  process.stderr.write(`${what}: ${message.split('\n')[0]}\n`);
  if (process.env.CREDLAKE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
