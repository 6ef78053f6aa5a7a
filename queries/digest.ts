// The digest: what changed since each account's previous snapshot, short enough for an e-mail or
// a chat message. Built from findings_changes rows alone (the same rows on DuckDB and Athena), or
// from their summary (digestSummarySql: what the deployed pipeline reads, a few rows however large
// the organization), so the CLI's --notify and the deployed pipeline send the same words. Pure.
import { BENCHMARKS, type BenchmarkId, COMPLIANCE_CHECKS, SEVERITIES, type Severity } from './catalog.ts';
import type { PlainValue } from './values.ts';

type Row = Record<string, PlainValue>;

export interface DigestCounts {
  readonly check: string;
  readonly title: string;
  readonly severity: Severity;
  readonly new: number;
  readonly resolved: number;
  readonly reopened: number;
}

export interface OwnerCounts {
  readonly owner: string;
  readonly new: number;
  readonly reopened: number;
  readonly resolved: number;
}

export interface Digest {
  readonly dt: string;
  readonly subject: string;
  readonly text: string;
  readonly counts: DigestCounts[];
  readonly newFindings: number;
  readonly resolvedFindings: number;
  /** Findings a waiver covered in the previous snapshot and no longer does. */
  readonly reopenedFindings: number;
  /** What changed per owner, most new and reopened first. */
  readonly byOwner: OwnerCounts[];
  /** Set when this digest is one owner's part. */
  readonly owner?: string;
  /** Accounts whose collection failed that day (suspended ones are not news). */
  readonly notCollected: { accountId: string; accountName: string | null; reason: string | null }[];
  /** Accounts compared with an earlier collected snapshot: 0 means nothing could be compared. */
  readonly comparedAccounts: number;
  /** True when nothing changed and every active account was collected. */
  readonly empty: boolean;
}

/** At most this many new findings are listed by name; the counts cover them all. */
export const DIGEST_TOP = 15;

const rank = (s: PlainValue) => {
  const i = SEVERITIES.indexOf(s as Severity);
  return i < 0 ? SEVERITIES.length : i;
};
const str = (v: PlainValue) => (v === null || v === undefined ? '' : String(v));

const CHANGES = new Set(['new', 'reopened', 'resolved']);

/** How many findings_changes rows a row stands for: a summary's count, else one. */
const weight = (r: Row) => (r.n === null || r.n === undefined ? 1 : Number(r.n));

/** Text order by UTF-16 code units, which DuckDB and Athena agree with for these keys. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The rows of findings_changes (its SQL given, parameters filled) summarised so that a digest
 * built from them is the one built from every row, whatever the size of the organization: per
 * owner and change, the first DIGEST_TOP new and reopened findings in full (most severe first,
 * then by key: the ones a digest lists), every other change counted per check, severity and
 * owner in a row with its count `n`; the accounts whose collection failed in full (a digest names
 * each; suspended ones are not news and are left out); the rows that only count (compared,
 * no_previous_snapshot, not_evaluated) counted. DuckDB and Athena alike.
 */
/** The columns of findings_changes, in its order. */
export const FINDINGS_CHANGES_COLUMNS = [
  'dt',
  'account_id',
  'account_name',
  'check_name',
  'severity',
  'change',
  'finding_key',
  'user_name',
  'detail',
  'owner',
  'waiver_status',
  'waiver_id',
  'previous_dt',
] as const;

export function digestSummarySql(changesSql: string): string {
  const columns = FINDINGS_CHANGES_COLUMNS;
  const severityRank = `CASE c.severity ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE ${SEVERITIES.length} END`;
  const kept = (counted: readonly string[]) =>
    columns.map((c) => (counted.includes(c) ? c : `CAST(NULL AS VARCHAR) AS ${c}`)).join(', ');
  return `WITH c AS (
${changesSql.trimEnd()}
),
ranked AS (
  SELECT c.*, row_number() OVER (PARTITION BY coalesce(c.owner, ''), c.change ORDER BY ${severityRank}, c.finding_key) AS k
  FROM c
  WHERE c.change IN ('new', 'reopened')
)
SELECT ${columns.join(', ')}, CAST(1 AS BIGINT) AS n FROM ranked WHERE k <= ${DIGEST_TOP}
UNION ALL
SELECT ${kept(['check_name', 'severity', 'change', 'owner'])}, count(*) AS n
FROM (
  SELECT ${columns.join(', ')} FROM ranked WHERE k > ${DIGEST_TOP}
  UNION ALL
  SELECT ${columns.join(', ')} FROM c WHERE c.change = 'resolved'
) x
GROUP BY check_name, severity, change, owner
UNION ALL
SELECT ${columns.join(', ')}, CAST(1 AS BIGINT) AS n
FROM c
WHERE c.change = 'not_collected' AND coalesce(c.detail, '') <> 'not_active'
UNION ALL
SELECT ${kept(['change'])}, count(*) AS n
FROM c
WHERE c.change IN ('compared', 'no_previous_snapshot', 'not_evaluated')
GROUP BY change
`;
}

