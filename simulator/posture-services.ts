// The simulated IAM calls beyond the credential report: GetAccountSummary,
// GetAccountPasswordPolicy, ListVirtualMFADevices, GetAccountAuthorizationDetails (paginated,
// documents URL-encoded as IAM sends them) and ListOrganizationsFeatures.
import type { SimAccount, SimInlinePolicy, SimOrg } from './model.ts';
import type { Identity } from './services.ts';
import { ServiceError, xmlEscape } from './wire.ts';

const CREATED = '2020-01-01T00:00:00Z';
const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const NARROW = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'lambda:UpdateFunctionCode'], Resource: '*' }],
});
const doc = (allowsAll: boolean) => encodeURIComponent(allowsAll ? ALLOW_ALL : NARROW);
const member = (inner: string) => `<member>${inner}</member>`;
const list = (tag: string, items: string[]) => `<${tag}>${items.map(member).join('')}</${tag}>`;
const managedRef = (arn: string) =>
  `<PolicyName>${xmlEscape(arn.split('/').at(-1)!)}</PolicyName><PolicyArn>${xmlEscape(arn)}</PolicyArn>`;
const inlineRef = (p: SimInlinePolicy) =>
  `<PolicyName>${xmlEscape(p.name)}</PolicyName><PolicyDocument>${doc(p.allowsAll)}</PolicyDocument>`;

function denyPosture(account: SimAccount, action: string, identity: Identity): void {
  if (account.faults.postureDenied) {
    throw new ServiceError(
      403,
      'AccessDenied',
      `User: ${identity.arn} is not authorized to perform: iam:${action} on resource: *`,
    );
  }
}

export function getAccountSummary(account: SimAccount, identity: Identity): string {
  denyPosture(account, 'GetAccountSummary', identity);
  const root = account.root;
  const entries: [string, number][] = [
    ['AccountMFAEnabled', root.mfa ? 1 : 0],
    ['AccountAccessKeysPresent', root.keys.some((k) => k !== null) ? 1 : 0],
    ['AccountPasswordPresent', account.posture.rootPasswordPresent ? 1 : 0],
    ['Users', account.users.length],
    ['Groups', account.posture.groups.length],
  ];
  return `<SummaryMap>${entries.map(([k, v]) => `<entry><key>${k}</key><value>${v}</value></entry>`).join('')}</SummaryMap>`;
}

export function getAccountPasswordPolicy(account: SimAccount, identity: Identity): string {
  denyPosture(account, 'GetAccountPasswordPolicy', identity);
  const p = account.posture.passwordPolicy;
  if (!p)
    throw new ServiceError(
      404,
      'NoSuchEntity',
      `The Password Policy with domain name ${account.id} cannot be found.`,
    );
  const fields = [
    `<MinimumPasswordLength>${p.minimumLength}</MinimumPasswordLength>`,
    `<RequireSymbols>${p.requireSymbols}</RequireSymbols>`,
    `<RequireNumbers>${p.requireNumbers}</RequireNumbers>`,
    `<RequireUppercaseCharacters>${p.requireUppercase}</RequireUppercaseCharacters>`,
    `<RequireLowercaseCharacters>${p.requireLowercase}</RequireLowercaseCharacters>`,
    '<AllowUsersToChangePassword>true</AllowUsersToChangePassword>',
    `<ExpirePasswords>${p.maxAge !== null}</ExpirePasswords>`,
    p.maxAge !== null ? `<MaxPasswordAge>${p.maxAge}</MaxPasswordAge>` : '',
    p.reusePrevention !== null
      ? `<PasswordReusePrevention>${p.reusePrevention}</PasswordReusePrevention>`
      : '',
  ];
  return `<PasswordPolicy>${fields.join('')}</PasswordPolicy>`;
}

export function listVirtualMfaDevices(
  account: SimAccount,
  identity: Identity,
  params: URLSearchParams,
): string {
  denyPosture(account, 'ListVirtualMFADevices', identity);
  const devices: string[] = [];
  if (account.root.mfa && !account.posture.rootMfaHardware) {
    devices.push(
      `<SerialNumber>arn:aws:iam::${account.id}:mfa/root-account-mfa-device</SerialNumber><User><Path>/</Path><UserName>${account.id}</UserName><UserId>${account.id}</UserId><Arn>arn:aws:iam::${account.id}:root</Arn><CreateDate>${CREATED}</CreateDate></User><EnableDate>${CREATED}</EnableDate>`,
    );
  }
  for (const u of account.users.filter((x) => x.mfa)) {
    const arn = `arn:aws:iam::${account.id}:user${u.path}${u.name}`;
    devices.push(
      `<SerialNumber>arn:aws:iam::${account.id}:mfa/${xmlEscape(u.name)}</SerialNumber><User><Path>${xmlEscape(u.path)}</Path><UserName>${xmlEscape(u.name)}</UserName><UserId>AIDA${u.name.length}</UserId><Arn>${xmlEscape(arn)}</Arn><CreateDate>${CREATED}</CreateDate></User><EnableDate>${CREATED}</EnableDate>`,
    );
  }
  return page(devices, params, 'VirtualMFADevices');
}

