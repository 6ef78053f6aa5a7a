// Waivers: findings a team has accepted, each with a reason, who approved it and an expiry date.
// The file is YAML (a list under `waivers:`); this module reads it, refuses anything it cannot
// read exactly (with the line of each problem), and says which waiver covers a finding on a day.
// Pure: the caller reads the file and the lake.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { isIsoDate } from '../transforms/dates.ts';
import { COMPLIANCE_CHECKS } from './catalog.ts';

export interface Waiver {
  readonly id: string;
  readonly check: string;
  /** Account ids (12 digits). Every criterion given must match; within one, any entry may. */
  readonly accounts: readonly string[];
  /** OU paths as in the accounts table (`Root/Workloads/Prod`): the OU and everything under it. */
  readonly ous: readonly string[];
  /** User name patterns (`*` any characters, `?` one); `<root_account>` for root. */
  readonly users: readonly string[];
  /** User ARN patterns, same wildcards. */
  readonly arns: readonly string[];
  /** IAM user tags the user must carry (value `*`: any value). */
  readonly tags: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly approvedBy: string;
  /** The last day (UTC, inclusive) the waiver is in force. */
  readonly expires: string;
  /** Line of the entry in the file, for messages. */
  readonly line: number;
}

export type WaiverStatus = 'open' | 'waived' | 'waiver_expired';

/** What a waiver is matched against: one finding with its context. */
export interface FindingContext {
  readonly check: string;
  readonly accountId: string;
  readonly ouPath: string | null;
  readonly userName: string | null;
  readonly userArn: string | null;
  /** The user's tags; null when unknown (not read, or an account-level finding). */
  readonly userTags: Readonly<Record<string, string>> | null;
}

/** A waivers file that cannot be used as written: every problem, each with its line. */
export class WaiversFileError extends Error {
  override readonly name = 'WaiversFileError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`,
    );
  }
}

const FIELDS = [
  'id',
  'check',
  'accounts',
  'ous',
  'users',
  'arns',
  'tags',
  'reason',
  'approved_by',
  'expires',
];
const CRITERIA = ['accounts', 'ous', 'users', 'arns', 'tags'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Reads a waivers file; throws WaiversFileError listing every problem with its line. */
export function parseWaivers(text: string, source = 'waivers file'): Waiver[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: string[] = [];
  const at = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  for (const e of doc.errors) problems.push(`line ${at(e.pos[0])}: ${e.message.split('\n')[0]}`);
  if (problems.length) throw new WaiversFileError(source, problems);
  const root = doc.contents;
  if (root === null && text.trim() === '') return [];
  if (!isMap(root) || !root.has('waivers')) {
    throw new WaiversFileError(source, [
      `line ${at(root?.range?.[0])}: expected a mapping with a list under "waivers:"`,
    ]);
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'waivers')
      problems.push(
        `line ${at((pair.key as Scalar)?.range?.[0])}: unknown top-level key ${JSON.stringify(key)}`,
      );
  }
  const list = root.get('waivers', true);
  if (list === null || list === undefined || (isScalar(list) && list.value === null)) {
    if (problems.length) throw new WaiversFileError(source, problems);
    return [];
  }
  if (!isSeq(list))
    throw new WaiversFileError(source, [`line ${at(root.range?.[0])}: "waivers" must be a list`]);
  const waivers: Waiver[] = [];
  const seen = new Map<string, number>();
  for (const item of list.items) {
    const line = at((item as { range?: [number] })?.range?.[0]);
    if (!isMap(item)) {
      problems.push(
        `line ${line}: each waiver must be a mapping (id, check, reason, approved_by, expires, ...)`,
      );
      continue;
    }
    const id = item.get('id');
    if (typeof id === 'string') {
      const first = seen.get(id);
      if (first !== undefined)
        problems.push(`line ${line}: waiver id ${JSON.stringify(id)} is already used on line ${first}`);
      else seen.set(id, line);
    }
    const w = readWaiver(item, text, at, problems, line);
    if (w) waivers.push(w);
  }
  if (problems.length) throw new WaiversFileError(source, byLine(problems));
  return waivers;
}

