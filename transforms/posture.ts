// Normalizes what IAM says about an account (summary, password policy, virtual MFA devices,
// authorization details) into rows of `account_posture` and `user_privileges`. Pure.

import type { Value } from './credential-report.ts';
import { PolicyDocumentError } from './errors.ts';

export interface AccountSummary {
  readonly mfaEnabled: boolean;
  readonly accessKeysPresent: boolean;
  readonly passwordPresent: boolean;
}

export interface PasswordPolicy {
  readonly minimumLength: number | null;
  readonly reusePrevention: number | null;
  readonly requireSymbols: boolean;
  readonly requireNumbers: boolean;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  readonly maxAge: number | null;
}

export interface PolicyRef {
  readonly name: string;
  readonly arn: string;
}

export interface InlinePolicy {
  readonly name: string;
  /** The policy document as JSON text (already URL-decoded). */
  readonly document: string;
}

export interface AuthorizationDetails {
  readonly users: {
    readonly userName: string;
    readonly arn: string;
    readonly groups: string[];
    readonly managed: PolicyRef[];
    readonly inline: InlinePolicy[];
    readonly boundaryArn: string | null;
    /** The user's tags; absent in records read before credlake kept them. */
    readonly tags?: readonly { readonly key: string; readonly value: string }[];
  }[];
  readonly groups: {
    readonly name: string;
    readonly managed: PolicyRef[];
    readonly inline: InlinePolicy[];
  }[];
  /** Default-version documents of the managed policies attached in the account, by ARN. */
  readonly managedDocuments: Record<string, string>;
}

export interface AccountPosture {
  readonly summary: AccountSummary;
  readonly passwordPolicy: PasswordPolicy | null;
  /** Serial numbers of virtual MFA devices assigned to root. */
  readonly rootVirtualMfa: boolean;
  readonly centralizedRootAccess: boolean | null;
}

const ADMIN_POLICY = /:policy\/AdministratorAccess$/;

/**
 * True when a policy document allows every action on every resource. A document that is not JSON
 * is a PolicyDocumentError naming `policy`: unknown is never "not admin".
 */
export function allowsEverything(document: string, policy = 'document'): boolean {
  let parsed: { Statement?: unknown };
  try {
    parsed = JSON.parse(document);
  } catch (cause) {
    throw new PolicyDocumentError(policy, { cause });
  }
  const statements = [parsed.Statement].flat().filter(Boolean) as {
    Effect?: string;
    Action?: unknown;
    Resource?: unknown;
  }[];
  const has = (v: unknown) => [v].flat().includes('*');
  return statements.some((s) => s.Effect === 'Allow' && has(s.Action) && has(s.Resource));
}

export function postureRow(
  accountId: string,
  accountName: string | null,
  runId: string,
  p: AccountPosture,
): Record<string, Value> {
  const policy = p.passwordPolicy;
  return {
    account_id: accountId,
    account_name: accountName,
    run_id: runId,
    root_mfa_enabled: p.summary.mfaEnabled,
    root_mfa_type: p.summary.mfaEnabled ? (p.rootVirtualMfa ? 'virtual' : 'hardware') : null,
    root_access_keys_present: p.summary.accessKeysPresent,
    root_password_present: p.summary.passwordPresent,
    centralized_root_access: p.centralizedRootAccess,
    password_policy_present: policy !== null,
    minimum_password_length: policy?.minimumLength ?? null,
    password_reuse_prevention: policy?.reusePrevention ?? null,
    require_symbols: policy?.requireSymbols ?? null,
    require_numbers: policy?.requireNumbers ?? null,
    require_uppercase: policy?.requireUppercase ?? null,
    require_lowercase: policy?.requireLowercase ?? null,
    max_password_age: policy?.maxAge ?? null,
  };
}

export function privilegeRows(
  details: AuthorizationDetails,
  accountName: string | null,
  runId: string,
): Record<string, Value>[] {
  const groups = new Map(details.groups.map((g) => [g.name, g]));
  const managedIsAdmin = (p: PolicyRef) =>
    ADMIN_POLICY.test(p.arn) || allowsEverything(details.managedDocuments[p.arn] ?? '{}', p.arn);
  const rows: Record<string, Value>[] = [];
  for (const user of details.users) {
    const base = { account_name: accountName, run_id: runId, user_name: user.userName, arn: user.arn };
    const own: Record<string, Value>[] = [];
    const add = (
      policy_name: string,
      policy_arn: string | null,
      policy_kind: string,
      source: string,
      group_name: string | null,
      grants_admin: boolean,
    ) => own.push({ ...base, policy_name, policy_arn, policy_kind, source, group_name, grants_admin });
    for (const p of user.managed) add(p.name, p.arn, 'managed', 'user', null, managedIsAdmin(p));
    for (const p of user.inline)
      add(
        p.name,
        null,
        'inline',
        'user',
        null,
        allowsEverything(p.document, `${p.name} (inline, user ${user.userName})`),
      );
    for (const name of user.groups) {
      const g = groups.get(name);
      for (const p of g?.managed ?? []) add(p.name, p.arn, 'managed', 'group', name, managedIsAdmin(p));
      for (const p of g?.inline ?? [])
        add(
          p.name,
          null,
          'inline',
          'group',
          name,
          allowsEverything(p.document, `${p.name} (inline, group ${name})`),
        );
    }
    // A boundary limits what the user may do; it never grants, so it never makes an admin.
    if (user.boundaryArn)
      add(user.boundaryArn.split('/').at(-1)!, user.boundaryArn, 'boundary', 'user', null, false);
    const isAdmin = own.some((r) => r.grants_admin === true);
    for (const r of own) rows.push({ ...r, user_is_admin: isAdmin });
  }
  return rows;
}

/** One row per tag of each user, from the same authorization details. */
export function userTagRows(
  details: AuthorizationDetails,
  accountName: string | null,
  runId: string,
): Record<string, Value>[] {
  return details.users.flatMap((user) =>
    (user.tags ?? []).map((t) => ({
      account_name: accountName,
      run_id: runId,
      user_name: user.userName,
      arn: user.arn,
      tag_key: t.key,
      tag_value: t.value,
    })),
  );
}
