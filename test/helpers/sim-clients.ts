import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Simulator } from '../../simulator/simulator.ts';

export function callerConfig(sim: Simulator) {
  return { endpoint: sim.endpoint, region: 'us-east-1', credentials: sim.callerCredentials, maxAttempts: 1 };
}

/** Production SDK clients pointed at the simulator with the operator's credentials. */
export function callerClients(sim: Simulator) {
  const config = callerConfig(sim);
  return { sts: new STSClient(config), iam: new IAMClient(config), org: new OrganizationsClient(config) };
}

/** An IAM client with credentials from AssumeRole into a member account. */
export async function memberIam(sim: Simulator, accountId: string, externalId?: string): Promise<IAMClient> {
  const { sts } = callerClients(sim);
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${sim.roleName}`,
      RoleSessionName: 'credlake-test',
      ExternalId: externalId,
    }),
  );
  const c = out.Credentials!;
  return new IAMClient({
    ...callerConfig(sim),
    credentials: {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    },
  });
}

export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}
