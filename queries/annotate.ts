// Each finding's owner and waiver status, decided from the context the findings SQL joins to it
// (the user's ARN, the account's OU path, the user's and the account's tags for the keys that
// matter). The rules are written twice on purpose: as SQL the engine runs over the day's findings
// (annotationSql, what the pipeline uses), and as plain functions (ownerOf here, waiverStatus in
// waivers.ts) that the tests hold the SQL to, case by case.
import type { PlainValue } from './values.ts';
import { daysToExpiry, inForce, type Waiver, type WaiverStatus, waiverScope } from './waivers.ts';

/** Tag keys naming a finding's owner, first found wins: on the user, then on the account. */
export const DEFAULT_OWNER_TAGS: readonly string[] = ['owner', 'team'];

export const UNOWNED = 'unowned';

/** Letters, digits, spaces and `_ . : / = + - @`: what IAM and Organizations allow in a tag key. */
const TAG_KEY = /^[\p{L}\p{N} _.:/=+\-@]{1,128}$/u;

/** Reads a comma-separated list of owner tag keys; throws a plain message on a bad one. */
export function parseOwnerTags(value: string): string[] {
  const keys = value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.length === 0) throw new Error('give at least one tag key, e.g. owner,team');
  for (const k of keys)
    if (!TAG_KEY.test(k))
      throw new Error(`${JSON.stringify(k)} is not a tag key (letters, digits, spaces and _ . : / = + - @)`);
  return [...new Set(keys)];
}

/** The tag keys the findings SQL joins: owner tags and, for users, the waivers' tag criteria. */
export interface ContextKeys {
  readonly userTagKeys: readonly string[];
  readonly accountTagKeys: readonly string[];
}

export function contextKeys(waivers: readonly Waiver[], ownerTags: readonly string[]): ContextKeys {
  const fromWaivers = waivers.flatMap((w) => Object.keys(w.tags));
  return { userTagKeys: [...new Set([...ownerTags, ...fromWaivers])], accountTagKeys: [...ownerTags] };
}

/** The waivers file a rollup applies, as stored in the lake. */
export interface AppliedWaivers {
  readonly waivers: readonly Waiver[];
  readonly key: string;
  readonly sha256: string;
}

/** An SQL string literal. */
const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;

/** Text that SQL LIKE matches literally, with a backslash as the escape character. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** A waiver pattern (`*` any run of characters, `?` one) as an SQL LIKE pattern (same escape). */
export function globToLike(pattern: string): string {
  return escapeLike(pattern).replace(/\*/g, '%').replace(/\?/g, '_');
}

/**
 * JavaScript's trim() in SQL that DuckDB and Athena read alike: the class is exactly what trim()
 * removes (tab, vertical tab, form feed, line breaks, the byte order mark and Unicode's space,
 * line and paragraph separators), and regexp_extract behaves the same in both engines, where
 * trim() and regexp_replace do not.
 */
const trimmed = (expr: string) =>
  `regexp_extract(${expr}, '(?s)^[\\t\\n\\x0B\\f\\r\\x{FEFF}\\p{Z}]*(.*?)[\\t\\n\\x0B\\f\\r\\x{FEFF}\\p{Z}]*$', 1)`;

/** Whether waiver `w` covers the finding row aliased `r` (never NULL), as waiverMatches decides. */
function matchesSql(w: Waiver, keys: ContextKeys, r: string): string {
  const like = (column: string, patterns: readonly string[]) =>
    `(${patterns.map((p) => `${r}.${column} LIKE ${literal(globToLike(p))} ESCAPE '\\'`).join(' OR ')})`;
  const terms = [`${r}.check_name = ${literal(w.check)}`];
  if (w.accounts.length) terms.push(`${r}.account_id IN (${w.accounts.map(literal).join(', ')})`);
  if (w.ous.length)
    terms.push(
      `(${w.ous.map((o) => `${r}.ou_path = ${literal(o)} OR ${r}.ou_path LIKE ${literal(`${escapeLike(o)}/%`)} ESCAPE '\\'`).join(' OR ')})`,
    );
  if (w.users.length) terms.push(like('user_name', w.users));
  if (w.arns.length) terms.push(like('user_arn', w.arns));
  for (const [k, v] of Object.entries(w.tags)) {
    // Account-level findings have no user, so no user tags to match.
    const column = `${r}.user_tag_${keys.userTagKeys.indexOf(k)}`;
    terms.push(
      `${r}.user_name IS NOT NULL`,
      v === '*' ? `${column} IS NOT NULL` : `${column} = ${literal(v)}`,
    );
  }
  return `coalesce(${terms.join(' AND ')}, false)`;
}

