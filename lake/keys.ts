// The lake's key layout (docs/data-model.md), written once. Every reader and writer of the
// lake builds and parses keys through these functions.
import type { TableName } from '../transforms/schema.ts';

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** The raw zones, each a prefix of the lake. */
export const RAW_ZONES = {
  reports: 'raw/credential_report/',
  quarantine: 'raw/quarantine/',
  posture: 'raw/posture/',
  accounts: 'raw/accounts/',
  runs: 'raw/runs/',
  waivers: 'raw/waivers/',
} as const;

/**
 * The waivers file the lake's owner maintains (`credlake waivers put`, or an upload to the
 * bucket): read by every rollup, which keeps the bytes it applied under raw/waivers/.
 */
export const WAIVERS_FILE_KEY = 'config/waivers.yaml';

/** A waivers file as applied to a day's findings, named by its content's SHA-256. */
export function rawWaiversKey(dt: string, sha256: string): string {
  return `${RAW_ZONES.waivers}dt=${dt}/waivers-${sha256.slice(0, 16)}.yaml`;
}

/** `2024-05-01T06-07-08Z` as it appears in a raw key: seconds precision, colons as `-`. */
export function generatedAtToken(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
}

export function parseGeneratedAtToken(token: string): number {
  const iso = token.replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3');
  return Date.parse(iso);
}

export function rawReportPrefix(dt: string, accountId?: string): string {
  return `${RAW_ZONES.reports}dt=${dt}/${accountId ? `account_id=${accountId}/` : ''}`;
}

/** The exports of a day: `exports/<query>/dt=<dt>/`, with `<query>` left for the reader to fill. */
export function exportsPattern(dt: string): string {
  return `exports/<query>/dt=${dt}/`;
}

/**
 * Key of a raw report. Different bytes with the same GeneratedTime (IAM served a truncated copy
 * once, a good one later) each keep their own object: the second and later get `~<digest>`, the
 * first 12 hex digits of their SHA-256.
 */
export function rawReportKey(dt: string, accountId: string, generatedAt: number, digest?: string): string {
  return `${rawReportPrefix(dt, accountId)}generated_at=${generatedAtToken(generatedAt)}${digest ? `~${digest}` : ''}.csv`;
}

/** A report that did not parse, kept as evidence of the failure, never curated. */
export function quarantineKey(dt: string, accountId: string, generatedAt: number, digest: string): string {
  return `${RAW_ZONES.quarantine}dt=${dt}/account_id=${accountId}/generated_at=${generatedAtToken(generatedAt)}~${digest}.csv`;
}

export interface RawReportRef {
  readonly key: string;
  readonly dt: string;
  readonly accountId: string;
  readonly generatedAt: number;
}

const RAW_REPORT_KEY =
  /^raw\/credential_report\/dt=(\d{4}-\d{2}-\d{2})\/account_id=(\d{12})\/generated_at=([0-9TZ-]+)(?:~[0-9a-f]{12})?\.csv$/;

export function parseRawReportKey(key: string): RawReportRef | undefined {
  const m = RAW_REPORT_KEY.exec(key);
  if (!m) return undefined;
  const generatedAt = parseGeneratedAtToken(m[3]);
  return Number.isNaN(generatedAt) ? undefined : { key, dt: m[1], accountId: m[2], generatedAt };
}

/**
 * The raw zones that hold what AWS answered (reports, quarantined reports, posture records, the
 * organization snapshot): the evidence that is locked, hashed into run manifests, and verified.
 * The run records under raw/runs/ are the pipeline's own ledger.
 */
export const EVIDENCE_ZONES = [
  RAW_ZONES.reports,
  RAW_ZONES.quarantine,
  RAW_ZONES.posture,
  RAW_ZONES.accounts,
] as const;

/** The evidence zones written by the collector alone (the plan writes the org snapshot). */
export const COLLECTOR_EVIDENCE_ZONES = EVIDENCE_ZONES.filter((z) => z !== RAW_ZONES.accounts);

/** The prefix of one day's posture records. */
export function rawPosturePrefix(dt: string): string {
  return `${RAW_ZONES.posture}dt=${dt}/`;
}

/** What IAM said of an account's posture and privileges, kept as read. */
export function rawPostureKey(dt: string, accountId: string): string {
  return `${rawPosturePrefix(dt)}account_id=${accountId}/posture.json`;
}

export function isRawPostureKey(key: string): boolean {
  return key.startsWith(RAW_ZONES.posture) && key.endsWith('/posture.json');
}

/**
 * The organization snapshot of a day: `accounts.json` for the day's first, and one named by its
 * run (`accounts-<runId>.json`) for each later run of the same day that found the organization
 * changed. The newest of them is the day's.
 */
export function rawAccountsKey(dt: string, runId?: string): string {
  return `${RAW_ZONES.accounts}dt=${dt}/accounts${runId ? `-${runId}` : ''}.json`;
}

/** The day's organization snapshots, oldest first (the first, then later runs' in run order). */
export function accountsKeysInOrder(keys: readonly string[], dt: string): string[] {
  const first = rawAccountsKey(dt);
  const later = keys
    .filter((k) => k.startsWith(`${accountsPrefix(dt)}accounts-`) && k.endsWith('.json'))
    .sort();
  return [...(keys.includes(first) ? [first] : []), ...later];
}

