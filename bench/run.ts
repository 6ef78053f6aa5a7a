// `npm run bench [-- --quick] [-- --only queries,memory] [-- --year-accounts N] [-- --scale-accounts N,M] [-- --json FILE]`: every figure beside a
// baseline or bound measured in the same run, as a ratio (absolute times drift on shared
// machines; ratios hold). `--only` runs some sections; the figures of the others are absent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchBundles } from './bundles.ts';
import { benchCollection } from './collection.ts';
import { benchCompaction } from './compaction.ts';
import { benchMemory } from './memory.ts';
import { benchQueries, benchS3Queries, buildYearLake } from './queries.ts';
import { benchScale, PRICES } from './scale.ts';
import { benchStart } from './start.ts';
import { benchTransform } from './transform.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const SECTIONS = ['start', 'collection', 'transform', 'queries', 'memory', 'bundles', 'scale'] as const;
type Section = (typeof SECTIONS)[number];
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
    'year-accounts': { type: 'string' },
    'scale-accounts': { type: 'string' },
  },
});
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((s) => !SECTIONS.includes(s as Section));
if (unknown?.length) {
  process.stderr.write(`unknown bench section ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}\n`);
  process.exit(2);
}
const runs = (section: Section) => !only || only.includes(section);
const quick = values.quick!;
const size = quick
  ? { starts: 1, collect: 300, transform: 200, yearAccounts: 20, days: 365, scale: [100, 300] }
  : { starts: 3, collect: 1000, transform: 1000, yearAccounts: 1000, days: 365, scale: [100, 1000, 10000] };
if (values['year-accounts']) size.yearAccounts = Number(values['year-accounts']);
const log = (s: string) => process.stderr.write(`${s}\n`);
// Every lake, copy and bundle the sections make (the year lake alone is gigabytes) goes under
// one scratch folder, passed to the CLI runs too, and removed however the bench ends.
const scratch = mkdtempSync(join(tmpdir(), 'credlake-bench-'));
process.env.TMPDIR = scratch;
const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
process.on('exit', removeScratch);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.on(signal, () => {
    removeScratch();
    process.exit(code);
  });
const started = performance.now();
const check = (ok: boolean) => (ok ? 'ok' : 'MISSED');
const fmt = (n: number, unit: string) => `${n}${unit ? ` ${unit}` : ''}`.padEnd(14);

log(
  `credlake bench (${quick ? 'quick' : 'full'}) on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
const figures: Record<string, unknown> = {
  machine: {
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    cpu: cpus()[0]?.model,
    node: process.version,
  },
  mode: quick ? 'quick' : 'full',
};
const lines: string[] = [''];

if (runs('start')) {
  log('npm start (the whole process, as a user runs it)...');
  const st = await benchStart(size.starts, log);
  figures.start = st;
  lines.push(
    `npm start, whole process (30 accounts, 7 days): median ${st.median_wall_s} s of ${st.wall_s.join(', ')} s   < 10 s ${check(st.median_wall_s < 10)}`,
    `  split of that run: ${startSplit(st.split_s)}`,
    '',
  );
}

/**
 * The run's phases in the order they happen: start-up, the days (collected in lanes side by
 * side, so the days' wall time, with each day's collection and rollup as they took in a lane),
 * then the exports and the report (side by side: the phase lasts as long as the longer) and the
 * digest's query.
 */
function startSplit(split: Record<string, number>): string {
  const range = (prefix: string) => {
    const xs = Object.entries(split)
      .filter(([k]) => k.startsWith(prefix))
      .map(([, v]) => v);
    return xs.length ? `${Math.min(...xs)} to ${Math.max(...xs)} s each` : 'none';
  };
  const parts = [
    `start-up ${split.startup} s`,
    `the days ${split.days} s (collection ${range('collect.')}, rollup ${range('rollup.')})`,
    `exports ${split.exports} s and report ${split.report} s side by side`,
    `changes ${split.changes} s`,
  ];
  return parts.join(', ');
}

if (runs('collection')) {
  log('collection (simulated organization, realistic latency, a little throttling)...');
  const c = await benchCollection(size.collect, log);
  figures.collection = c;
  lines.push(
    `figure                                   value            bound/baseline    ratio      target`,
    `collection wall (${c.accounts} accounts)          ${fmt(c.wall_s, 's')}  bound ${fmt(c.lower_bound_s, 's')}  ${c.ratio_to_lower_bound.toFixed(2).padStart(6)}     <= 1.15 ${check(c.ratio_to_lower_bound <= 1.15)}`,
    `  lower bound = max(slowest critical path ${c.critical_path_s} s, required calls' service time / ${c.concurrency} slots ${c.service_bound_s} s)`,
    `  every account call made (throttled attempts and polls included) / ${c.concurrency} slots: ${c.work_bound_s} s, ratio ${c.ratio_to_work_bound.toFixed(2)}`,
    `collection vs fixed 1 s poll              ${fmt(c.wall_s, 's')}  poll ${fmt(c.baseline_wall_s, 's')}    ${c.speedup_vs_fixed_poll.toFixed(2).padStart(6)}x    >= 5 ${check(c.speedup_vs_fixed_poll >= 5)}`,
    `IAM report calls per account              ${fmt(c.report_calls_per_account, '')}                              <= 3 ${check(c.report_calls_per_account <= 3)}`,
  );
}

