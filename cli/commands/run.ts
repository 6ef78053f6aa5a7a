import { SNSClient } from '@aws-sdk/client-sns';
import type { Command } from 'commander';
import { clientConfig } from '../../collector/aws/clients.ts';
import type { RunResult } from '../../collector/collect-run.ts';
import { sideBySide } from '../../common/side-by-side.ts';
import { buildHtmlReport } from '../../dashboard/build-report.ts';
import { exportManifestKey, exportsPattern, htmlReportKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { openStore } from '../../lake/open-store.ts';
import type { ObjectStore } from '../../lake/store.ts';
import { BENCHMARKS, COMPLIANCE_CHECKS } from '../../queries/catalog.ts';
import { buildDigest, changesLine, type Digest, ownerDigests } from '../../queries/digest.ts';
import { DuckDbEngine, type QueryResult } from '../../queries/duckdb-engine.ts';
import { exportSnapshot } from '../../queries/export.ts';
import { type NotifyTarget, parseNotifyTarget, parseOwnerRoute, sendDigest } from '../../queries/notify.ts';
import { runSavedQuery } from '../../queries/run-query.ts';
import { addDays } from '../../transforms/dates.ts';
import type { CollectTarget } from '../aws-target.ts';
import { addCollectOptions, type CollectFlags } from '../collect-options.ts';
import { collectInLanes, defaultLanes } from '../day-lanes.ts';
import { ReportedFailure, UsageError } from '../errors.ts';
import { withLakeLock } from '../lake-lock.ts';
import { positiveInt, todayUtc } from '../options.ts';
import { noteStartup, timed } from '../timings.ts';

interface RunFlags extends CollectFlags {
  days?: number;
  lanes?: number;
  notify?: string;
  notifyEmpty?: boolean;
  notifyByOwner?: boolean;
  notifyOwner?: string[];
}

export const DEMO_ACCOUNTS = 30;
export const DEMO_DAYS = 7;

export function registerRun(program: Command): void {
  addCollectOptions(
    program
      .command('run')
      .description('collect, transform, export and write the HTML report in one go: the main job'),
  )
    .option(
      '--days <n>',
      `with --simulate: daily snapshots ending at --date (default ${DEMO_DAYS})`,
      positiveInt('the day count', 400),
    )
    .option(
      '--lanes <n>',
      'with --simulate: collect the days in this many threads side by side (default one per core, at most 2; 1 collects them one after another)',
      positiveInt('the lane count', 16),
    )
    .option(
      '--notify <target>',
      'send a digest of what changed to an SNS topic ARN or an https:// webhook URL (days with no change send nothing)',
    )
    .option('--notify-empty', 'with --notify: send the digest even when nothing changed')
    .option(
      '--notify-by-owner',
      "with --notify: also send each owner's part on its own (on SNS with the message attribute owner, for subscription filter policies)",
    )
    .option(
      '--notify-owner <owner=target>',
      "send one owner's part of the digest to its own webhook URL or SNS topic (repeatable)",
      (value: string, all: string[] = []) => [...all, value],
    )
    .action(async (flags: RunFlags) => {
      if (flags.notifyEmpty && !flags.notify) throw new UsageError('--notify-empty needs --notify <target>');
      if (flags.notifyByOwner && !flags.notify)
        throw new UsageError('--notify-by-owner needs --notify <target>');
      if (flags.notify) parseNotifyTarget(flags.notify);
      for (const route of flags.notifyOwner ?? []) parseOwnerRoute(route);
      if (flags.lanes !== undefined && !flags.simulate)
        throw new UsageError('--lanes needs --simulate: a real organization is collected as one day');
      if (flags.days !== undefined && !flags.simulate) {
        throw new UsageError(
          '--days needs --simulate: a real organization can only be collected as it is today',
        );
      }
      noteStartup();
      const store = await openStore(flags.lake, { region: flags.region });
      await withLakeLock(store, 'run', () => runJob(flags, store));
    });
}

async function runJob(flags: RunFlags, store: ObjectStore): Promise<void> {
  const end = flags.date ?? todayUtc();
  const days = flags.simulate ? (flags.days ?? DEMO_DAYS) : 1;
  const first = addDays(end, 1 - days);
  const started = performance.now();
  const dates = Array.from({ length: days }, (_, i) => addDays(first, i));
  const last = await collectInLanes(
    flags,
    first,
    DEMO_ACCOUNTS,
    dates,
    flags.lanes ?? defaultLanes(),
    async (session, result) => {
      // Exports, report and digest run while the target is open: a simulated SNS lives with it.
      await publish(flags, store, result, session.target, started);
      return result;
    },
  );
  if (last.outcomes.some((o) => o.status === 'failed') || last.interrupted) {
    throw new ReportedFailure(
      'some accounts were not collected: they are listed above and in collection_coverage',
      1,
    );
  }
}

async function publish(
  flags: RunFlags,
  store: ObjectStore,
  last: RunResult,
  target: CollectTarget,
  started: number,
): Promise<void> {
  const engine = await DuckDbEngine.openStore(store);
  // On a local lake the report reads through an engine of its own and is built while the exports
  // run: DuckDB answers one while JavaScript writes the other's CSV files, workbook or page. An
  // S3 lake keeps one engine, so what its queries need is fetched once.
  const reportEngine = store instanceof LocalStore ? await DuckDbEngine.openStore(store) : undefined;
  try {
    const exports = () => timed('exports', () => exportSnapshot(engine, store, last.dt, {}, flags.benchmark));
    const report = () =>
      timed('report', async () => {
        const built = await buildHtmlReport(reportEngine ?? engine, store.location, last.dt);
        await store.put(htmlReportKey(last.dt), built.html, { contentType: 'text/html' });
        return built;
      });
    const [manifest, { results, benchmark }] = reportEngine
      ? await sideBySide(exports, report)
      : [await exports(), await report()];
    const changes = await timed('changes', () =>
      runSavedQuery(engine, 'findings_changes', { date: last.dt }),
    );
    const digest = buildDigest(changes.rows, last.dt, store.location, undefined, benchmark);
    const byOwner = await runSavedQuery(engine, 'findings_by_owner', { date: last.dt });
    const review = await runSavedQuery(engine, 'waivers_review', { date: last.dt });
    process.stdout.write(`\njudged against ${BENCHMARKS[benchmark].title} (--benchmark ${benchmark})\n`);
    process.stdout.write(findingsSummary(results));
    process.stdout.write(`${changesLine(digest)}\n`);
    process.stdout.write(`${ownersLine(byOwner.rows, review.rows.length)}\n\n`);
    process.stdout.write(
      [
        `lake:     ${store.location}`,
        `exports:  ${store.location}/${exportsPattern(last.dt)} (${manifest.queries.length} CSV files, manifest ${exportManifestKey(last.dt)})`,
        `workbook: ${store.location}/${manifest.workbook}`,
        `report:   ${store.location}/${htmlReportKey(last.dt)}`,
        `done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        '',
      ].join('\n'),
    );
    const sns = () => new SNSClient(clientConfig(target.connection));
    const send = async (to: NotifyTarget, d: Digest, where: string) => {
      try {
        await sendDigest(to, d, sns);
      } catch (error) {
        throw new ReportedFailure(
          `the digest could not be sent to ${where}: ${error instanceof Error ? error.message : String(error)} (the lake, exports and report are written)`,
          1,
        );
      }
      process.stdout.write(`notify:   digest sent to ${where}: ${d.subject}\n`);
    };
    const owners = ownerDigests(changes.rows, last.dt, store.location, benchmark);
    if (flags.notify) {
      const to = parseNotifyTarget(flags.notify);
      if (digest.empty && !flags.notifyEmpty) {
        const why = digest.comparedAccounts === 0 ? 'nothing to compare with yet' : 'nothing changed';
        process.stdout.write(`notify:   ${why}: no digest sent (--notify-empty sends one anyway)\n`);
      } else {
        await send(to, digest, flags.notify);
        if (flags.notifyByOwner)
          for (const d of owners) await send(to, d, `${flags.notify} (owner ${d.owner})`);
      }
    }
    for (const route of (flags.notifyOwner ?? []).map(parseOwnerRoute)) {
      const part = owners.find((d) => d.owner === route.owner);
      if (part) await send(route.target, part, `${route.owner}'s target`);
      else process.stdout.write(`notify:   nothing changed for ${route.owner}: no digest sent\n`);
    }
  } finally {
    engine.close();
    reportEngine?.close();
  }
}

/** Owners and waivers in one line: what findings_by_owner and waivers_review hold. */
function ownersLine(rows: QueryResult['rows'], toReview: number): string {
  const sum = (c: string) => rows.reduce((n, r) => n + Number(r[c] ?? 0), 0);
  const unowned = rows.find((r) => r.owner === 'unowned');
  const owned = rows.filter((r) => r.owner !== 'unowned').length;
  return [
    `owners and waivers: ${owned} owner${owned === 1 ? '' : 's'}, ${unowned ? Number(unowned.findings) : 0} findings unowned (findings_by_owner);`,
    `${sum('waived')} waived, ${sum('waiver_expired')} with a lapsed waiver; ${toReview} waiver${toReview === 1 ? '' : 's'} to review (waivers_review)`,
  ].join(' ');
}

/** Per compliance question: how many findings, and the accounts with the most. */
function findingsSummary(results: Record<string, QueryResult>): string {
  const lines = [
    `${'compliance question'.padEnd(34)}${'severity'.padEnd(9)}${'findings'.padStart(9)}  accounts with the most`,
  ];
  for (const check of COMPLIANCE_CHECKS) {
    const rows = results[check.name]?.rows ?? [];
    const perAccount = new Map<string, number>();
    for (const r of rows) {
      const name = String(r.account_name ?? r.account_id);
      perAccount.set(name, (perAccount.get(name) ?? 0) + 1);
    }
    const top = [...perAccount]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, n]) => `${name} (${n})`)
      .join(', ');
    lines.push(
      `${check.name.padEnd(34)}${(check.severity ?? '').padEnd(9)}${String(rows.length).padStart(9)}  ${top}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
