import { GenerateCredentialReportCommand, GetCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AccountAccess, ReportApi, ReportState } from '../api.ts';
import { ApiError } from '../errors.ts';
import { type AwsConnection, clientConfig } from './clients.ts';
import { sdkCentralizedRootAccess, sdkPostureApi } from './posture-api.ts';
import { sdkCall } from './sdk-errors.ts';

export interface MemberRole {
  readonly roleName: string;
  readonly externalId?: string;
  readonly sessionName: string;
  /** Read account posture and privileges beside the report (default true). */
  readonly posture?: boolean;
}

/** The credential report API of one account, through an IAM client. */
export function sdkReportApi(iam: IAMClient, posture = true): ReportApi {
  return {
    posture: posture ? sdkPostureApi(iam) : undefined,
    async generate() {
      const out = await sdkCall(() => iam.send(new GenerateCredentialReportCommand({})));
      return (out.State ?? 'STARTED') as ReportState;
    },
    async fetch() {
      const out = await sdkCall(() => iam.send(new GetCredentialReportCommand({})));
      if (!out.Content || !out.GeneratedTime)
        throw new ApiError('other', 'EmptyReport', 'GetCredentialReport returned no content');
      return { content: out.Content, generatedAt: out.GeneratedTime.getTime() };
    },
  };
}

/** Reaches each member account through AssumeRole; the caller's own account with its own credentials. */
export async function sdkAccountAccess(
  connection: AwsConnection,
  sts: STSClient,
  role: MemberRole,
): Promise<AccountAccess> {
  const identity = await sdkCall(() => sts.send(new GetCallerIdentityCommand({})));
  const callerAccountId = identity.Account ?? '';
  // Member roles live in the caller's partition (aws, aws-us-gov, aws-cn).
  const partition = identity.Arn?.split(':')[1] || 'aws';
  const ownIam = new IAMClient(clientConfig(connection));
  let centralized: Promise<boolean | null> | undefined;
  return {
    callerAccountId,
    centralizedRootAccess: () => {
      centralized ??= role.posture === false ? Promise.resolve(null) : sdkCentralizedRootAccess(ownIam);
      return centralized;
    },
    async reportApiFor(accountId) {
      if (accountId === callerAccountId) return sdkReportApi(ownIam, role.posture !== false);
      const out = await sdkCall(() =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:${partition}:iam::${accountId}:role/${role.roleName}`,
            RoleSessionName: role.sessionName,
            ExternalId: role.externalId,
            DurationSeconds: 3600,
          }),
        ),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new ApiError('other', 'NoCredentials', 'AssumeRole returned no credentials');
      const credentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      };
      return sdkReportApi(new IAMClient(clientConfig(connection, credentials)), role.posture !== false);
    },
  };
}