const lineOf = (problem: string) => Number(/^line (\d+)/.exec(problem)?.[1] ?? 0);
const byLine = (problems: string[]) => [...problems].sort((a, b) => lineOf(a) - lineOf(b));

function readWaiver(
  item: YAMLMap,
  text: string,
  at: (offset: number | undefined) => number,
  problems: string[],
  line: number,
): Waiver | undefined {
  const before = problems.length;
  const keys = new Map<string, { node: unknown; line: number }>();
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyLine = at((pair.key as Scalar)?.range?.[0]);
    if (!FIELDS.includes(key))
      problems.push(
        `line ${keyLine}: unknown field ${JSON.stringify(key)}; a waiver has ${FIELDS.join(', ')}`,
      );
    else keys.set(key, { node: pair.value, line: keyLine });
  }
  const label = (() => {
    const id = keys.get('id')?.node;
    return isScalar(id) && typeof id.value === 'string' ? `waiver ${JSON.stringify(id.value)}` : 'waiver';
  })();
  /** A scalar's text as written (so `000123456789` keeps its zeros even unquoted). */
  const textOf = (node: unknown): string | undefined => {
    if (!isScalar(node) || node.value === null) return undefined;
    if (typeof node.value === 'string') return node.value;
    const range = node.range;
    return range ? text.slice(range[0], range[1]).trim() : String(node.value);
  };
  const required = (field: string): string | undefined => {
    const entry = keys.get(field);
    const value = entry ? textOf(entry.node) : undefined;
    if (value === undefined || value.trim() === '') {
      problems.push(
        `line ${entry?.line ?? line}: ${label} needs "${field}"${field === 'expires' ? ' (YYYY-MM-DD): a waiver without an expiry date is refused' : ''}`,
      );
      return undefined;
    }
    return value.trim();
  };
  const listOf = (field: string): string[] => {
    const entry = keys.get(field);
    if (!entry) return [];
    const nodes = isSeq(entry.node) ? entry.node.items : [entry.node];
    const out: string[] = [];
    for (const n of nodes) {
      const v = textOf(n);
      if (v === undefined || v === '')
        problems.push(
          `line ${at((n as Scalar)?.range?.[0]) || entry.line}: ${label}: "${field}" entries must be text`,
        );
      else out.push(v);
    }
    if (out.length === 0 && nodes.length === 0)
      problems.push(`line ${entry.line}: ${label}: "${field}" is empty`);
    return out;
  };
  const id = required('id');
  if (id !== undefined && !ID.test(id))
    problems.push(
      `line ${keys.get('id')!.line}: ${label}: the id may hold letters, digits, '.', '_' and '-' (at most 64)`,
    );
  const check = required('check');
  if (check !== undefined && !COMPLIANCE_CHECKS.some((q) => q.name === check))
    problems.push(
      `line ${keys.get('check')!.line}: ${label}: unknown check ${JSON.stringify(check)}; checks: ${COMPLIANCE_CHECKS.map((q) => q.name).join(', ')}`,
    );
  const reason = required('reason');
  const approvedBy = required('approved_by');
  const expires = required('expires');
  if (expires !== undefined && !isIsoDate(expires))
    problems.push(
      `line ${keys.get('expires')!.line}: ${label}: expires must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(expires)}`,
    );
  const accounts = listOf('accounts');
  for (const a of accounts)
    if (!/^\d{12}$/.test(a))
      problems.push(
        `line ${keys.get('accounts')!.line}: ${label}: account ids have 12 digits, got ${JSON.stringify(a)}`,
      );
  const ous = listOf('ous').map((o) => o.replace(/\/+$/, ''));
  for (const o of ous)
    if (!/^Root(\/|$)/.test(o))
      problems.push(
        `line ${keys.get('ous')!.line}: ${label}: OUs are given as paths from the root, like Root/Workloads/Prod, got ${JSON.stringify(o)}`,
      );
  const users = listOf('users');
  const arns = listOf('arns');
  for (const a of arns)
    if (!a.startsWith('arn:'))
      problems.push(
        `line ${keys.get('arns')!.line}: ${label}: ARN patterns start with arn:, got ${JSON.stringify(a)}`,
      );
  const tags: Record<string, string> = {};
  const tagEntry = keys.get('tags');
  if (tagEntry) {
    if (!isMap(tagEntry.node) || tagEntry.node.items.length === 0)
      problems.push(`line ${tagEntry.line}: ${label}: "tags" must map tag keys to values (value * for any)`);
    else
      for (const pair of tagEntry.node.items) {
        const k = textOf(pair.key);
        const v = textOf(pair.value);
        if (k === undefined || v === undefined)
          problems.push(
            `line ${at((pair.key as Scalar)?.range?.[0])}: ${label}: each tag needs a key and a value`,
          );
        else tags[k] = v;
      }
  }
  if (!CRITERIA.some((c) => keys.has(c)))
    problems.push(
      `line ${line}: ${label} must name what it covers with at least one of ${CRITERIA.join(', ')}: a waiver of a check everywhere is refused`,
    );
  if (problems.length > before) return undefined;
  return {
    id: id!,
    check: check!,
    accounts,
    ous,
    users,
    arns,
    tags,
    reason: reason!,
    approvedBy: approvedBy!,
    expires: expires!,
    line,
  };
}

