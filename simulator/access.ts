// Who may do what in the simulated world. Without an access control every authenticated call is
// allowed (the simulator's own rules aside: only the operator may assume member roles or read
// Organizations). With one, every call is first put to it the way AWS authorizes it: the IAM
// actions the call needs, on which resources, in which account, with the condition keys the
// request carries (as IAM's Service Authorization Reference lists them). A refusal goes back as
// that service says no: its HTTP status, its error code, its message.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimOrg } from './model.ts';
import type { Identity } from './services.ts';
import { ServiceError } from './wire.ts';

/** One IAM authorization a call needs. */
export interface Permission {
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource (its resource policy, if any, is consulted). */
  readonly resourceAccount: string;
  /** Request-specific condition keys (sts:ExternalId, aws:ResourceOrgID, ...). */
  readonly context: Record<string, string>;
}

export interface AccessControl {
  /**
   * The principal a request is from. A test world that runs several principals in one process
   * under one signing key (every function of a deployment) says here which one sent it.
   */
  principal?(signer: Identity, headers: IncomingHttpHeaders): Identity;
  /** The first of the permissions refused, or undefined when all are granted. */
  authorize(principal: Identity, asks: readonly Permission[]): Promise<Permission | undefined>;
}

const partitionOf = (arn: string) => arn.split(':')[1] || 'aws';

/** The organization-membership keys IAM adds to every request. */
function orgKeys(org: SimOrg, principalAccount: string, resourceAccount: string): Record<string, string> {
  const inOrg = (id: string) => org.accounts.some((a) => a.id === id);
  return {
    ...(inOrg(principalAccount) ? { 'aws:PrincipalOrgID': org.id } : {}),
    ...(inOrg(resourceAccount) ? { 'aws:ResourceOrgID': org.id } : {}),
  };
}

export interface CallInput {
  readonly service: 'sts' | 'iam' | 'organizations' | 'glue' | 'athena' | 'sns' | 'securityhub';
  readonly action: string;
  /** The query protocol's form or the JSON body. */
  readonly form?: URLSearchParams;
  readonly body?: Record<string, unknown>;
  readonly region: string;
  /** Security Hub's REST path. */
  readonly path?: string;
}

/** The IAM authorizations a call needs, as the Service Authorization Reference lists them. */
export function permissionsFor(org: SimOrg, principal: Identity, call: CallInput): Permission[] {
  const p = partitionOf(principal.arn);
  const own = principal.accountId;
  const ask = (
    action: string,
    resource: string,
    resourceAccount = own,
    extra: Record<string, string> = {},
  ) => ({
    action,
    resource,
    resourceAccount,
    context: { ...orgKeys(org, own, resourceAccount), ...extra },
  });
  const { action, region } = call;
  switch (call.service) {
    case 'sts': {
      // GetCallerIdentity needs no permission: IAM cannot deny it.
      if (action !== 'AssumeRole') return [];
      const roleArn = call.form?.get('RoleArn') ?? '';
      const target = /::(\d{12}):role\//.exec(roleArn)?.[1] ?? own;
      const externalId = call.form?.get('ExternalId');
      return [
        ask('sts:AssumeRole', roleArn, target, {
          'sts:RoleSessionName': call.form?.get('RoleSessionName') ?? '',
          ...(externalId ? { 'sts:ExternalId': externalId } : {}),
        }),
      ];
    }
    case 'iam':
      return [ask(`iam:${action}`, '*')];
    case 'organizations': {
      const id = String(call.body?.ResourceId ?? '');
      const base = `arn:${p}:organizations::${org.managementAccountId}`;
      const resource =
        action !== 'ListTagsForResource'
          ? '*'
          : id === org.rootId
            ? `${base}:root/${org.id}/${id}`
            : id.startsWith('ou-')
              ? `${base}:ou/${org.id}/${id}`
              : `${base}:account/${org.id}/${id}`;
      return [ask(`organizations:${action}`, resource, org.managementAccountId)];
    }
    case 'glue': {
      const db = String(call.body?.DatabaseName ?? '');
      const table = String(call.body?.TableName ?? call.body?.Name ?? '');
      const arn = (kind: string) => `arn:${p}:glue:${region}:${own}:${kind}`;
      const resources = [
        arn('catalog'),
        arn(`database/${db}`),
        ...(table ? [arn(`table/${db}/${table}`)] : []),
      ];
      return resources.map((r) => ask(`glue:${action}`, r));
    }
    case 'athena': {
      const workgroup = String(call.body?.WorkGroup || 'primary');
      return [ask(`athena:${action}`, `arn:${p}:athena:${region}:${own}:workgroup/${workgroup}`)];
    }
    case 'sns':
      return [ask(`sns:${action}`, call.form?.get('TopicArn') ?? '*')];
    case 'securityhub': {
      const hub = `arn:${p}:securityhub:${region}:${own}:hub/default`;
      if (call.path === '/findings/import')
        return [
          ask(
            'securityhub:BatchImportFindings',
            `arn:${p}:securityhub:${region}:${own}:product/${own}/default`,
          ),
        ];
      if (call.path === '/findings/batchupdate') return [ask('securityhub:BatchUpdateFindings', hub)];
      return [ask('securityhub:GetFindings', hub)];
    }
  }
}

