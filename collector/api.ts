// The narrow AWS surface the collector's core uses. Adapters in collector/aws/ implement it with
// the SDK v3 clients; they throw ApiError so the core never sees SDK types.
import type { AccountPosture, AuthorizationDetails } from '../transforms/posture.ts';

export interface OrgAccount {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  /** The account `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, ...); `Status` is retired. */
  readonly state: string;
  readonly joinedAt: number | null;
}

export interface OrgApi {
  /** The organization's id and its management account (the one account root checks always cover). */
  describeOrganization(): Promise<{ id: string; managementAccountId: string | null }>;
  listRootIds(): Promise<string[]>;
  listChildOus(parentId: string): Promise<{ id: string; name: string }[]>;
  listAccounts(parentId: string): Promise<OrgAccount[]>;
  /** One page of every account in the organization, OU unknown (ListAccounts). */
  listAccountsPage?(token?: string): Promise<{ accounts: OrgAccount[]; next?: string }>;
  /** The account's tags in Organizations (ListTagsForResource, every page). */
  listAccountTags?(accountId: string): Promise<Record<string, string>>;
}

export type ReportState = 'STARTED' | 'INPROGRESS' | 'COMPLETE';

export interface FetchedReport {
  readonly content: Uint8Array;
  readonly generatedAt: number;
}

/** Runs one API request with the caller's retries and concurrency limit. */
export type CallWrapper = <T>(fn: () => Promise<T>) => Promise<T>;

/** What IAM says about the account beyond the credential report. Each request (each page)
 * goes through `call`, so a throttled page is retried alone. */
export interface PostureApi {
  readPosture(call: CallWrapper): Promise<Omit<AccountPosture, 'centralizedRootAccess'>>;
  readAuthorizationDetails(call: CallWrapper): Promise<AuthorizationDetails>;
}

export interface ReportApi {
  generate(): Promise<ReportState>;
  fetch(): Promise<FetchedReport>;
  readonly posture?: PostureApi;
}

export interface AccountAccess {
  /** The account the caller's own credentials belong to: read directly, without AssumeRole. */
  readonly callerAccountId: string;
  /** AssumeRole into the member role of an account (or the caller's own credentials). */
  reportApiFor(accountId: string): Promise<ReportApi>;
  /** Whether the organization manages root credentials centrally; null when it cannot tell. */
  centralizedRootAccess?(): Promise<boolean | null>;
}