/**
 * Each finding's owner and waiver columns as SQL over the row aliased `r` (with the context
 * columns of dailyFindingsSql): the first owner tag on the user, else on the account, else
 * unowned; the first waiver in force that covers it (waived), else the first lapsed one
 * (waiver_expired), else open. The same rules as ownerOf and waiverStatus, run by the engine, so
 * no step holds the day's findings in memory.
 */
export function annotationSql(
  keys: ContextKeys,
  ownerTags: readonly string[],
  waivers: readonly Waiver[],
  dt: string,
  r = 'r',
): { owner: string; ownerSource: string; waiverStatus: string; waiverId: string } {
  const sources = [
    ...ownerTags.map((k) => ({
      expr: `${r}.user_tag_${keys.userTagKeys.indexOf(k)}`,
      source: `user_tag:${k}`,
    })),
    ...ownerTags.map((k) => ({
      expr: `${r}.account_tag_${keys.accountTagKeys.indexOf(k)}`,
      source: `account_tag:${k}`,
    })),
  ];
  const owner = sources.length
    ? `CASE ${sources.map((s) => `WHEN ${trimmed(s.expr)} <> '' THEN ${trimmed(s.expr)}`).join(' ')} ELSE ${literal(UNOWNED)} END`
    : literal(UNOWNED);
  const ownerSource = sources.length
    ? `CASE ${sources.map((s) => `WHEN ${trimmed(s.expr)} <> '' THEN ${literal(s.source)}`).join(' ')} ELSE ${literal(UNOWNED)} END`
    : literal(UNOWNED);
  // In force first (file order), then lapsed (file order): the first that matches decides.
  const ordered = [
    ...waivers.filter((w) => inForce(w, dt)).map((w) => ({ w, status: 'waived' as WaiverStatus })),
    ...waivers.filter((w) => !inForce(w, dt)).map((w) => ({ w, status: 'waiver_expired' as WaiverStatus })),
  ];
  const pick = (value: (o: (typeof ordered)[number]) => string, otherwise: string) =>
    ordered.length
      ? `CASE ${ordered.map((o) => `WHEN ${matchesSql(o.w, keys, r)} THEN ${value(o)}`).join(' ')} ELSE ${otherwise} END`
      : otherwise;
  return {
    owner,
    ownerSource,
    waiverStatus: pick((o) => literal(o.status), literal('open')),
    waiverId: pick((o) => literal(o.w.id), 'CAST(NULL AS VARCHAR)'),
  };
}

/** The day's waivers table rows, given how many findings each waiver covered. */
export function waiverTableRows(
  applied: AppliedWaivers | null,
  dt: string,
  matched: ReadonlyMap<string, number>,
): Record<string, PlainValue>[] {
  return (applied?.waivers ?? []).map((w) => ({
    waiver_id: w.id,
    check_name: w.check,
    scope: waiverScope(w),
    reason: w.reason,
    approved_by: w.approvedBy,
    expires: w.expires,
    in_force: inForce(w, dt),
    days_to_expiry: daysToExpiry(w, dt),
    matched: matched.get(w.id) ?? 0,
    source_key: applied!.key,
    source_sha256: applied!.sha256,
  }));
}

/** The first owner tag on the user, else on the account, else unowned. */
export function ownerOf(
  userTags: Readonly<Record<string, string>>,
  accountTags: Readonly<Record<string, string>>,
  ownerTags: readonly string[],
): { owner: string; source: string } {
  for (const k of ownerTags) {
    const v = userTags[k]?.trim();
    if (v) return { owner: v, source: `user_tag:${k}` };
  }
  for (const k of ownerTags) {
    const v = accountTags[k]?.trim();
    if (v) return { owner: v, source: `account_tag:${k}` };
  }
  return { owner: UNOWNED, source: UNOWNED };
}