/** A refusal as the service answers it (status, code, message). */
export function accessDenied(
  service: CallInput['service'],
  principal: Identity,
  denied: Permission,
): ServiceError {
  const because = `User: ${principal.arn} is not authorized to perform: ${denied.action} on resource: ${denied.resource}`;
  switch (service) {
    case 'sts':
      return new ServiceError(403, 'AccessDenied', because);
    case 'iam':
      return new ServiceError(
        403,
        'AccessDenied',
        `${because} because no identity-based policy allows the ${denied.action} action`,
      );
    case 'organizations':
      return new ServiceError(
        400,
        'AccessDeniedException',
        "You don't have permissions to access this resource.",
      );
    case 'sns':
      return new ServiceError(
        403,
        'AuthorizationError',
        because.replace(denied.action, denied.action.replace(/^sns:/, 'SNS:')),
      );
    case 'securityhub':
      return new ServiceError(403, 'AccessDeniedException', because);
    default:
      // Glue and Athena: AccessDeniedException with HTTP 400.
      return new ServiceError(400, 'AccessDeniedException', because);
  }
}

/** What an Athena query reads and writes in S3 and Glue with its caller's permissions. */
export function athenaQueryPermissions(
  org: SimOrg,
  principal: Identity,
  region: string,
  query: {
    sql: string;
    database: string;
    bucket: string;
    tables: Record<string, string>;
    outputKey: string;
    /** An UNLOAD's target folder: listed (it must be empty) and written. */
    unloadPrefix?: string;
  },
): Permission[] {
  const p = partitionOf(principal.arn);
  const own = principal.accountId;
  const ctx = orgKeys(org, own, own);
  const ask = (action: string, resource: string, extra: Record<string, string> = {}) => ({
    action,
    resource,
    resourceAccount: own,
    context: { ...ctx, ...extra },
  });
  const glue = (kind: string) => `arn:${p}:glue:${region}:${own}:${kind}`;
  const asks: Permission[] = [];
  for (const [table, prefix] of Object.entries(query.tables)) {
    if (!new RegExp(`\\b${table}\\b`, 'i').test(query.sql)) continue;
    asks.push(
      ask('glue:GetTable', glue(`table/${query.database}/${table}`)),
      ask('glue:GetPartitions', glue(`table/${query.database}/${table}`)),
      ask('s3:ListBucket', `arn:${p}:s3:::${query.bucket}`, { 's3:prefix': prefix }),
      // Any object under the table's location: the grant must cover them all.
      ask('s3:GetObject', `arn:${p}:s3:::${query.bucket}/${prefix.replace(/\/?$/, '/')}any-object`),
    );
  }
  asks.push(
    ask('s3:GetBucketLocation', `arn:${p}:s3:::${query.bucket}`),
    ask('s3:PutObject', `arn:${p}:s3:::${query.bucket}/${query.outputKey}`),
  );
  if (query.unloadPrefix !== undefined)
    asks.push(
      ask('s3:ListBucket', `arn:${p}:s3:::${query.bucket}`, { 's3:prefix': query.unloadPrefix }),
      // Athena picks the files' names: the grant must cover any object under the target.
      ask('s3:PutObject', `arn:${p}:s3:::${query.bucket}/${query.unloadPrefix}any-object`),
    );
  return asks;
}

/** Athena's reason for a query that failed on its caller's permissions. */
export function athenaDeniedReason(denied: Permission): string {
  const path = `s3://${denied.resource.split(':::')[1]}`;
  if (denied.action === 's3:PutObject') return `Access denied when writing output to url: ${path}`;
  if (denied.action.startsWith('s3:')) return `Permission denied on S3 path: ${path}`;
  return `Insufficient permissions to execute the query. ${denied.action} on ${denied.resource} was denied`;
}
