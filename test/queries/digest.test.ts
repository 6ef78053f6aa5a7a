// The digest, built from findings_changes rows alone: what changed, and never "nothing changed"
// when nothing could be compared. Hand-written rows, so each case is plain to read.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { CATALOG, COMPLIANCE_CHECKS, SEVERITIES } from '../../queries/catalog.ts';
import {
  buildDigest,
  changesLine,
  DIGEST_TOP,
  digestSummarySql,
  FINDINGS_CHANGES_COLUMNS,
  ownerDigests,
} from '../../queries/digest.ts';
import type { PlainValue } from '../../queries/values.ts';
import { pick as choose, createRng } from '../../simulator/random.ts';

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

// The deployed pipeline builds the digest from digestSummarySql, a few rows however many changed;
// DuckDB runs it over many generated changes, and the digest and every owner's part must come
// out as they do from every row.
describe('the digest from a summary of the changes', () => {
  it('is the digest from every row, for the whole organization and for each owner', async () => {
    const next = createRng(11);
    const pick = <T>(list: readonly T[]): T => choose(next, list);
    const owners = [null, 'unowned', 'team-a', 'team-b', 'Team-b'];
    const rows: Row[] = [];
    const accounts = Array.from({ length: 40 }, (_, i) => `0000000000${String(i).padStart(2, '0')}`);
    // One row per account saying how it was compared, as findings_changes gives.
    for (const id of accounts) {
      const how = pick(['compared', 'compared', 'compared', 'no_previous_snapshot', 'not_collected']);
      rows.push(
        account(id, how, how === 'not_collected' ? { detail: pick(['AccessDenied', 'not_active']) } : {}),
      );
      if (how === 'compared' && next() < 0.3)
        rows.push(account(id, 'not_evaluated', { check_name: 'root_hardware_mfa_missing' }));
    }
    const checks = COMPLIANCE_CHECKS.slice(0, 4);
    for (let i = 0; i < 3000; i++) {
      const id = pick(accounts);
      const change = pick(['new', 'new', 'new', 'resolved', 'resolved', 'reopened']);
      const check = pick(checks);
      rows.push({
        ...account(id, change),
        check_name: check.name,
        severity: check.severity ?? 'low',
        finding_key: `${check.name}|${id}|user-${i}|${pick(['a', 'B', '_', '-'])}`,
        user_name: `user-${i}`,
        detail: next() < 0.5 ? null : 'key_slot=1',
        owner: pick(owners),
        waiver_status: change === 'reopened' ? 'waiver_expired' : pick(['open', 'waived']),
        waiver_id: change === 'reopened' ? 'w1' : null,
      });
    }
    const columns = FINDINGS_CHANGES_COLUMNS;
    const lit = (v: PlainValue | undefined) =>
      v === null || v === undefined ? 'CAST(NULL AS VARCHAR)' : `'${String(v).replaceAll("'", "''")}'`;
    const values = rows.map((r) => `(${columns.map((c) => lit(r[c])).join(', ')})`).join(',\n');
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const reader = await connection.runAndReadAll(
      digestSummarySql(`SELECT * FROM (VALUES ${values}) t(${columns.join(', ')})`),
    );
    const summary = reader.getRowObjects().map((r) => ({ ...r, n: Number(r.n) })) as Row[];
    connection.closeSync();
    // A summary, not the rows again: a few rows per owner, check and severity.
    expect(summary.length).toBeLessThan(rows.length / 10);
    const full = buildDigest(rows, DT, 's3://lake', undefined, 'cis-5.0');
    expect(full.newFindings).toBeGreaterThan(DIGEST_TOP * owners.length);
    expect(buildDigest(summary, DT, 's3://lake', undefined, 'cis-5.0')).toEqual(full);
    expect(ownerDigests(summary, DT, 's3://lake', 'cis-5.0')).toEqual(
      ownerDigests(rows, DT, 's3://lake', 'cis-5.0'),
    );
  });
});
