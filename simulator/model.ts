// The simulated organization's state. Instants are epoch milliseconds (UTC).

export interface SimKey {
  active: boolean;
  rotatedAt: number;
  lastUsedAt: number | null;
  region: string | null;
  service: string | null;
}

export interface SimCert {
  active: boolean;
  rotatedAt: number;
}

export interface SimPassword {
  lastUsedAt: number | null;
  lastChangedAt: number;
}

export interface SimUser {
  name: string;
  path: string;
  createdAt: number;
  /** A console password, or null when the user has none. */
  password: SimPassword | null;
  mfa: boolean;
  keys: [SimKey | null, SimKey | null];
  certs: [SimCert | null, SimCert | null];
  /** Group names the user belongs to. */
  groups: string[];
  /** ARNs of managed policies attached to the user. */
  managed: string[];
  /** Inline policies: name, and whether the document allows * on *. */
  inline: SimInlinePolicy[];
  boundary: string | null;
  /** IAM user tags, in the order IAM lists them; absent means none. */
  tags?: { key: string; value: string }[];
}

export interface SimInlinePolicy {
  name: string;
  allowsAll: boolean;
}

export interface SimGroup {
  name: string;
  managed: string[];
  inline: SimInlinePolicy[];
}

export interface SimPasswordPolicy {
  minimumLength: number;
  reusePrevention: number | null;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercase: boolean;
  requireLowercase: boolean;
  maxAge: number | null;
}

/** Account-level facts beyond the credential report. */
export interface SimPosture {
  passwordPolicy: SimPasswordPolicy | null;
  /** Root's MFA device is hardware (false: virtual); meaningful when root has MFA. */
  rootMfaHardware: boolean;
  /** What GetAccountSummary says of the root password, which the report may call not_supported. */
  rootPasswordPresent: boolean;
  groups: SimGroup[];
  /** Customer managed policies of the account whose document allows * on *. */
  adminCustomerPolicies: string[];
}

/** How the root row reports its password: newer reports say not_supported. */
export type RootPasswordState = 'not_supported' | 'true' | 'false';

export interface SimRoot {
  createdAt: number;
  passwordState: RootPasswordState;
  passwordLastUsedAt: number | null;
  mfa: boolean;
  keys: [SimKey | null, SimKey | null];
}

export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

/** Per-account faults, drawn once when the organization is generated. */
export interface AccountFaults {
  /** The member role is missing: AssumeRole fails with AccessDenied. */
  accessDenied: boolean;
  /** Report generation never completes. */
  stuck: boolean;
  /** GetCredentialReport returns a broken CSV. */
  malformed: boolean;
  /** Report generation takes several times longer. */
  slow: boolean;
  /** Reading account posture and privileges is denied (the report is not). */
  postureDenied: boolean;
}

export interface SimAccount {
  id: string;
  name: string;
  email: string;
  state: AccountState;
  ouId: string;
  ouPath: string;
  joinedAt: number;
  faults: AccountFaults;
  root: SimRoot;
  users: SimUser[];
  posture: SimPosture;
  /** The account's tags in Organizations. */
  tags: Record<string, string>;
}

export interface SimOu {
  id: string;
  name: string;
  parentId: string;
  path: string;
}

export interface SimOrg {
  id: string;
  rootId: string;
  managementAccountId: string;
  ous: SimOu[];
  accounts: SimAccount[];
  /** The organization manages member root credentials centrally. */
  centralizedRootAccess: boolean;
}
