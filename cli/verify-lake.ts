// The checks of \`credlake verify\` for one day: every raw object a run recorded is there with the
// size and SHA-256 the run wrote down, every raw object is recorded by a run, every curated
// partition holds the rows curation makes of the raw report its run names, and every waivers file
// a day was judged by is the one stored.
import { checkEvidence, type VerifyProblem } from '../collector/verify.ts';
import { curateReport } from '../curation/report.ts';
import { curatedAccountPrefix, parseRawReportKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import type { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { checkAppliedWaivers } from '../queries/waivers-source.ts';

export async function verifyDay(engine: DuckDbEngine, store: ObjectStore, dt: string) {
  const check = await checkEvidence(store, dt);
  const curated = await checkCurated(engine, store, dt, check.standing);
  const waivers = await checkWaivers(engine, store, dt);
  return { check, curated, waivers, all: [...check.problems, ...curated.problems, ...waivers.problems] };
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
    const curated = curateReport(ref, bytes, { runId: null, accountName: null });
    if (!curated.ok) {
      problems.push({
        kind: 'curated_mismatch',
        key: partition,
        detail: `its raw report ${ref.key} no longer parses (${curated.rejection.message}), so these rows cannot be traced to it`,
      });
      continue;
    }
    const expected = curated.parsed.rows.map(fingerprint).sort();
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
