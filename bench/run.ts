// `npm run bench [-- --quick] [-- --json FILE]`: every figure beside a baseline measured in the
// same run, as a ratio (absolute times drift on shared machines; ratios hold).
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchBundles } from './bundles.ts';
import { benchCollection } from './collection.ts';
import { benchMemory } from './memory.ts';
import { benchQueries, benchS3Queries, buildYearLake } from './queries.ts';
import { benchScale, PRICES } from './scale.ts';
import { benchTransform } from './transform.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'string' } },
});
const quick = values.quick!;
const size = quick
  ? { collect: 80, transform: 200, yearAccounts: 6, days: 365, scale: [100, 300] }
  : { collect: 1000, transform: 1000, yearAccounts: 30, days: 365, scale: [100, 1000, 10000] };
const log = (s: string) => process.stderr.write(`${s}\n`);
const started = performance.now();

log(
  `credlake bench (${quick ? 'quick' : 'full'}) on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
log('collection (simulated organization, realistic latency, a little throttling)...');
const collection = await benchCollection(size.collect, log);
log('transform...');
const transform = await benchTransform(size.transform, log);
log('queries...');
const lake = await buildYearLake(size.yearAccounts, size.days, log);
const queries = await benchQueries(lake.root, lake.latest);
log('queries on an S3 lake (bytes fetched)...');
const s3Queries = await benchS3Queries(lake.root, lake.latest);
log('memory...');
const memory = await benchMemory();
log('bundles...');
const bundles = await benchBundles();
log('scale (the synthesized state machine in aws-local-stepfunctions)...');
const scale = await benchScale(size.scale, log);

const figures = {
  machine: {
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    cpu: cpus()[0]?.model,
    node: process.version,
  },
  mode: quick ? 'quick' : 'full',
  collection,
  transform,
  queries,
  s3_queries: s3Queries,
  memory,
  bundles,
  scale,
  scale_prices_usd: PRICES,
  total_s: Math.round((performance.now() - started) / 1000),
};

const check = (ok: boolean) => (ok ? 'ok' : 'MISSED');
const lines = [
  '',
  `figure                                   value            baseline          ratio      target`,
  `collection wall (${collection.accounts} accounts)          ${fmt(collection.wall_s, 's')}  ideal ${fmt(collection.ideal_s, 's')}   ${collection.ratio_to_ideal.toFixed(2).padStart(6)}     <= 1.15 ${check(collection.ratio_to_ideal <= 1.15)}`,
  `collection vs fixed 1 s poll              ${fmt(collection.wall_s, 's')}  poll ${fmt(collection.baseline_wall_s, 's')}    ${collection.speedup_vs_fixed_poll.toFixed(2).padStart(6)}x    >= 5 ${check(collection.speedup_vs_fixed_poll >= 5)}`,
  `IAM report calls per account              ${fmt(collection.report_calls_per_account, '')}                              <= 3 ${check(collection.report_calls_per_account <= 3)}`,
  `transform (${transform.rows} rows)           ${fmt(transform.rows_per_s, 'rows/s')} DuckDB ${fmt(transform.duckdb_ms, 'ms')} ${transform.ratio_to_duckdb.toFixed(2).padStart(6)}     <= 4 ${check(transform.ratio_to_duckdb <= 4)}`,
  `peak RSS, one 5,000-user account          ${fmt(memory.peak_rss_mb_5000_users, 'MB')}  loaded ${fmt(memory.loaded_rss_mb, 'MB')} ${(memory.peak_rss_mb_5000_users / memory.loaded_rss_mb).toFixed(2).padStart(6)}     < 256 MB ${check(memory.peak_rss_mb_5000_users < 256)}`,
  '',
  `query (a year of daily snapshots)        ms     rows  files read / in newest partition`,
  ...Object.entries(queries).map(
    ([name, q]) =>
      `  ${name.padEnd(32)} ${q.ms.toFixed(1).padStart(8)} ${String(q.rows).padStart(8)}  ${q.latest_snapshot ? `${q.files_read} / ${q.files_latest} ${check(q.files_read! <= q.files_latest!)}` : '(all snapshots)'}`,
  ),
  '',
  `query on an S3 lake (a week of snapshots, ${s3Queries.curated_bytes} curated bytes)   bytes fetched`,
  ...Object.entries(s3Queries.per_query_bytes).map(
    ([name, bytes]) =>
      `  ${name.padEnd(32)} ${String(bytes).padStart(10)}  (${((bytes / s3Queries.curated_bytes) * 100).toFixed(1)}%)`,
  ),
  '',
  'Lambda bundle                   bytes      gzip',
  ...Object.entries(bundles).map(
    ([name, b]) => `  ${name.padEnd(24)} ${String(b.bytes).padStart(10)} ${String(b.gzip_bytes).padStart(9)}`,
  ),
  '',
  'state machine, fast latency   wall s   largest payload (margin to 256 KiB)   S3 GET/PUT/LIST/HEAD per account   invocations  transitions per account   $ per 1,000 accounts a day',
  ...scale.map(
    (r) =>
      `  ${String(r.accounts).padStart(6)} accounts ${r.status === 'SUCCEEDED' ? '' : r.status} ${String(r.wall_s).padStart(7)}   ${String(r.largest_payload_bytes).padStart(6)} B (${r.payload_margin_bytes} B) ${check(r.payload_margin_bytes > 0)}   ${r.s3_per_account.get}/${r.s3_per_account.put}/${r.s3_per_account.list}/${r.s3_per_account.head}   ${r.lambda_invocations_per_account}  ${r.transitions_per_account}   ${r.cost_per_1000_accounts_per_day_usd}`,
  ),
  `  prices (us-east-1): Step Functions Standard $${PRICES.stepFunctionsStandardPerTransition}/transition, Lambda arm64 $${PRICES.lambdaArmPerGbSecond}/GB-s + $${PRICES.lambdaPerRequest}/request, S3 PUT/LIST $${PRICES.s3PutListPerRequest}, GET/HEAD $${PRICES.s3GetHeadPerRequest} per request`,
  '',
  `total ${figures.total_s} s`,
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);

function fmt(n: number, unit: string): string {
  return `${n}${unit ? ` ${unit}` : ''}`.padEnd(14);
}