/** `*` any run of characters, `?` one; everything else literal; the whole text must match. */
export function globMatches(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(value);
}

/** Whether a waiver covers a finding, whatever its expiry. Unknown context never matches. */
export function waiverMatches(w: Waiver, f: FindingContext): boolean {
  if (w.check !== f.check) return false;
  if (w.accounts.length && !w.accounts.includes(f.accountId)) return false;
  if (
    w.ous.length &&
    !(f.ouPath !== null && w.ous.some((o) => f.ouPath === o || f.ouPath!.startsWith(`${o}/`)))
  )
    return false;
  if (w.users.length && !(f.userName !== null && w.users.some((p) => globMatches(p, f.userName!))))
    return false;
  if (w.arns.length && !(f.userArn !== null && w.arns.some((p) => globMatches(p, f.userArn!)))) return false;
  for (const [k, v] of Object.entries(w.tags)) {
    const has = f.userTags?.[k];
    if (has === undefined || (v !== '*' && has !== v)) return false;
  }
  return true;
}

/** A waiver is in force through its expiry date (UTC days; dates compare as text). */
export const inForce = (w: Waiver, dt: string) => dt <= w.expires;

/**
 * The waiver status of a finding on a day: the first waiver in force that covers it (`waived`),
 * else the first lapsed one that does (`waiver_expired`), else `open`.
 */
export function waiverStatus(
  waivers: readonly Waiver[],
  f: FindingContext,
  dt: string,
): { status: WaiverStatus; waiverId: string | null } {
  const matching = waivers.filter((w) => waiverMatches(w, f));
  const active = matching.find((w) => inForce(w, dt));
  if (active) return { status: 'waived', waiverId: active.id };
  const lapsed = matching[0];
  return lapsed ? { status: 'waiver_expired', waiverId: lapsed.id } : { status: 'open', waiverId: null };
}

/** Whole days from dt to the expiry (negative once lapsed). */
export function daysToExpiry(w: Waiver, dt: string): number {
  return Math.round((Date.parse(`${w.expires}T00:00:00Z`) - Date.parse(`${dt}T00:00:00Z`)) / 86_400_000);
}

/** The waiver's criteria in one line, for tables and exports. */
export function waiverScope(w: Waiver): string {
  const parts: string[] = [];
  if (w.accounts.length) parts.push(`accounts=${w.accounts.join(' ')}`);
  if (w.ous.length) parts.push(`ous=${w.ous.join(' ')}`);
  if (w.users.length) parts.push(`users=${w.users.join(' ')}`);
  if (w.arns.length) parts.push(`arns=${w.arns.join(' ')}`);
  const tags = Object.entries(w.tags);
  if (tags.length) parts.push(`tags=${tags.map(([k, v]) => `${k}:${v}`).join(' ')}`);
  return parts.join(', ');
}
