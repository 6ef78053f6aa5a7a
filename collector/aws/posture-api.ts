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
import type { AuthorizationDetails, InlinePolicy, PolicyRef } from '../../transforms/posture.ts';
import type { PostureApi } from '../api.ts';
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
      const summary =
        (await call(() => sdkCall(() => iam.send(new GetAccountSummaryCommand({}))))).SummaryMap ?? {};
      let policy = null;
      try {
        const p = (await call(() => sdkCall(() => iam.send(new GetAccountPasswordPolicyCommand({})))))
          .PasswordPolicy;
        policy = {
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
      }
      let rootVirtualMfa = false;
      let marker: string | undefined;
      do {
        const page = await call(() =>
          sdkCall(() =>
            iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned', Marker: marker })),
          ),
        );
        if ((page.VirtualMFADevices ?? []).some((d) => d.User?.Arn?.endsWith(':root'))) rootVirtualMfa = true;
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
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
