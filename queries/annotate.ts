// Each finding's owner and waiver status, decided from the context the findings SQL joins to it
// (the user's ARN, the account's OU path, the user's and the account's tags for the keys that
// matter). Pure, and the same for DuckDB and Athena rows.
import type { PlainValue } from './values.ts';
import {
  daysToExpiry,
  inForce,
  type Waiver,
  type WaiverStatus,
  waiverScope,
  waiverStatus,
} from './waivers.ts';

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

type Row = Record<string, PlainValue>;

const text = (v: PlainValue): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Gives each finding row (with the context columns of dailyFindingsSql) its owner and waiver
 * status, and returns the day's waivers table rows (how many findings each covered).
 */
export function annotateFindings(
  rows: readonly Row[],
  dt: string,
  keys: ContextKeys,
  ownerTags: readonly string[],
  applied: AppliedWaivers | null,
): { findings: Row[]; waivers: Row[] } {
  const waivers = applied?.waivers ?? [];
  const matched = new Map<string, number>();
  const findings = rows.map((row) => {
    const userTags: Record<string, string> = {};
    keys.userTagKeys.forEach((k, i) => {
      const v = text(row[`user_tag_${i}`]);
      if (v !== null) userTags[k] = v;
    });
    const accountTags: Record<string, string> = {};
    keys.accountTagKeys.forEach((k, i) => {
      const v = text(row[`account_tag_${i}`]);
      if (v !== null) accountTags[k] = v;
    });
    const owner = ownerOf(userTags, accountTags, ownerTags);
    const userName = text(row.user_name);
    const { status, waiverId } = waiverStatus(
      waivers,
      {
        check: String(row.check_name),
        accountId: String(row.account_id),
        ouPath: text(row.ou_path),
        userName,
        userArn: text(row.user_arn),
        // Account-level findings have no user, so no user tags to match.
        userTags: userName === null ? null : userTags,
      },
      dt,
    );
    if (waiverId) matched.set(waiverId, (matched.get(waiverId) ?? 0) + 1);
    return {
      ...row,
      owner: owner.owner,
      owner_source: owner.source,
      waiver_status: status satisfies WaiverStatus,
      waiver_id: waiverId,
    };
  });
  const waiverRows = waivers.map((w) => ({
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
  return { findings, waivers: waiverRows };
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
