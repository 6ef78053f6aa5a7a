// Lambda bundles: `cdk synth` with the local esbuild, then the bytes of each function's asset,
// raw and gzip-compressed (about what the deployment zip weighs).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

export interface BundleFigure {
  bytes: number;
  gzip_bytes: number;
}

export async function benchBundles(): Promise<Record<string, BundleFigure>> {
  const out = mkdtempSync(join(tmpdir(), 'credlake-bench-cdk-'));
  const root = join(import.meta.dirname, '..');
  await promisify(execFile)('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', out], {
    cwd: root,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  const template = JSON.parse(readFileSync(join(out, 'CredlakePipeline.template.json'), 'utf8'));
  const figures: Record<string, BundleFigure> = {};
  for (const [id, resource] of Object.entries(
    template.Resources as Record<string, { Type: string; Metadata?: Record<string, string> }>,
  )) {
    const asset = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || !asset || !id.startsWith('Functions')) continue;
    const dir = join(out, asset);
    let bytes = 0;
    let gzip = 0;
    for (const file of readdirSync(dir)) {
      const body = readFileSync(join(dir, file));
      bytes += statSync(join(dir, file)).size;
      gzip += gzipSync(body).length;
    }
    figures[id.replace(/^Functions/, '').replace(/[0-9A-F]{8}$/, '')] = { bytes, gzip_bytes: gzip };
  }
  return figures;
}
