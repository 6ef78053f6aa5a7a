// SDK v3 clients for the collector. Retries are the collector's own (counted, reason-aware),
// so the SDK's are off. An endpoint override points every client at the simulator.

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsConnection {
  readonly region: string;
  readonly endpoint?: string;
  /** Static credentials (the simulator); default: the SDK's default credential chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

// One connection pool for every client: a run creates an IAM client per account.
const requestHandler = new NodeHttpHandler({
  httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 100 }),
  httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 100 }),
  connectionTimeout: 10_000,
  requestTimeout: 60_000,
});

export function clientConfig(connection: AwsConnection, credentials = connection.credentials) {
  return {
    region: connection.region,
    endpoint: connection.endpoint,
    credentials,
    maxAttempts: 1,
    requestHandler,
  };
}

export function createClients(connection: AwsConnection) {
  return {
    sts: new STSClient(clientConfig(connection)),
    iam: new IAMClient(clientConfig(connection)),
    organizations: new OrganizationsClient({
      ...clientConfig(connection),
      region: connection.endpoint ? connection.region : organizationsRegion(connection.region),
    }),
  };
}

/**
 * Organizations has one endpoint per partition, whatever the caller's region: us-east-1 in the
 * commercial partition, us-gov-west-1 in GovCloud, cn-northwest-1 in China.
 */
export function organizationsRegion(region: string): string {
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  if (region.startsWith('cn-')) return 'cn-northwest-1';
  return 'us-east-1';
}
