// The digest, built from findings_changes rows alone: what changed, and never "nothing changed"
// when nothing could be compared. Hand-written rows, so each case is plain to read.
import { describe, expect, it } from 'vitest';
import { CATALOG, COMPLIANCE_CHECKS, SEVERITIES } from '../../queries/catalog.ts';
import { buildDigest, changesLine, ownerDigests } from '../../queries/digest.ts';
import type { PlainValue } from '../../queries/values.ts';

type Row = Record<string, PlainValue>;
const DT = '2026-11-21';
const account = (id: string, change: string, extra: Row = {}): Row => ({
  dt: DT,
  account_id: id,
  account_name: `name-${id.slice(-2)}`,
  check_name: null,
  severity: null,
  change,
  finding_key: null,
  user_name: null,
  detail: null,
  previous_dt: change === 'compared' ? '2026-11-20' : null,
  ...extra,
});

describe('the digest', () => {
  it('on a first snapshot says there is nothing to compare with, not 0 new and 0 resolved', () => {
    const d = buildDigest(
      [account('111111111111', 'no_previous_snapshot'), account('222222222222', 'no_previous_snapshot')],
      DT,
    );
    expect(d.comparedAccounts).toBe(0);
    expect(d.subject).toBe(`credlake ${DT}: nothing to compare with yet (no earlier snapshot)`);
    expect(d.text).toContain('Nothing to compare with');
    expect(d.text).not.toMatch(/No finding is new or resolved/);
    expect(changesLine(d)).toBe(
      'since the previous snapshot: nothing to compare with (no account has an earlier collected snapshot)',
    );
    expect(d.empty).toBe(true);
  });

  it('on a day with nothing new says so, with the number of accounts compared', () => {
    const d = buildDigest([account('111111111111', 'compared'), account('222222222222', 'compared')], DT);
    expect(d.comparedAccounts).toBe(2);
    expect(d.text).toContain('No finding is new or resolved in the 2 account(s) compared.');
    expect(changesLine(d)).toBe(
      'since the previous snapshot: 0 new, 0 resolved in 2 account(s) compared (findings_changes)',
    );
  });

  it('lists the most severe checks first and names the failed accounts apart from the changes', () => {
    const finding = (check: string, change: string): Row =>
      account('111111111111', change, {
        check_name: check,
        severity: COMPLIANCE_CHECKS.find((q) => q.name === check)!.severity!,
        finding_key: `${check}|111111111111|alice`,
        user_name: 'alice',
      });
    const d = buildDigest(
      [
        finding('stale_access_keys', 'new'),
        finding('root_account_findings', 'new'),
        finding('unused_users', 'resolved'),
        account('111111111111', 'compared'),
        account('333333333333', 'not_collected', { detail: 'access_denied' }),
      ],
      DT,
    );
    expect(d.subject).toBe(
      `credlake ${DT}: 2 new findings (1 critical), 1 resolved, 1 account not collected`,
    );
    const table = d.text.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\d+\s{2}.*\)$/.test(l));
    expect(table.map((l) => /\((\w+), (\w+)\)$/.exec(l)?.[1])).toEqual([
      'root_account_findings',
      'stale_access_keys',
      'unused_users',
    ]);
    expect(d.text).toContain('333333333333 name-33: access_denied');
  });
});

describe('owners and waivers in the digest', () => {
  const row = (check: string, change: string, owner: string, user: string, extra: Row = {}): Row =>
    account('111111111111', change, {
      check_name: check,
      severity: COMPLIANCE_CHECKS.find((q) => q.name === check)!.severity!,
      finding_key: `${check}|111111111111|${user}`,
      user_name: user,
      owner,
      waiver_status: 'open',
      ...extra,
    });
  const rows = [
    row('stale_access_keys', 'new', 'team-a', 'alice'),
    row('console_users_without_mfa', 'reopened', 'team-b', 'bob', {
      waiver_status: 'waiver_expired',
      waiver_id: 'migration',
    }),
    row('unused_users', 'new', 'team-b', 'carol', { waiver_status: 'waived', waiver_id: 'vendor' }),
    row('unused_users', 'resolved', 'team-a', 'dave'),
    account('111111111111', 'compared'),
    account('333333333333', 'not_collected', { detail: 'access_denied' }),
  ];

  it('counts reopened findings apart from new ones, lists them, and marks a new waived finding', () => {
    const d = buildDigest(rows, DT);
    expect(d.subject).toBe(
      `credlake ${DT}: 2 new findings (1 medium), 1 reopened, 1 resolved, 1 account not collected`,
    );
    expect([d.newFindings, d.reopenedFindings, d.resolvedFindings]).toEqual([2, 1, 1]);
    expect(d.text).toContain('Reopened (a waiver that covered them has lapsed or was withdrawn):');
    expect(d.text).toMatch(/carol.*\[team-b\]\s+\(waived: vendor\)/);
    expect(d.byOwner).toEqual([
      { owner: 'team-b', new: 1, reopened: 1, resolved: 0 },
      { owner: 'team-a', new: 1, reopened: 0, resolved: 1 },
    ]);
    expect(changesLine(d)).toContain('2 new, 1 reopened, 1 resolved');
  });

  it("gives each owner a digest of its own findings only, with the full digest's comparison", () => {
    const parts = ownerDigests(rows, DT);
    expect(parts.map((p) => [p.owner, p.newFindings, p.reopenedFindings, p.resolvedFindings])).toEqual([
      ['team-a', 1, 0, 1],
      ['team-b', 1, 1, 0],
    ]);
    const b = parts[1];
    expect(b.subject).toBe(`credlake ${DT} for team-b: 1 new finding (1 low), 1 reopened, 0 resolved`);
    expect(b.text).not.toContain('alice');
    expect(b.notCollected).toEqual([]);
    expect(b.comparedAccounts).toBe(1);
  });

  it('names the benchmark it was judged against, in the full digest and in each owner part', () => {
    expect(buildDigest(rows, DT, undefined, undefined, 'cis-3.0').text).toContain(
      'Judged against CIS AWS Foundations Benchmark v3.0.0.',
    );
    for (const part of ownerDigests(rows, DT, undefined, 'security-hub'))
      expect(part.text).toContain('Judged against AWS Security Hub CSPM controls.');
    expect(buildDigest(rows, DT).text).not.toContain('Judged against');
  });
});

describe('the catalog order', () => {
  it('lists the checks most severe first, and the summaries after them', () => {
    const ranks = CATALOG.map((q) =>
      q.kind === 'check' ? SEVERITIES.indexOf(q.severity!) : SEVERITIES.length,
    );
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(CATALOG[0].severity).toBe('critical');
  });
});
