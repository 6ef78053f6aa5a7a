// `credlake verify`: the chain of custody of a lake, for an auditor. Every raw object a run
// recorded is there with the size and SHA-256 the run wrote down, every raw object is recorded by
// a run, and every curated partition holds the rows of the raw report its run names.
import type { Command } from 'commander';
import { checkEvidence, type VerifyProblem } from '../../collector/verify.ts';
import { curatedAccountPrefix, datesIn, parseRawReportKey, RUNS_ZONE } from '../../lake/keys.ts';
import { openStore } from '../../lake/open-store.ts';
import type { ObjectStore } from '../../lake/store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { summarizeDates } from '../../queries/run-query.ts';
import { checkAppliedWaivers } from '../../queries/waivers-source.ts';
import { parseCredentialReport } from '../../transforms/credential-report.ts';
import { MalformedReportError } from '../../transforms/errors.ts';
import { ReportedFailure, UsageError } from '../errors.ts';
import { requireLake } from '../lake-check.ts';
import { LAKE_FLAG, parseDateOption } from '../options.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'check the chain of custody: raw evidence against the run manifests, curated data against raw',
    )
    .option(...LAKE_FLAG)
    .option('--date <YYYY-MM-DD>', 'only this snapshot date', parseDateOption)
    .action(async (opts: { lake: string; date?: string }) => {
      const store = openStore(opts.lake);
      requireLake(store);
      const known = datesIn(await store.list(RUNS_ZONE));
      if (known.length === 0) throw new UsageError(`nothing to verify: no run records in ${store.location}`);
      // A date with nothing recorded is not a clean bill of health: it is nothing verified.
      if (opts.date && !known.includes(opts.date))
        throw new UsageError(
          `nothing to verify for ${opts.date}: no run records for that date in ${store.location} (dates with runs: ${summarizeDates(known)})`,
        );
      const dates = opts.date ? [opts.date] : known;
      let problems = 0;
      const engine = await DuckDbEngine.openStore(store);
      try {
        for (const dt of dates) {
          const check = await checkEvidence(store, dt);
          const curated = await checkCurated(engine, store, dt, check.standing);
          const waivers = await checkWaivers(engine, store, dt);
          const all = [...check.problems, ...curated.problems, ...waivers.problems];
          process.stdout.write(
            `${dt}: ${check.checked} raw objects in ${check.manifests} run manifest(s), ${curated.checked} curated partitions${waivers.checked ? `, ${waivers.checked} waivers file(s) applied` : ''}: ${all.length ? `${all.length} problem(s)` : 'ok'}\n`,
          );
          for (const p of all) process.stdout.write(`  ${p.kind.padEnd(16)} ${p.key}: ${p.detail}\n`);
          problems += all.length;
        }
      } finally {
        engine.close();
      }
      if (problems)
        throw new ReportedFailure(`${problems} problem(s) in the chain of custody of ${store.location}`);
    });
}

/** The waivers the day's findings were judged by, against the stored file each names. */
async function checkWaivers(engine: DuckDbEngine, store: ObjectStore, dt: string) {
  await engine.useSnapshot(dt, ['waivers', 'findings']);
  const waivers = (
    await engine.run(`SELECT waiver_id, source_key, source_sha256 FROM waivers WHERE dt = '${dt}'`)
  ).rows;
  const named = (
    await engine.run(`SELECT DISTINCT waiver_id FROM findings WHERE dt = '${dt}' AND waiver_id IS NOT NULL`)
  ).rows.map((r) => String(r.waiver_id));
  return checkAppliedWaivers(store, dt, waivers, named);
}

/** Each collected account's curated rows against a parse of the raw bytes its outcome names. */
async function checkCurated(
  engine: DuckDbEngine,
  store: ObjectStore,
  dt: string,
  standing: Awaited<ReturnType<typeof checkEvidence>>['standing'],
): Promise<{ checked: number; problems: VerifyProblem[] }> {
  const problems: VerifyProblem[] = [];
  let checked = 0;
  await engine.useSnapshot(dt);
  const rows = (
    await engine.run(
      `SELECT account_id, user_name, arn, mfa_active, password_enabled, access_key_1_active, access_key_2_active,
              epoch_ms(report_generated_at) AS at
         FROM credential_report WHERE dt = '${dt}'`,
    )
  ).rows;
  for (const o of standing.filter((s) => s.status === 'collected' && s.rawKey)) {
    const ref = parseRawReportKey(o.rawKey!);
    const partition = curatedAccountPrefix('credential_report', dt, o.accountId);
    if (!ref) {
      // A run named a raw key that is not a report's: nothing can be traced to it, so say so.
      problems.push({
        kind: 'unreadable_key',
        key: o.rawKey!,
        detail: `run ${o.runId} names it as the raw report of ${o.accountId}, but it is not a credential report key`,
      });
      continue;
    }
    checked++;
    const bytes = await store.get(ref.key);
    if (!bytes) continue; // reported as missing evidence
    const fingerprint = (r: Record<string, unknown>) =>
      JSON.stringify([
        r.user_name,
        r.arn,
        r.mfa_active,
        r.password_enabled,
        r.access_key_1_active,
        r.access_key_2_active,
      ]);
    let expected: string[];
    try {
      expected = parseCredentialReport(bytes, {
        accountId: o.accountId,
        accountName: null,
        runId: '',
        generatedAt: ref.generatedAt,
      })
        .rows.map(fingerprint)
        .sort();
    } catch (error) {
      if (!(error instanceof MalformedReportError)) throw error;
      problems.push({
        kind: 'curated_mismatch',
        key: partition,
        detail: `its raw report ${ref.key} no longer parses (${error.message}), so these rows cannot be traced to it`,
      });
      continue;
    }
    const actual = rows.filter((r) => r.account_id === o.accountId);
    const same =
      JSON.stringify(actual.map(fingerprint).sort()) === JSON.stringify(expected) &&
      actual.every((r) => Number(r.at) === ref.generatedAt);
    if (!same) {
      problems.push({
        kind: 'curated_mismatch',
        key: partition,
        detail: `holds ${actual.length} rows that are not those of ${ref.key} (${expected.length} rows), which run ${o.runId} names`,
      });
    }
  }
  return { checked, problems };
}