export function accountsPrefix(dt: string): string {
  return `${RAW_ZONES.accounts}dt=${dt}/`;
}

/** Run records: each run's plan, per-account outcomes and manifest. */
export const RUNS_ZONE = RAW_ZONES.runs;

export function runsPrefix(dt: string): string {
  return `${RUNS_ZONE}dt=${dt}/`;
}

/** The accounts a deployed run planned to collect, read by the Distributed Map's ItemReader. */
export function runItemsKey(dt: string, runId: string): string {
  return `${runsPrefix(dt)}run_id=${runId}/items.json`;
}

/** Where the Distributed Map writes its child workflows' results (a ResultWriter). */
export function runMapResultsPrefix(dt: string, runId: string): string {
  return `${runsPrefix(dt)}run_id=${runId}/map-results`;
}

/**
 * Outcomes are filed by account, then run, so one account's earlier outcomes of the day are one
 * small listing away: a per-account step never reads the whole organization's.
 */
export function outcomesPrefix(dt: string, accountId?: string): string {
  return `${runsPrefix(dt)}outcomes/${accountId ? `account_id=${accountId}/` : ''}`;
}

/** One account's outcome in one run, journaled as soon as the account is done. */
export function outcomeKey(dt: string, runId: string, accountId: string): string {
  return `${outcomesPrefix(dt, accountId)}run_id=${runId}.json`;
}

const OUTCOME_KEY = /\/outcomes\/account_id=(\d{12})\/run_id=([^/]+)\.json$/;

export function parseOutcomeKey(key: string): { accountId: string; runId: string } | undefined {
  const m = OUTCOME_KEY.exec(key);
  return m ? { accountId: m[1], runId: m[2] } : undefined;
}

export function manifestKey(dt: string, runId: string): string {
  return `${runsPrefix(dt)}run_id=${runId}/manifest.json`;
}

/** The curated zone: one folder per table. */
export const CURATED_ZONE = 'curated/';

export function curatedPrefix(table: TableName, dt?: string): string {
  return `${CURATED_ZONE}${table}/${dt ? `dt=${dt}/` : ''}`;
}

/** The folder of one account's partition of a per-account table. */
export function curatedAccountPrefix(table: TableName, dt: string, accountId: string): string {
  return `${curatedPrefix(table, dt)}account_id=${accountId}/`;
}

/**
 * A glob over a table's Parquet files under a lake root: every partition, or one dt's. `depth`
 * is the number of partition keys (dt, then account_id for per-account tables).
 */
export function curatedGlob(root: string, table: TableName, depth: number, dt?: string): string {
  const levels = Array.from({ length: depth }, (_, i) => (i === 0 && dt ? `dt=${dt}` : '*')).join('/');
  return `${root}/${CURATED_ZONE}${table}/${levels}/*.parquet`;
}

/** Key of a curated Parquet file; per-account tables take the account id. */
export function curatedKey(table: TableName, dt: string, accountId?: string): string {
  return `${accountId ? curatedAccountPrefix(table, dt, accountId) : curatedPrefix(table, dt)}data.parquet`;
}

/** Where the workgroup keeps Athena's query results (expired after a few days). */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';

/** A fresh, empty folder in the results for one UNLOAD of a table's partition to write into. */
export function unloadStagingPrefix(table: TableName, dt: string, token: string): string {
  return `${ATHENA_RESULTS_PREFIX}unload/${table}/dt=${dt}/${token}/`;
}

/** Key of one file of a derived table's partition as copied from an UNLOAD's output. */
export function curatedPartKey(table: TableName, dt: string, queryExecutionId: string, n: number): string {
  return `${curatedPrefix(table, dt)}part-${queryExecutionId}-${String(n).padStart(5, '0')}.parquet`;
}

export function exportKey(query: string, dt: string): string {
  return `exports/${query}/dt=${dt}/${query}.csv`;
}

/** The HTML report of a snapshot, written by `credlake run`. */
export function htmlReportKey(dt: string): string {
  return `reports/dt=${dt}/credlake-report.html`;
}

/** Row counts of one day's exports. */
export function exportManifestKey(dt: string): string {
  return `exports/manifest/dt=${dt}/manifest.json`;
}

/** One day's exports as one Excel workbook (a summary sheet and a sheet per query), beside the manifest. */
export function exportWorkbookKey(dt: string): string {
  return `exports/manifest/dt=${dt}/credlake-${dt}.xlsx`;
}

/** The `dt=` values found in a list of keys, sorted. */
export function datesIn(keys: readonly string[]): string[] {
  const dates = new Set<string>();
  for (const key of keys) {
    const m = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})\//.exec(key);
    if (m) dates.add(m[1]);
  }
  return [...dates].sort();
}

/** A lake key under the lake's prefix in its bucket (`prefix/key`, or the key alone). */
export function prefixed(prefix: string, key: string): string {
  const base = prefix.replace(/\/+$/, '');
  return base ? `${base}/${key}` : key;
}
