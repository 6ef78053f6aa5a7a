// The narrow AWS surface the collector's core uses. Adapters in collector/aws/ implement it with
// the SDK v3 clients; they throw ApiError so the core never sees SDK types.

export interface OrgAccount {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  /** The account `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, ...); `Status` is retired. */
  readonly state: string;
  readonly joinedAt: number | null;
}

export interface OrgApi {
  describeOrganizationId(): Promise<string>;
  listRootIds(): Promise<string[]>;
  listChildOus(parentId: string): Promise<{ id: string; name: string }[]>;
  listAccounts(parentId: string): Promise<OrgAccount[]>;
}

export type ReportState = 'STARTED' | 'INPROGRESS' | 'COMPLETE';

export interface FetchedReport {
  readonly content: Uint8Array;
  readonly generatedAt: number;
}

export interface ReportApi {
  generate(): Promise<ReportState>;
  fetch(): Promise<FetchedReport>;
}

export interface AccountAccess {
  /** The account the caller's own credentials belong to: read directly, without AssumeRole. */
  readonly callerAccountId: string;
  /** AssumeRole into the member role of an account (or the caller's own credentials). */
  reportApiFor(accountId: string): Promise<ReportApi>;
}