if (runs('transform')) {
  log('transform...');
  const t = await benchTransform(size.transform, log);
  figures.transform = t;
  lines.push(
    `transform (${t.rows} rows)           ${fmt(t.rows_per_s, 'rows/s')} DuckDB ${fmt(t.duckdb_ms, 'ms')} ${t.ratio_to_duckdb.toFixed(2).padStart(6)}     <= 4 ${check(t.ratio_to_duckdb <= 4)}`,
  );
}

if (runs('memory')) {
  log('memory (the bundled collector Lambda, 5,000 users)...');
  const m = await benchMemory();
  figures.memory = m;
  lines.push(
    `peak RSS, bundled collector, ${m.users} users ${fmt(m.peak_rss_mb_5000_users, 'MB')} loaded ${fmt(m.loaded_rss_mb, 'MB')} ${(m.peak_rss_mb_5000_users / m.loaded_rss_mb).toFixed(2).padStart(6)}     < 256 MB ${check(m.peak_rss_mb_5000_users < 256)}`,
  );
}

if (runs('queries')) {
  log('queries (a year lake)...');
  const lake = await buildYearLake(size.yearAccounts, size.days, log);
  const queries = await benchQueries(lake.root, lake.latest, size.days);
  log('queries on an S3 lake (bytes fetched)...');
  const s3 = await benchS3Queries(lake.root, lake.latest);
  // DuckDB's history query over the per-account layout used 16 GiB at 200 accounts: above that
  // the comparison would exhaust the machine (docs/decisions/0003-compaction.md has the figures).
  const compare = size.yearAccounts <= 200;
  log(
    compare
      ? 'compaction (one file per dt against one per dt and account)...'
      : 'compaction: skipped above 200 accounts',
  );
  const compaction = compare ? await benchCompaction(lake.root, log) : undefined;
  figures.year_lake = { accounts: size.yearAccounts, days: size.days, collected_days: lake.collected_days };
  figures.queries = queries;
  figures.s3_queries = s3;
  figures.compaction = compaction;
  lines.push(
    '',
    `query (${size.days} daily snapshots x ${size.yearAccounts} accounts; the last ${lake.collected_days} collected, earlier days linked copies)`,
    `  ${'name'.padEnd(32)} ${'ms'.padStart(8)} ${'rows'.padStart(8)}  files read (DuckDB log) / in scope / in newest partition   target`,
    ...Object.entries(queries).map(
      ([name, q]) =>
        `  ${name.padEnd(32)} ${q.ms.toFixed(1).padStart(8)} ${String(q.rows).padStart(8)}  ${String(q.files_read).padStart(8)} / ${String(q.files_in_scope).padStart(7)} / ${String(q.files_latest).padStart(6)}   ${q.target} ${check(q.met)}`,
    ),
    '',
    compaction
      ? `compaction of credential_report (${compaction.days} days): ${compaction.files_per_account_layout} files (${compaction.bytes_per_account_layout} B) -> ${compaction.files_compacted} (${compaction.bytes_compacted} B) in ${compaction.compact_s} s\n  stale keys per day over every day: ${compaction.history_query_ms_per_account_layout} ms per account and day, ${compaction.history_query_ms_compacted} ms compacted (${compaction.speedup}x)`
      : 'compaction: not measured above 200 accounts (see docs/decisions/0003-compaction.md)',
    '',
    `query on an S3 lake (a week of snapshots, ${s3.curated_bytes} curated bytes)   bytes fetched`,
    ...Object.entries(s3.per_query_bytes).map(
      ([name, bytes]) =>
        `  ${name.padEnd(32)} ${String(bytes).padStart(10)}  (${((bytes / s3.curated_bytes) * 100).toFixed(1)}%)`,
    ),
  );
}

