import {
  type Account,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrgAccount, OrgApi } from '../api.ts';
import { type AttemptCounter, type RetryPolicy, withRetry } from '../retry.ts';
import { sdkCall } from './sdk-errors.ts';

/** Organizations through the SDK, every page followed, throttling retried. */
export function sdkOrgApi(client: OrganizationsClient, retry: RetryPolicy, signal?: AbortSignal): OrgApi {
  const counter: AttemptCounter = { attempts: 0 };
  const call = <T>(fn: () => Promise<T>) => withRetry(() => sdkCall(fn), counter, retry, signal);
  async function pages<T>(fetch: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const all: T[] = [];
    let token: string | undefined;
    do {
      const page = await call(() => fetch(token));
      all.push(...page.items);
      token = page.next;
    } while (token);
    return all;
  }
  return {
    async describeOrganization() {
      const out = await call(() => client.send(new DescribeOrganizationCommand({})));
      return {
        id: out.Organization?.Id ?? '',
        managementAccountId: out.Organization?.MasterAccountId ?? null,
      };
    },
    async listRootIds() {
      const roots = await pages(async (NextToken) => {
        const out = await client.send(new ListRootsCommand({ NextToken }));
        return { items: out.Roots ?? [], next: out.NextToken };
      });
      return roots.map((r) => r.Id!);
    },
    async listChildOus(ParentId) {
      const ous = await pages(async (NextToken) => {
        const out = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId, NextToken }));
        return { items: out.OrganizationalUnits ?? [], next: out.NextToken };
      });
      return ous.map((o) => ({ id: o.Id!, name: o.Name ?? o.Id! }));
    },
    async listAccounts(ParentId) {
      const accounts = await pages(async (NextToken) => {
        const out = await client.send(new ListAccountsForParentCommand({ ParentId, NextToken }));
        return { items: out.Accounts ?? [], next: out.NextToken };
      });
      return accounts.map(orgAccountOf);
    },
    async listAccountsPage(NextToken) {
      const out = await call(() => client.send(new ListAccountsCommand({ NextToken })));
      return { accounts: (out.Accounts ?? []).map(orgAccountOf), next: out.NextToken };
    },
    async listAccountTags(ResourceId) {
      const tags = await pages(async (NextToken) => {
        const out = await client.send(new ListTagsForResourceCommand({ ResourceId, NextToken }));
        return { items: out.Tags ?? [], next: out.NextToken };
      });
      return Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
    },
  };
}

function orgAccountOf(a: Account): OrgAccount {
  return {
    id: a.Id!,
    name: a.Name ?? null,
    email: a.Email ?? null,
    // State replaces the retired Status field.
    state: a.State ?? 'UNKNOWN',
    joinedAt: a.JoinedTimestamp ? a.JoinedTimestamp.getTime() : null,
  };
}
