// The waivers file: what it accepts, every problem it refuses with its line, and which waiver
// covers a finding on a day (in force through its expiry date, lapsed after).

import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import {
  annotationSql,
  contextKeys,
  ownerOf,
  parseOwnerTags,
  UNOWNED,
  waiverTableRows,
} from '../../queries/annotate.ts';
import {
  type FindingContext,
  globMatches,
  parseWaivers,
  type Waiver,
  WaiversFileError,
  waiverStatus,
} from '../../queries/waivers.ts';
import { pick as choose, createRng } from '../../simulator/random.ts';

const GOOD = `# accepted findings
waivers:
  - id: break-glass
    check: console_users_without_mfa
    accounts: [000123456789]
    users: ["break-glass-*"]
    reason: MFA device in the safe
    approved_by: ciso@example.com
    expires: 2027-01-31
  - id: vendor-keys
    check: stale_access_keys
    ous: [Root/Vendors/]
    tags: { exception: vendor-managed }
    reason: rotated by the vendor
    approved_by: ciso@example.com
    expires: 2026-12-31
`;

const problems = (text: string): string[] => {
  try {
    parseWaivers(text, 'w.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(WaiversFileError);
    return [...(error as WaiversFileError).problems];
  }
  throw new Error('expected the file to be refused');
};

describe('parseWaivers', () => {
  it('reads every field, keeps an unquoted account id as written, and trims a trailing / of an OU', () => {
    const [a, b] = parseWaivers(GOOD);
    expect(a).toMatchObject({
      id: 'break-glass',
      check: 'console_users_without_mfa',
      accounts: ['000123456789'],
      users: ['break-glass-*'],
      approvedBy: 'ciso@example.com',
      expires: '2027-01-31',
      line: 3,
    });
    expect(b).toMatchObject({ ous: ['Root/Vendors'], tags: { exception: 'vendor-managed' }, line: 10 });
  });

  it('takes an empty file or an empty list as no waivers', () => {
    expect(parseWaivers('')).toEqual([]);
    expect(parseWaivers('waivers:\n')).toEqual([]);
    expect(parseWaivers('waivers: []\n')).toEqual([]);
  });

  it('refuses a waiver without an expiry, naming its line', () => {
    const text = GOOD.replace('    expires: 2027-01-31\n', '');
    expect(problems(text)).toEqual([
      'line 3: waiver "break-glass" needs "expires" (YYYY-MM-DD): a waiver without an expiry date is refused',
    ]);
  });

  it('lists every problem at once, in line order', () => {
    const text = `waivers:
  - id: one
    check: no_such_check
    accounts: ["12345"]
    reason: r
    approved_by: a
    expires: 2026-02-30
    owner: me
  - id: one
    check: stale_access_keys
    reason: r
    approved_by: a
    expires: 2027-01-01
`;
    const found = problems(text);
    expect(found.map((p) => p.split(':')[0])).toEqual([
      'line 3',
      'line 4',
      'line 7',
      'line 8',
      'line 9',
      'line 9',
    ]);
    expect(found.join('\n')).toContain('unknown check "no_such_check"');
    expect(found.join('\n')).toContain('account ids have 12 digits, got "12345"');
    expect(found.join('\n')).toContain('expires must be a calendar date');
    expect(found.join('\n')).toContain('unknown field "owner"');
    expect(found.join('\n')).toContain('a waiver of a check everywhere is refused');
    expect(found.join('\n')).toContain('waiver id "one" is already used on line 2');
  });

  it('reports a YAML syntax error with its line, and a file that is not a list of waivers', () => {
    expect(problems('waivers:\n  - id: [\n')[0]).toMatch(/^line 3: /);
    expect(problems('- id: a\n')).toEqual(['line 1: expected a mapping with a list under "waivers:"']);
    expect(problems('waivers:\n  - id: a\nextra: 1\n')).toContain('line 3: unknown top-level key "extra"');
  });
});

const finding = (over: Partial<FindingContext> = {}): FindingContext => ({
  check: 'console_users_without_mfa',
  accountId: '000123456789',
  ouPath: 'Root/Prod',
  userName: 'break-glass-1',
  userArn: 'arn:aws:iam::000123456789:user/break-glass-1',
  userTags: {},
  ...over,
});

describe('waiverStatus', () => {
  const waivers = parseWaivers(GOOD);

  it('is waived through the expiry date and waiver_expired the day after', () => {
    expect(waiverStatus(waivers, finding(), '2027-01-31')).toEqual({
      status: 'waived',
      waiverId: 'break-glass',
    });
    expect(waiverStatus(waivers, finding(), '2027-02-01')).toEqual({
      status: 'waiver_expired',
      waiverId: 'break-glass',
    });
  });

  it('needs every criterion given: check, account, user pattern, OU (and below), tag', () => {
    expect(waiverStatus(waivers, finding({ accountId: '000000000001' }), '2026-12-01').status).toBe('open');
    expect(waiverStatus(waivers, finding({ userName: 'alice' }), '2026-12-01').status).toBe('open');
    expect(waiverStatus(waivers, finding({ check: 'stale_access_keys' }), '2026-12-01').status).toBe('open');
    const key = finding({
      check: 'stale_access_keys',
      ouPath: 'Root/Vendors/Acme',
      userTags: { exception: 'vendor-managed' },
    });
    expect(waiverStatus(waivers, key, '2026-12-01')).toEqual({ status: 'waived', waiverId: 'vendor-keys' });
    expect(waiverStatus(waivers, { ...key, ouPath: 'Root/VendorsOld' }, '2026-12-01').status).toBe('open');
    expect(waiverStatus(waivers, { ...key, userTags: { exception: 'other' } }, '2026-12-01').status).toBe(
      'open',
    );
    // Tags not read (posture failed) never match.
    expect(waiverStatus(waivers, { ...key, userTags: null }, '2026-12-01').status).toBe('open');
  });

  it('prefers a waiver in force over a lapsed one covering the same finding', () => {
    const both = parseWaivers(
      `${GOOD}  - id: renewed
    check: console_users_without_mfa
    users: ["break-glass-*"]
    reason: renewed
    approved_by: ciso@example.com
    expires: 2028-01-01
`,
    );
    expect(waiverStatus(both, finding(), '2027-06-01')).toEqual({ status: 'waived', waiverId: 'renewed' });
  });

  it('matches * and ? patterns on the whole text only', () => {
    expect(globMatches('arn:aws:iam::*:user/vendors/*', 'arn:aws:iam::1:user/vendors/a')).toBe(true);
    expect(globMatches('svc-?', 'svc-ab')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
  });
});

describe('owners', () => {
  it('takes the first owner tag of the user, then of the account, then unowned', () => {
    expect(ownerOf({ team: 't', owner: 'o' }, { owner: 'acct' }, ['owner', 'team'])).toEqual({
      owner: 'o',
      source: 'user_tag:owner',
    });
    expect(ownerOf({ team: 't' }, { owner: 'acct' }, ['owner', 'team'])).toEqual({
      owner: 't',
      source: 'user_tag:team',
    });
    expect(ownerOf({}, { team: 'acct' }, ['owner', 'team'])).toEqual({
      owner: 'acct',
      source: 'account_tag:team',
    });
    expect(ownerOf({ owner: '  ' }, {}, ['owner'])).toEqual({ owner: UNOWNED, source: UNOWNED });
  });

  it('reads a tag key list and refuses what is not a tag key', () => {
    expect(parseOwnerTags(' owner , team,owner')).toEqual(['owner', 'team']);
    expect(() => parseOwnerTags("own'er")).toThrow(/is not a tag key/);
    expect(() => parseOwnerTags(' , ')).toThrow(/at least one/);
  });

  it('keeps the waivers table with how many findings each waiver covered', () => {
    const waivers = parseWaivers(GOOD);
    const rows = waiverTableRows(
      { waivers, key: 'raw/waivers/dt=2026-12-01/waivers-x.yaml', sha256: 'x' },
      '2026-12-01',
      new Map([['vendor-keys', 1]]),
    );
    expect(rows.map((w) => [w.waiver_id, w.matched, w.in_force, w.days_to_expiry, w.scope])).toEqual([
      ['break-glass', 0, true, 61, 'accounts=000123456789, users=break-glass-*'],
      ['vendor-keys', 1, true, 30, 'ous=Root/Vendors, tags=exception:vendor-managed'],
    ]);
  });
});

// The pipeline decides owners and waivers in SQL (annotationSql); ownerOf and waiverStatus are the
// rules as plain functions. DuckDB runs the SQL over many generated findings, with the text that
// trips SQL up (LIKE's own wildcards, backslashes, quotes, Unicode spaces), and every row must
// come out as the functions decide.
describe('annotationSql', () => {
  const pick = choose;
  const NAMES = [
    'alice',
    'svc-deploy',
    'svc_deploy',
    'svcXdeploy',
    'a%b',
    'aXb',
    "o'brien",
    'back\\slash',
    'break-glass-1',
    '<root_account>',
  ];
  const PATTERNS = ['svc-*', 'svc_*', '?lice', 'a%b', "o'*", 'back\\*', 'break-glass-?', '<root_account>'];
  const OUS = [
    'Root',
    'Root/Vendors',
    'Root/Vendors_1',
    'Root/VendorsX1',
    'Root/Vendors/Old',
    'Root/Vendors%',
  ];
  const TAG_VALUES = [
    null,
    '',
    '  ',
    'team-a',
    ' team-a ',
    '\u00a0team-b\u2003',
    '\tteam-c\n',
    'vendor-managed',
  ];
  const CHECKS = ['stale_access_keys', 'console_users_without_mfa'];
  const ACCOUNTS = ['000123456789', '111111111111'];

  it('decides every owner and waiver as ownerOf and waiverStatus do', async () => {
    const next = createRng(7);
    const dt = '2026-12-01';
    const waivers: Waiver[] = Array.from({ length: 12 }, (_, i) => {
      const w: Waiver = {
        id: `w${i}`,
        check: pick(next, CHECKS),
        accounts: next() < 0.3 ? [pick(next, ACCOUNTS)] : [],
        ous: next() < 0.3 ? [pick(next, OUS)] : [],
        users: next() < 0.5 ? [pick(next, PATTERNS), ...(next() < 0.3 ? [pick(next, PATTERNS)] : [])] : [],
        arns: next() < 0.2 ? [`arn:aws:iam::*:user/${pick(next, PATTERNS)}`] : [],
        tags: next() < 0.3 ? { exception: next() < 0.5 ? '*' : 'vendor-managed' } : {},
        reason: 'r',
        approvedBy: 'a',
        expires: next() < 0.5 ? '2026-11-30' : '2027-01-01',
        line: i + 1,
      };
      return w.accounts.length + w.ous.length + w.users.length + w.arns.length + Object.keys(w.tags).length
        ? w
        : { ...w, accounts: [pick(next, ACCOUNTS)] };
    });
    const ownerTags = ['owner', 'team'];
    const keys = contextKeys(waivers, ownerTags);
    const rows = Array.from({ length: 3000 }, () => {
      const account = pick(next, ACCOUNTS);
      const user = next() < 0.1 ? null : pick(next, NAMES);
      return {
        account_id: account,
        check_name: pick(next, CHECKS),
        user_name: user,
        user_arn: user === null || next() < 0.1 ? null : `arn:aws:iam::${account}:user/${user}`,
        ou_path: next() < 0.1 ? null : pick(next, OUS),
        user_tags: keys.userTagKeys.map(() => pick(next, TAG_VALUES)),
        account_tags: keys.accountTagKeys.map(() => pick(next, TAG_VALUES)),
      };
    });
    const lit = (v: string | null) => (v === null ? 'CAST(NULL AS VARCHAR)' : `'${v.replaceAll("'", "''")}'`);
    const columns = [
      'n',
      'account_id',
      'check_name',
      'user_name',
      'user_arn',
      'ou_path',
      ...keys.userTagKeys.map((_, i) => `user_tag_${i}`),
      ...keys.accountTagKeys.map((_, i) => `account_tag_${i}`),
    ];
    const values = rows.map(
      (r, n) =>
        `(${[n, ...[r.account_id, r.check_name, r.user_name, r.user_arn, r.ou_path, ...r.user_tags, ...r.account_tags].map(lit)].join(', ')})`,
    );
    const a = annotationSql(keys, ownerTags, waivers, dt);
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const reader = await connection.runAndReadAll(
      `SELECT r.n, ${a.owner} AS owner, ${a.ownerSource} AS owner_source, ${a.waiverStatus} AS waiver_status, ${a.waiverId} AS waiver_id
FROM (VALUES ${values.join(',\n')}) r(${columns.join(', ')}) ORDER BY r.n`,
    );
    const got = reader.getRowObjects();
    connection.closeSync();
    const expected = rows.map((r, n) => {
      const tags = (list: readonly string[], values: (string | null)[]) =>
        Object.fromEntries(list.flatMap((k, i) => (values[i] === null ? [] : [[k, values[i]!]])));
      const userTags = tags(keys.userTagKeys, r.user_tags);
      const owner = ownerOf(userTags, tags(keys.accountTagKeys, r.account_tags), ownerTags);
      const status = waiverStatus(
        waivers,
        {
          check: r.check_name,
          accountId: r.account_id,
          ouPath: r.ou_path,
          userName: r.user_name,
          userArn: r.user_arn,
          userTags: r.user_name === null ? null : userTags,
        },
        dt,
      );
      return {
        n,
        owner: owner.owner,
        owner_source: owner.source,
        waiver_status: status.status,
        waiver_id: status.waiverId,
      };
    });
    expect(got.map((g) => ({ ...g, n: Number(g.n) }))).toEqual(expected);
    // The generated cases reach every outcome, or the comparison would prove little.
    const seen = (f: (e: (typeof expected)[number]) => string) => new Set(expected.map(f));
    expect(seen((e) => e.waiver_status)).toEqual(new Set(['open', 'waived', 'waiver_expired']));
    expect(seen((e) => e.owner_source)).toEqual(
      new Set(['user_tag:owner', 'user_tag:team', 'account_tag:owner', 'account_tag:team', UNOWNED]),
    );
    expect(seen((e) => e.owner)).toContain('team-b');
  });
});
