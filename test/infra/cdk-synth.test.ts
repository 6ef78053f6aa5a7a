// `npx cdk synth` as a user runs it, offline, with no AWS credentials and no Docker: the CLI
// pinned in package.json, the app from cdk.json, Lambda bundles built by the local esbuild.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

describe('npx cdk synth', () => {
  it('synthesizes every stack offline, with cdk-nag clean and the Lambda bundles built', async () => {
    const out = mkdtempSync(join(tmpdir(), 'credlake-cdk-out-'));
    const env = {
      ...process.env,
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    // Offline: the lookup of the deployed stack's evidence lock needs the tooling account.
    await run(
      'npx',
      ['cdk', 'synth', '--no-notices', '--quiet', '--output', out, '-c', 'lookupDeployedStack=false'],
      {
        cwd: ROOT,
        env,
        timeout: 180_000,
      },
    );
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const stacks = Object.entries(manifest.artifacts as Record<string, { type: string }>)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([name]) => name)
      .sort();
    expect(stacks).toEqual(['CredlakeManagement', 'CredlakeMemberAccess', 'CredlakePipeline']);
    const bundles = readdirSync(out).filter(
      (d) => d.startsWith('asset.') && existsSync(join(out, d, 'index.js')),
    );
    expect(bundles.length).toBeGreaterThanOrEqual(2);
    const withWasm = bundles.filter((d) => existsSync(join(out, d, 'parquet_wasm_bg.wasm')));
    expect(withWasm.length).toBeGreaterThanOrEqual(1);
  }, 200_000);
});

describe('npx cdk synth with a wrong setting', () => {
  it('stops with one line naming the setting, the value and what was expected, no stack trace', async () => {
    const out = mkdtempSync(join(tmpdir(), 'credlake-cdk-out-'));
    const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
    const failed = await run(
      'npx',
      ['cdk', 'synth', '--no-notices', '--quiet', '--output', out, '-c', 'concurrency=abc'],
      { cwd: ROOT, env, timeout: 180_000 },
    ).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    );
    expect(failed, 'synth must fail').toBeDefined();
    expect(failed!.stderr).toContain(
      'credlake settings: setting concurrency is invalid: got "abc", expected a whole number from 1 to 1000',
    );
    expect(failed!.stderr).not.toMatch(/\n\s+at /);
  }, 200_000);
});

describe('synth with encryption=kms-existing', () => {
  it('prints the key policy the existing key must have, with the account and region filled in', async () => {
    const { existingKeyPolicy } = await import('../../infra/key-policy.ts');
    const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'));
    const context = {
      ...cdkJson.context,
      encryption: 'kms-existing',
      kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/11111111-2222-3333-4444-555555555555',
      'aws:cdk:bundling-stacks': [],
    };
    // As the CDK CLI runs the app: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR.
    const { stderr } = await run(process.execPath, ['--import', 'tsx', 'infra/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'credlake-cdk-out-')),
      },
      timeout: 120_000,
    });
    const [first, ...rest] = stderr.trim().split('\n');
    expect(first).toContain(`the key ${context.kmsKeyArn} must have this key policy`);
    expect(JSON.parse(rest.join('\n'))).toEqual(
      existingKeyPolicy({ partition: 'aws', region: context.region, account: context.toolingAccountId }),
    );
  }, 150_000);
});
