import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../../simulator/faults.ts';
import { generateOrg } from '../../simulator/generate.ts';
import { renderMalformedReport, renderReport } from '../../simulator/report-csv.ts';
import { Simulator } from '../../simulator/simulator.ts';
import { parseCredentialReport } from '../../transforms/credential-report.ts';
import { MalformedReportError } from '../../transforms/errors.ts';

describe('simulated organization generator', () => {
  it('is deterministic for a seed and different across seeds', () => {
    const a = generateOrg({ accounts: 40, seed: 7, startDate: '2024-05-01' });
    const b = generateOrg({ accounts: 40, seed: 7, startDate: '2024-05-01' });
    const c = generateOrg({ accounts: 40, seed: 8, startDate: '2024-05-01' });
    expect(a).toEqual(b);
    expect(c.accounts.map((x) => x.id)).not.toEqual(a.accounts.map((x) => x.id));
  });

  it('produces the spread and the edge cases the saved queries need', () => {
    const org = generateOrg({ accounts: 200, seed: 1, startDate: '2024-05-01' });
    const users = org.accounts.flatMap((a) => a.users);
    const counts = org.accounts.map((a) => a.users.length);
    expect(Math.min(...counts)).toBe(0);
    expect(Math.max(...counts)).toBeGreaterThan(300);
    expect(org.accounts.some((a) => a.id.startsWith('00'))).toBe(true);
    expect(new Set(org.accounts.map((a) => a.state))).toEqual(
      new Set(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE']),
    );
    expect(new Set(org.accounts.map((a) => a.root.passwordState))).toEqual(
      new Set(['not_supported', 'true', 'false']),
    );
    expect(org.accounts.some((a) => a.root.keys[0]?.active)).toBe(true);
    expect(users.some((u) => u.password && !u.mfa)).toBe(true);
    expect(users.some((u) => u.password && u.password.lastUsedAt === null)).toBe(true);
    expect(users.some((u) => u.keys[0] && !u.keys[0].active && u.keys[0].lastUsedAt !== null)).toBe(true);
    expect(users.some((u) => u.keys[0] === null && u.keys[1]?.active)).toBe(true);
    expect(users.some((u) => u.keys[0]?.active && u.keys[1]?.active)).toBe(true);
    expect(users.some((u) => u.keys[0]?.active && u.keys[0].lastUsedAt === null)).toBe(true);
    expect(users.some((u) => u.certs[0]?.active)).toBe(true);
    expect(users.some((u) => u.name.includes(','))).toBe(true);
    expect(users.some((u) => /[+=@]/.test(u.name))).toBe(true);
    expect(users.some((u) => u.path !== '/')).toBe(true);
    expect(org.ous.some((o) => o.path.split('/').length >= 3)).toBe(true);
  });

  it('renders reports our parser reads back exactly, and malformed ones it rejects', () => {
    const org = generateOrg({ accounts: 30, seed: 2, startDate: '2024-05-01' });
    for (const account of org.accounts) {
      const ctx = {
        accountId: account.id,
        accountName: null,
        runId: 'r',
        generatedAt: Date.parse('2024-05-01T06:00:00Z'),
      };
      const rows = parseCredentialReport(new TextEncoder().encode(renderReport(account)), ctx).rows;
      expect(rows.map((r) => r.user_name)).toEqual(['<root_account>', ...account.users.map((u) => u.name)]);
      expect(() =>
        parseCredentialReport(new TextEncoder().encode(renderMalformedReport(account)), ctx),
      ).toThrow(MalformedReportError);
    }
  });

  it('drifts day by day: users come and go, so history has content', () => {
    const sim = new Simulator({ accounts: 40, seed: 5, date: '2024-05-01' });
    const first = sim.expected('2024-05-01');
    sim.advanceTo('2024-05-08');
    const last = sim.expected('2024-05-08');
    const removed = first.users.filter((u) => !last.users.includes(u));
    const added = last.users.filter((u) => !first.users.includes(u));
    expect(removed.length).toBeGreaterThan(0);
    expect(added.length).toBeGreaterThan(0);
    expect(() => sim.advanceTo('2024-05-02')).toThrow(/cannot go back/);
  });

  it('parses fault specs and rejects bad ones', () => {
    expect(parseFaultSpec('throttle=0.1,stuck=0.05')).toMatchObject({
      throttle: 0.1,
      stuck: 0.05,
      malformed: 0,
    });
    expect(parseFaultSpec('none').throttle).toBe(0);
    expect(() => parseFaultSpec('throttle=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaultSpec('meteor=0.1')).toThrow(/unknown fault "meteor"/);
    expect(() => parseFaultSpec('throttle')).toThrow(/not name=rate/);
  });
});
