// The waivers file: what it accepts, every problem it refuses with its line, and which waiver
// covers a finding on a day (in force through its expiry date, lapsed after).
import { describe, expect, it } from 'vitest';
import { annotateFindings, contextKeys, ownerOf, parseOwnerTags, UNOWNED } from '../../queries/annotate.ts';
import {
  type FindingContext,
  globMatches,
  parseWaivers,
  WaiversFileError,
  waiverStatus,
} from '../../queries/waivers.ts';

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

  it('annotates rows from their context columns and counts what each waiver covered', () => {
    const waivers = parseWaivers(GOOD);
    const keys = contextKeys(waivers, ['owner']);
    expect(keys).toEqual({ userTagKeys: ['owner', 'exception'], accountTagKeys: ['owner'] });
    const row = {
      account_id: '000123456789',
      check_name: 'stale_access_keys',
      user_name: 'svc',
      user_arn: 'arn:aws:iam::000123456789:user/svc',
      ou_path: 'Root/Vendors',
      user_tag_0: null,
      user_tag_1: 'vendor-managed',
      account_tag_0: 'team-a',
    };
    const { findings, waivers: table } = annotateFindings([row], '2026-12-01', keys, ['owner'], {
      waivers,
      key: 'raw/waivers/dt=2026-12-01/waivers-x.yaml',
      sha256: 'x',
    });
    expect(findings[0]).toMatchObject({
      owner: 'team-a',
      owner_source: 'account_tag:owner',
      waiver_status: 'waived',
      waiver_id: 'vendor-keys',
    });
    expect(table.map((w) => [w.waiver_id, w.matched, w.in_force, w.days_to_expiry])).toEqual([
      ['break-glass', 0, true, 61],
      ['vendor-keys', 1, true, 30],
    ]);
  });
});
