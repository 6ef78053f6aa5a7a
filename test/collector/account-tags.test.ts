// Account tags in the organization snapshot: read for every account, unknown (null, never {}) for
// an account whose tags could not be read, and for every account when the caller may not read them.
import { describe, expect, it } from 'vitest';
import type { OrgApi } from '../../collector/api.ts';
import { withAccountTags } from '../../collector/discover.ts';
import { ApiError } from '../../collector/errors.ts';
import type { AccountsSnapshot } from '../../collector/outcome.ts';

const snapshot: AccountsSnapshot = {
  dt: '2026-12-01',
  takenAt: '2026-12-01T06:00:00.000Z',
  organizationId: 'o-example',
  source: 'organizations',
  accounts: ['000000000001', '000000000002', '000000000003'].map((accountId) => ({
    accountId,
    name: `a-${accountId.slice(-1)}`,
    email: null,
    state: 'ACTIVE',
    ouPath: 'Root',
    joinedAt: null,
  })),
};

const org = (listAccountTags: OrgApi['listAccountTags']): OrgApi => ({
  describeOrganization: async () => ({ id: 'o-example', managementAccountId: '000000000001' }),
  listRootIds: async () => [],
  listChildOus: async () => [],
  listAccounts: async () => [],
  listAccountTags,
});

describe('withAccountTags', () => {
  it('puts each account its tags, an account with none getting {}', async () => {
    const tagged = await withAccountTags(
      org(
        async (id): Promise<Record<string, string>> =>
          id.endsWith('2') ? {} : { owner: `team-${id.slice(-1)}` },
      ),
      snapshot,
    );
    expect(tagged.accounts.map((a) => a.tags)).toEqual([{ owner: 'team-1' }, {}, { owner: 'team-3' }]);
  });

  it('leaves an account whose tags could not be read unknown, and reads the rest', async () => {
    const tagged = await withAccountTags(
      org(async (id) => {
        if (id.endsWith('2')) throw new ApiError('server_error', 'ServiceException', 'boom');
        return { owner: 'x' };
      }),
      snapshot,
    );
    expect(tagged.accounts.map((a) => a.tags)).toEqual([{ owner: 'x' }, null, { owner: 'x' }]);
  });

  it('marks every account unknown when the caller may not read tags at all', async () => {
    let calls = 0;
    const tagged = await withAccountTags(
      org(async () => {
        calls++;
        throw new ApiError('access_denied', 'AccessDeniedException', 'no');
      }),
      snapshot,
    );
    expect(tagged.accounts.map((a) => a.tags)).toEqual([null, null, null]);
    expect(calls).toBeLessThanOrEqual(3);
  });
});

describe('withAccountTags against a deadline', () => {
  it('records the accounts it did not reach in time as unknown, and reads the first ones', async () => {
    let calls = 0;
    const tagged = await withAccountTags(
      org(async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 60));
        return { owner: 'x' };
      }),
      {
        ...snapshot,
        accounts: Array.from({ length: 40 }, (_, i) => ({
          ...snapshot.accounts[0],
          accountId: String(i).padStart(12, '0'),
        })),
      },
      { deadlineMs: 100 },
    );
    const read = tagged.accounts.filter((a) => a.tags !== null).length;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(40);
    expect(calls).toBe(read);
    expect(tagged.accounts.slice(read).every((a) => a.tags === null)).toBe(true);
  });
});