if (runs('bundles')) {
  log('bundles...');
  const bundles = await benchBundles();
  figures.bundles = bundles;
  lines.push(
    '',
    'Lambda bundle                   bytes      gzip',
    ...Object.entries(bundles).map(
      ([name, b]) =>
        `  ${name.padEnd(24)} ${String(b.bytes).padStart(10)} ${String(b.gzip_bytes).padStart(9)}`,
    ),
  );
}

if (runs('scale')) {
  log('scale (the synthesized state machine in aws-local-stepfunctions)...');
  // --scale-accounts 1000,10000 runs those sizes only.
  const sizes = values['scale-accounts']?.split(',').map(Number) ?? size.scale;
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write(`--scale-accounts takes account counts, e.g. 1000,10000\n`);
    process.exit(2);
  }
  const scale = await benchScale(sizes, log);
  figures.scale = scale;
  figures.scale_prices_usd = PRICES;
  lines.push(
    '',
    "state machine, fast latency, the simulator's mix of users   wall s   largest payload (margin to 256 KiB)   S3 GET/PUT/LIST/HEAD per account   invocations  transitions per account   $ per 1,000 accounts a day",
    ...scale.map(
      (r) =>
        `  ${String(r.accounts).padStart(6)} accounts ${r.status === 'SUCCEEDED' ? '' : r.status} ${String(r.wall_s).padStart(7)}   ${String(r.largest_payload_bytes).padStart(6)} B (${r.payload_margin_bytes} B) ${check(r.payload_margin_bytes > 0)}   ${r.s3_per_account.get}/${r.s3_per_account.put}/${r.s3_per_account.list}/${r.s3_per_account.head}   ${r.lambda_invocations_per_account}  ${r.transitions_per_account}   ${r.cost_per_1000_accounts_per_day_usd}`,
    ),
    '  the Exports step (findings and rollup through Athena, then every export): time, memory the process grew by (the simulated Athena and S3 included), findings, result rows it read back',
    ...scale.map(
      (r) =>
        `  ${String(r.accounts).padStart(6)} accounts   ${r.exports_step_s} s   +${r.exports_step_peak_mb} MB   ${r.findings} findings   ${r.athena_rows_read} rows read back`,
    ),
    `  prices (us-east-1): Step Functions Standard $${PRICES.stepFunctionsStandardPerTransition}/transition, Lambda arm64 $${PRICES.lambdaArmPerGbSecond}/GB-s + $${PRICES.lambdaPerRequest}/request, S3 PUT/LIST $${PRICES.s3PutListPerRequest}, GET/HEAD $${PRICES.s3GetHeadPerRequest} per request`,
  );
}

figures.total_s = Math.round((performance.now() - started) / 1000);
lines.push('', `total ${figures.total_s} s`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