export function buildDigest(
  rows: readonly Row[],
  dt: string,
  lake?: string,
  owner?: string,
  benchmark?: BenchmarkId,
): Digest {
  const changed = rows.filter((r) => CHANGES.has(String(r.change)));
  const total = (list: readonly Row[]) => list.reduce((sum, r) => sum + weight(r), 0);
  const counts = COMPLIANCE_CHECKS.map((q) => {
    const of = (change: string) =>
      total(changed.filter((r) => r.check_name === q.name && r.change === change));
    return {
      check: q.name,
      title: q.title,
      severity: q.severity ?? 'low',
      new: of('new'),
      resolved: of('resolved'),
      reopened: of('reopened'),
    };
  }).filter((c) => c.new || c.resolved || c.reopened);
  const byOwner = [...new Set(changed.map((r) => str(r.owner) || 'unowned'))]
    .map((o) => {
      const mine = changed.filter((r) => (str(r.owner) || 'unowned') === o);
      const n = (change: string) => total(mine.filter((r) => r.change === change));
      return { owner: o, new: n('new'), reopened: n('reopened'), resolved: n('resolved') };
    })
    .sort((a, b) => b.new + b.reopened - (a.new + a.reopened) || a.owner.localeCompare(b.owner));
  // The findings listed by name: those given in full (a summary gives the first of each owner).
  const listed = (change: string) =>
    changed
      .filter((r) => r.change === change && r.finding_key !== null && r.finding_key !== undefined)
      .sort(
        (a, b) => rank(a.severity) - rank(b.severity) || byCodeUnits(str(a.finding_key), str(b.finding_key)),
      );
  const reopened = listed('reopened');
  const fresh = listed('new');
  const newRows = changed.filter((r) => r.change === 'new');
  const freshCount = total(newRows);
  const reopenedCount = total(changed.filter((r) => r.change === 'reopened'));
  const notCollected = rows
    .filter((r) => r.change === 'not_collected' && r.detail !== 'not_active')
    .map((r) => ({
      accountId: str(r.account_id),
      accountName: (r.account_name as string | null) ?? null,
      reason: (r.detail as string | null) ?? null,
    }));
  const noBaseline = total(rows.filter((r) => r.change === 'no_previous_snapshot'));
  const notEvaluated = total(rows.filter((r) => r.change === 'not_evaluated'));
  const resolved = total(changed) - freshCount - reopenedCount;
  const comparedAccounts = total(rows.filter((r) => r.change === 'compared'));
  const worst = [...newRows].sort((a, b) => rank(a.severity) - rank(b.severity))[0]?.severity;
  const subject =
    comparedAccounts === 0
      ? firstSubject(dt, notCollected.length)
      : [
          `credlake ${dt}${owner ? ` for ${owner}` : ''}: ${freshCount} new finding${freshCount === 1 ? '' : 's'}`,
          freshCount && worst ? ` (${total(newRows.filter((r) => r.severity === worst))} ${worst})` : '',
          reopenedCount ? `, ${reopenedCount} reopened` : '',
          `, ${resolved} resolved`,
          notCollected.length
            ? `, ${notCollected.length} account${notCollected.length === 1 ? '' : 's'} not collected`
            : '',
        ].join('');
  const lines = [
    `What changed on ${dt}${owner ? ` in the findings owned by ${owner}` : ''}, against each account's previous collected snapshot${lake ? ` (lake ${lake})` : ''}.`,
    '',
  ];
  if (comparedAccounts === 0)
    lines.push(
      'Nothing to compare with: no account collected on this day has an earlier collected snapshot.',
    );
  else if (counts.length) {
    lines.push(`${'new'.padStart(5)} ${'reopened'.padStart(8)} ${'resolved'.padStart(8)}  check`);
    for (const c of counts.sort((a, b) => rank(a.severity) - rank(b.severity)))
      lines.push(
        `${String(c.new).padStart(5)} ${String(c.reopened).padStart(8)} ${String(c.resolved).padStart(8)}  ${c.title} (${c.check}, ${c.severity})`,
      );
    if (!owner && byOwner.length) {
      lines.push('', `${'new'.padStart(5)} ${'reopened'.padStart(8)} ${'resolved'.padStart(8)}  owner`);
      for (const o of byOwner)
        lines.push(
          `${String(o.new).padStart(5)} ${String(o.reopened).padStart(8)} ${String(o.resolved).padStart(8)}  ${o.owner}`,
        );
    }
  } else lines.push(`No finding is new or resolved in the ${comparedAccounts} account(s) compared.`);
  if (freshCount) {
    lines.push(
      '',
      `New findings${freshCount > DIGEST_TOP ? ` (the first ${DIGEST_TOP} of ${freshCount}, most severe first)` : ''}:`,
    );
    for (const r of fresh.slice(0, DIGEST_TOP)) lines.push(findingLine(r));
  }
  if (reopenedCount) {
    lines.push('', 'Reopened (a waiver that covered them has lapsed or was withdrawn):');
    for (const r of reopened.slice(0, DIGEST_TOP)) lines.push(findingLine(r));
  }
  if (notCollected.length) {
    lines.push('', 'Accounts not collected (their findings are unknown, not resolved):');
    for (const a of notCollected)
      lines.push(`  ${a.accountId} ${a.accountName ?? ''}: ${a.reason ?? 'unknown'}`);
  }
  if (noBaseline || notEvaluated)
    lines.push(
      '',
      `Not compared: ${noBaseline} account(s) with no previous snapshot, ${notEvaluated} check(s) of an account not evaluated (posture not read).`,
    );
  lines.push(
    '',
    `${benchmark ? `Judged against ${BENCHMARKS[benchmark].title}. ` : ''}Every change: saved query findings_changes.`,
  );
  return {
    dt,
    subject,
    text: `${lines.join('\n')}\n`,
    counts,
    newFindings: freshCount,
    resolvedFindings: resolved,
    reopenedFindings: reopenedCount,
    byOwner,
    ...(owner ? { owner } : {}),
    comparedAccounts,
    notCollected,
    empty: total(changed) === 0 && notCollected.length === 0,
  };
}

