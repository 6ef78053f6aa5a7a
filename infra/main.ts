// `cdk synth` entry point (cdk.json): the app from CDK context. A setting that is wrong stops
// synth with one line naming the setting, the value and what was expected, never a stack trace
// (CREDLAKE_DEBUG=1 prints one).
import { buildApp } from './app.ts';
import { SettingsError } from './settings.ts';

try {
  buildApp().app.synth();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const what = error instanceof SettingsError ? 'credlake settings' : 'credlake synth';
  process.stderr.write(`${what}: ${message.split('\n')[0]}\n`);
  if (process.env.CREDLAKE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
