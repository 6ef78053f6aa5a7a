// Memory: the collector Lambda as deployed (the esbuild bundle, bundled as the CDK app bundles
// it, run by plain node, no tsx) collecting one account of 5,000 users (the IAM maximum) from the
// simulator into an S3 lake on the local S3 server. Peak RSS is read from /proc in that process.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ENV } from '../common/env-names.ts';
import { EXTERNAL_MODULES, esbuildTarget, WASM_BESIDE_BUNDLE } from '../infra/bundling.ts';
import { outcomesPrefix } from '../lake/keys.ts';
import { S3Store } from '../lake/s3-store.ts';
import { Simulator } from '../simulator/simulator.ts';
import { startS3Server } from '../test/helpers/s3-server.ts';

export interface MemoryFigures {
  peak_rss_mb_5000_users: number;
  /** The same process after loading the bundle, before any work: the baseline. */
  loaded_rss_mb: number;
  users: number;
  bundle: string;
}

const ROOT = join(import.meta.dirname, '..');
const BUCKET = 'credlake-bench-memory';

/** The child: loads the bundle, runs one collectAccount, prints its peak RSS (VmHWM). */
const HARNESS = `
const { readFileSync } = require('node:fs');
const hwm = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const handler = require('./index.js');
const loaded = hwm();
handler.collectAccount(JSON.parse(process.env.BENCH_ITEM)).then((out) => {
  process.stdout.write(JSON.stringify({ out, loaded_rss_mb: Math.round(loaded), peak_rss_mb: Math.round(hwm()) }) + '\\n');
});
`;

export async function benchMemory(): Promise<MemoryFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'credlake-bench-bundle-'));
  await build({
    entryPoints: [join(ROOT, 'collector/handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: esbuildTarget(),
    minify: true,
    external: EXTERNAL_MODULES,
    outfile: join(dir, 'index.js'),
    logLevel: 'error',
  });
  copyFileSync(join(ROOT, WASM_BESIDE_BUNDLE), join(dir, 'parquet_wasm_bg.wasm'));
  writeFileSync(join(dir, 'harness.cjs'), HARNESS);

  const sim = await Simulator.start({ accounts: 1, seed: 3, date: '2026-01-15', usersPerAccount: 5_000 });
  const s3 = await startS3Server([BUCKET], [sim.callerCredentials]);
  try {
    const account = sim.org.accounts[0];
    const item = {
      runId: '20260115T060000.000Z-bench',
      dt: '2026-01-15',
      accountId: account.id,
      accountName: account.name,
    };
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'harness.cjs')], {
      cwd: dir,
      maxBuffer: 1 << 24,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: sim.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: sim.callerCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: sim.callerCredentials.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        [ENV.bucket]: BUCKET,
        [ENV.memberRoleName]: sim.roleName,
        [ENV.s3ForcePathStyle]: 'true',
        BENCH_ITEM: JSON.stringify(item),
      },
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    // The figure counts only if the account was really collected, every user in the lake.
    const lake = new S3Store(s3.client, BUCKET, '');
    const keys = await lake.list(outcomesPrefix(item.dt, account.id));
    const outcome = JSON.parse(new TextDecoder().decode((await lake.get(keys[0]))!));
    if (outcome.status !== 'collected') throw new Error(`the bundle did not collect: ${outcome.message}`);
    return {
      peak_rss_mb_5000_users: out.peak_rss_mb,
      loaded_rss_mb: out.loaded_rss_mb,
      users: outcome.userCount,
      bundle: 'collector/handler.ts, esbuild cjs minified, run by node without tsx',
    };
  } finally {
    await s3.close();
    await sim.close();
  }
}
