// Account posture and user privileges through the IAM SDK client: GetAccountSummary,
// GetAccountPasswordPolicy, ListVirtualMFADevices and GetAccountAuthorizationDetails.
import {
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  type IAMClient,
  ListOrganizationsFeaturesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { sideBySide } from '../../common/side-by-side.ts';
import type {
  AuthorizationDetails,
  InlinePolicy,
  PasswordPolicy,
  PolicyRef,
} from '../../transforms/posture.ts';
import type { CallWrapper, PostureApi } from '../api.ts';
import { ApiError } from '../errors.ts';
import { DEFAULT_RETRY, withRetry } from '../retry.ts';
import { sdkCall } from './sdk-errors.ts';

// IAM returns policy documents URL-encoded.
const decode = (doc: string | undefined) => (doc ? decodeURIComponent(doc) : '{}');
const refs = (list: { PolicyName?: string; PolicyArn?: string }[] | undefined): PolicyRef[] =>
  (list ?? []).map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));
const inline = (list: { PolicyName?: string; PolicyDocument?: string }[] | undefined): InlinePolicy[] =>
  (list ?? []).map((p) => ({ name: p.PolicyName ?? '', document: decode(p.PolicyDocument) }));

export function sdkPostureApi(iam: IAMClient): PostureApi {
  return {
    async readPosture(call) {
      // Three reads side by side; each returns what it found, or throws once all have ended.
      const [summary, [policy, rootVirtualMfa]] = await sideBySide(
        async () =>
          (await call(() => sdkCall(() => iam.send(new GetAccountSummaryCommand({}))))).SummaryMap ?? {},
        () =>
          sideBySide(
            () => readPasswordPolicy(iam, call),
            () => readRootVirtualMfa(iam, call),
          ),
      );
      return {
        summary: {
          mfaEnabled: summary.AccountMFAEnabled === 1,
          accessKeysPresent: summary.AccountAccessKeysPresent === 1,
          passwordPresent: summary.AccountPasswordPresent === 1,
        },
        passwordPolicy: policy,
        rootVirtualMfa,
      };
    },
    async readAuthorizationDetails(call) {
      const details: AuthorizationDetails = { users: [], groups: [], managedDocuments: {} };
      let marker: string | undefined;
      do {
        const page = await call(() =>
          sdkCall(() =>
            iam.send(
              new GetAccountAuthorizationDetailsCommand({
                Filter: ['User', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'],
                Marker: marker,
              }),
            ),
          ),
        );
        for (const u of page.UserDetailList ?? []) {
          details.users.push({
            userName: u.UserName ?? '',
            arn: u.Arn ?? '',
            groups: u.GroupList ?? [],
            managed: refs(u.AttachedManagedPolicies),
            inline: inline(u.UserPolicyList),
            boundaryArn: u.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
            tags: (u.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
          });
        }
        for (const g of page.GroupDetailList ?? []) {
          details.groups.push({
            name: g.GroupName ?? '',
            managed: refs(g.AttachedManagedPolicies),
            inline: inline(g.GroupPolicyList),
          });
        }
        for (const p of page.Policies ?? []) {
          const version = (p.PolicyVersionList ?? []).find((v) => v.IsDefaultVersion);
          if (p.Arn) details.managedDocuments[p.Arn] = decode(version?.Document);
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return details;
    },
  };
}

async function readPasswordPolicy(iam: IAMClient, call: CallWrapper): Promise<PasswordPolicy | null> {
  try {
    const p = (await call(() => sdkCall(() => iam.send(new GetAccountPasswordPolicyCommand({})))))
      .PasswordPolicy;
    return {
      minimumLength: p?.MinimumPasswordLength ?? null,
      reusePrevention: p?.PasswordReusePrevention ?? null,
      requireSymbols: p?.RequireSymbols ?? false,
      requireNumbers: p?.RequireNumbers ?? false,
      requireUppercase: p?.RequireUppercaseCharacters ?? false,
      requireLowercase: p?.RequireLowercaseCharacters ?? false,
      maxAge: p?.MaxPasswordAge ?? null,
    };
  } catch (error) {
    // No password policy is a finding, not an error.
    if (!(error instanceof ApiError && /NoSuchEntity/.test(error.code))) throw error;
    return null;
  }
}

/** Whether a virtual MFA device is assigned to the root user, page by page. */
async function readRootVirtualMfa(iam: IAMClient, call: CallWrapper): Promise<boolean> {
  let found = false;
  let marker: string | undefined;
  do {
    const page = await call(() =>
      sdkCall(() =>
        iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned', Marker: marker })),
      ),
    );
    if ((page.VirtualMFADevices ?? []).some((d) => d.User?.Arn?.endsWith(':root'))) found = true;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return found;
}

/** What IAM answers a caller that cannot learn the organization's features (HTTP 400 each). */
const UNKNOWABLE = new Set([
  'AccountNotManagementOrDelegatedAdministratorException',
  'ServiceAccessNotEnabledException',
]);

/** Whether the organization manages member root credentials centrally (caller's credentials). */
export async function sdkCentralizedRootAccess(iam: IAMClient): Promise<boolean | null> {
  try {
    const out = await withRetry(
      () => sdkCall(() => iam.send(new ListOrganizationsFeaturesCommand({}))),
      { attempts: 0 },
      DEFAULT_RETRY,
    );
    return (out.EnabledFeatures ?? []).includes('RootCredentialsManagement');
  } catch (error) {
    // Not the management account or IAM's delegated administrator, or IAM's trusted access off:
    // unknown, not false (root findings are then judged as if root were not managed centrally,
    // the stricter reading). Any other failure, after retries, is the caller's to record.
    if (error instanceof ApiError && (error.kind === 'access_denied' || UNKNOWABLE.has(error.code)))
      return null;
    throw error;
  }
}
