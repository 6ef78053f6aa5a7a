// The report's first screen: what changed since each account's previous snapshot. New and
// resolved findings per check and per account, the standing totals with their change, and what
// could not be compared; the full list of changes follows as an ordinary table.
import { COMPLIANCE_CHECKS, SEVERITIES } from '../queries/catalog.ts';
import type { QueryResult } from '../queries/duckdb-engine.ts';
import type { PlainValue } from '../queries/values.ts';
import type { ChangesVisual } from './spec.ts';

type Row = Record<string, PlainValue>;

export const esc = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
export const text = (v: PlainValue | undefined) => (v === null || v === undefined ? '' : String(v));

const badge = (severity: string) => `<span class="sev sev-${esc(severity)}">${esc(severity)}</span>`;
const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');

function table(head: string[], body: string[][], id: string): string {
  return `<table class="summary" id="${id}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderChanges(
  visual: ChangesVisual,
  changes: QueryResult,
  trend: QueryResult,
  dt: string,
): string {
  const rows = changes.rows;
  const changed = rows.filter((r) => r.change === 'new' || r.change === 'resolved');
  const compared = rows.filter((r) => r.change === 'compared');
  const count = (pred: (r: Row) => boolean) => changed.filter(pred).length;
  const previous = [...new Set(compared.map((r) => text(r.previous_dt)).filter(Boolean))].sort();
  const against = previous.length
    ? `against ${previous.map(esc).join(', ')}`
    : 'no earlier snapshot to compare with';
  const parts = [`<h3>${esc(visual.title)} <span class="count">${esc(dt)}, ${against}</span></h3>`];
  if (compared.length === 0) {
    // A first snapshot: nothing is new or resolved because nothing could be compared, which is
    // not the same as nothing having changed.
    parts.push(
      '<p class="neutral" id="changes-headline">Nothing to compare with yet: no account collected on this day has an earlier collected snapshot. New and resolved findings show from the next snapshot on.</p>',
    );
    parts.push(standing(trend, undefined));
    parts.push(notCompared(rows));
    return `<div class="changes" id="${visual.id}">${parts.join('\n')}</div>`;
  }
  parts.push(
    `<p class="headline" id="changes-headline"><strong>${count((r) => r.change === 'new')}</strong> new and <strong>${count((r) => r.change === 'resolved')}</strong> resolved findings in the ${compared.length} account${compared.length === 1 ? '' : 's'} compared.</p>`,
  );

  const perCheck = COMPLIANCE_CHECKS.map((q) => ({
    q,
    fresh: count((r) => r.check_name === q.name && r.change === 'new'),
    gone: count((r) => r.check_name === q.name && r.change === 'resolved'),
  }))
    .filter((c) => c.fresh || c.gone)
    .sort(
      (a, b) => SEVERITIES.indexOf(a.q.severity!) - SEVERITIES.indexOf(b.q.severity!) || b.fresh - a.fresh,
    );
  parts.push(
    perCheck.length
      ? `<div class="pair"><div><h4>By check</h4>${table(
          ['Check', 'Severity', 'New', 'Resolved'],
          perCheck.map((c) => [esc(c.q.title), badge(c.q.severity!), String(c.fresh), String(c.gone)]),
          'changes-by-check',
        )}</div>${byAccount(changed)}</div>`
      : `<p class="ok" id="changes-by-check">No finding is new or resolved in the ${compared.length} account${compared.length === 1 ? '' : 's'} compared.</p>`,
  );
  parts.push(standing(trend, { changed, accounts: compared.length }));
  parts.push(notCompared(rows));
  return `<div class="changes" id="${visual.id}">${parts.join('\n')}</div>`;
}

function byAccount(changed: Row[]): string {
  const accounts = new Map<string, { name: string; fresh: number; gone: number }>();
  for (const r of changed) {
    const a = accounts.get(text(r.account_id)) ?? { name: text(r.account_name), fresh: 0, gone: 0 };
    if (r.change === 'new') a.fresh++;
    else a.gone++;
    accounts.set(text(r.account_id), a);
  }
  const list = [...accounts].sort((x, y) => y[1].fresh - x[1].fresh || x[0].localeCompare(y[0]));
  const shown = list.slice(0, 15);
  return `<div><h4>By account${list.length > shown.length ? ` (the ${shown.length} with most new of ${list.length})` : ''}</h4>${table(
    ['Account', 'Account name', 'New', 'Resolved'],
    shown.map(([id, a]) => [esc(id), esc(a.name), String(a.fresh), String(a.gone)]),
    'changes-by-account',
  )}</div>`;
}

/**
 * Today's totals per check, and their change counted over the accounts compared only (new minus
 * resolved): an account missing today, or new today, is never read as a decrease or an increase.
 */
function standing(trend: QueryResult, comparison: { changed: Row[]; accounts: number } | undefined): string {
  const now = trend.rows.at(-1);
  if (!now) return '';
  const body = COMPLIANCE_CHECKS.map((q) => {
    const value = now[q.name];
    const shown = value === null || value === undefined ? 'not evaluated' : String(value);
    const row = [esc(q.title), badge(q.severity!), esc(shown)];
    if (!comparison) return row;
    const of = (change: string) =>
      comparison.changed.filter((r) => r.check_name === q.name && r.change === change).length;
    return [...row, esc(signed(of('new') - of('resolved')))];
  });
  const head = ['Check', 'Severity', `Findings ${text(now.dt)}`];
  if (comparison)
    head.push(`Change in the ${comparison.accounts} account${comparison.accounts === 1 ? '' : 's'} compared`);
  return `<h4>Standing findings</h4>${table(head, body, 'standing-totals')}`;
}

function notCompared(rows: Row[]): string {
  const down = rows.filter((r) => r.change === 'not_collected' && r.detail !== 'not_active');
  const fresh = rows.filter((r) => r.change === 'no_previous_snapshot').length;
  const unjudged = rows.filter((r) => r.change === 'not_evaluated').length;
  const notes: string[] = [];
  if (down.length)
    notes.push(
      `${down.length} account(s) not collected, so not compared (their findings are unknown, not resolved): ${down
        .slice(0, 10)
        .map((r) => `${esc(text(r.account_id))} ${esc(text(r.account_name))} (${esc(text(r.detail))})`)
        .join('; ')}${down.length > 10 ? '; …' : ''}`,
    );
  if (fresh) notes.push(`${fresh} account(s) with no earlier snapshot: nothing to compare yet`);
  if (unjudged)
    notes.push(
      `${unjudged} check(s) of an account not evaluated in one of the two snapshots (posture not read)`,
    );
  return notes.length
    ? `<ul class="not-compared" id="not-compared">${notes.map((n) => `<li>${n}</li>`).join('')}</ul>`
    : '';
}