function findingLine(r: Row): string {
  const waiver = r.waiver_status === 'waived' ? `  (waived: ${str(r.waiver_id)})` : '';
  const who = str(r.owner) ? `  [${str(r.owner)}]` : '';
  return `  ${str(r.severity).padEnd(8)} ${str(r.account_id)} ${str(r.account_name)}  ${str(r.check_name)}  ${[str(r.user_name), str(r.detail)].filter(Boolean).join(' ')}${who}${waiver}`;
}

/**
 * One digest per owner with a change: each owner's new, reopened and resolved findings, for
 * routing (SNS message attribute `owner`, or a webhook per owner). Accounts not collected stay
 * in the full digest, which goes to the security team.
 */
export function ownerDigests(
  rows: readonly Row[],
  dt: string,
  lake?: string,
  benchmark?: BenchmarkId,
): Digest[] {
  const compared = rows.filter((r) => r.change === 'compared');
  const owners = [
    ...new Set(rows.filter((r) => CHANGES.has(String(r.change))).map((r) => str(r.owner) || 'unowned')),
  ].sort();
  return owners.map((o) =>
    buildDigest(
      [
        ...rows.filter((r) => CHANGES.has(String(r.change)) && (str(r.owner) || 'unowned') === o),
        ...compared,
      ],
      dt,
      lake,
      o,
      benchmark,
    ),
  );
}

function firstSubject(dt: string, notCollected: number): string {
  const missing = notCollected
    ? `, ${notCollected} account${notCollected === 1 ? '' : 's'} not collected`
    : '';
  return `credlake ${dt}: nothing to compare with yet (no earlier snapshot)${missing}`;
}

/** One line on what changed, for a terminal: never "0 new" when nothing could be compared. */
export function changesLine(digest: Digest): string {
  if (digest.comparedAccounts === 0)
    return 'since the previous snapshot: nothing to compare with (no account has an earlier collected snapshot)';
  return `since the previous snapshot: ${digest.newFindings} new, ${digest.reopenedFindings ? `${digest.reopenedFindings} reopened, ` : ''}${digest.resolvedFindings} resolved in ${digest.comparedAccounts} account(s) compared (findings_changes)`;
}