export function getAccountAuthorizationDetails(
  account: SimAccount,
  identity: Identity,
  params: URLSearchParams,
): string {
  denyPosture(account, 'GetAccountAuthorizationDetails', identity);
  const userDetail = (u: SimAccount['users'][number]) => {
    const arn = `arn:aws:iam::${account.id}:user${u.path}${u.name}`;
    return `<Path>${xmlEscape(u.path)}</Path><UserName>${xmlEscape(u.name)}</UserName><UserId>AIDA${u.name.length}</UserId><Arn>${xmlEscape(arn)}</Arn><CreateDate>${CREATED}</CreateDate>${list('GroupList', u.groups.map(xmlEscape))}${list('AttachedManagedPolicies', u.managed.map(managedRef))}${list('UserPolicyList', u.inline.map(inlineRef))}${
      u.tags?.length
        ? list(
            'Tags',
            u.tags.map((t) => `<Key>${xmlEscape(t.key)}</Key><Value>${xmlEscape(t.value)}</Value>`),
          )
        : ''
    }${u.boundary ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${xmlEscape(u.boundary)}</PermissionsBoundaryArn></PermissionsBoundary>` : ''}`;
  };
  const groupDetail = (g: SimAccount['posture']['groups'][number]) =>
    `<Path>/</Path><GroupName>${g.name}</GroupName><GroupId>AGPA${g.name}</GroupId><Arn>arn:aws:iam::${account.id}:group/${g.name}</Arn><CreateDate>${CREATED}</CreateDate>${list('AttachedManagedPolicies', g.managed.map(managedRef))}${list('GroupPolicyList', g.inline.map(inlineRef))}`;
  const policy = (arn: string) =>
    `<PolicyName>${arn.split('/').at(-1)}</PolicyName><PolicyId>ANPA1</PolicyId><Arn>${arn}</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable><PolicyVersionList><member><Document>${doc(true)}</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>${CREATED}</CreateDate></member></PolicyVersionList><CreateDate>${CREATED}</CreateDate><UpdateDate>${CREATED}</UpdateDate>`;
  // One stream of items (users, then groups, then policies), paged as IAM pages it; each page
  // lists what falls in it, and only that page's items are written out.
  const { users } = account;
  const { groups, adminCustomerPolicies: policies } = account.posture;
  const items = { length: users.length + groups.length + policies.length };
  const max = Math.min(Number(params.get('MaxItems') ?? 100), 1000);
  const start = Number(params.get('Marker') ?? 0);
  const end = Math.min(start + max, items.length);
  const within = <T>(list: readonly T[], offset: number) =>
    list.slice(Math.max(0, start - offset), Math.max(0, end - offset));
  const pageUsers = within(users, 0).map(userDetail);
  const pageGroups = within(groups, users.length).map(groupDetail);
  const pagePolicies = within(policies, users.length + groups.length).map(policy);
  const truncated = start + max < items.length;
  return `${list('UserDetailList', pageUsers)}${list('GroupDetailList', pageGroups)}${list('RoleDetailList', [])}${list('Policies', pagePolicies)}<IsTruncated>${truncated}</IsTruncated>${truncated ? `<Marker>${start + max}</Marker>` : ''}`;
}

/**
 * IAM's ListOrganizationsFeatures, with the errors IAM documents for it: a caller that is neither
 * the management account nor IAM's delegated administrator gets
 * AccountNotManagementOrDelegatedAdministratorException, and with IAM's trusted access off every
 * caller gets ServiceAccessNotEnabledException (both HTTP 400).
 */
export function listOrganizationsFeatures(
  org: SimOrg,
  identity: Identity,
  callerRole: 'admin' | 'member' | 'trusted-access-off',
): string {
  if (callerRole === 'trusted-access-off')
    throw new ServiceError(
      400,
      'ServiceAccessNotEnabledException',
      'The request failed because trusted access for IAM is not enabled in Organizations.',
    );
  if (!identity.isCaller || callerRole === 'member')
    throw new ServiceError(
      400,
      'AccountNotManagementOrDelegatedAdministratorException',
      'The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.',
    );
  const features = org.centralizedRootAccess ? ['RootCredentialsManagement', 'RootSessions'] : [];
  return `<OrganizationId>${org.id}</OrganizationId>${list('EnabledFeatures', features)}`;
}

function page(items: string[], params: URLSearchParams, tag: string): string {
  const max = Math.min(Number(params.get('MaxItems') ?? 100), 1000);
  const start = Number(params.get('Marker') ?? 0);
  const truncated = start + max < items.length;
  return `${list(tag, items.slice(start, start + max))}<IsTruncated>${truncated}</IsTruncated>${truncated ? `<Marker>${start + max}</Marker>` : ''}`;
}
