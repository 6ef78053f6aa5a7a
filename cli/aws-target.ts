// Where a run collects from: the real organization the caller's credentials reach (the SDK's
// default chain: profiles, SSO, environment), or a simulator started in this process.
import type { AccountAccess, OrgApi } from '../collector/api.ts';
import { sdkAccountAccess } from '../collector/aws/account-access.ts';
import { type AwsConnection, createClients } from '../collector/aws/clients.ts';
import { sdkOrgApi } from '../collector/aws/org-api.ts';
import { DEFAULT_RETRY, retryPolicyForRun, withRetry } from '../collector/retry.ts';
import type { FaultRates, LatencyName } from '../simulator/faults.ts';
import { Simulator } from '../simulator/simulator.ts';

export interface TargetOptions {
  readonly simulate: boolean;
  readonly region: string;
  readonly roleName: string;
  readonly externalId?: string;
  readonly sessionName: string;
  /** Read account posture and privileges beside each report. */
  readonly posture?: boolean;
  readonly sim?: {
    accounts: number;
    seed: number;
    faults?: FaultRates;
    latency: LatencyName;
    date: string;
    centralizedRootAccess?: boolean;
  };
}

export interface CollectTarget {
  /** Where AWS calls go: the caller's region and credentials, or the simulator's endpoint. */
  readonly connection: AwsConnection;
  readonly access: AccountAccess;
  readonly org: OrgApi;
  readonly simulator?: Simulator;
  close(): Promise<void>;
}

export async function openTarget(options: TargetOptions, signal?: AbortSignal): Promise<CollectTarget> {
  let simulator: Simulator | undefined;
  let connection: AwsConnection = { region: options.region };
  if (options.simulate && options.sim) {
    simulator = await Simulator.start({
      ...options.sim,
      roleName: options.roleName,
      externalId: options.externalId,
    });
    connection = {
      region: options.region,
      endpoint: simulator.endpoint,
      credentials: simulator.callerCredentials,
    };
  }
  const clients = createClients(connection);
  let access: AccountAccess;
  try {
    // The caller's first STS call goes through the same retry policy as every other call.
    access = await withRetry(
      () =>
        sdkAccountAccess(connection, clients.sts, {
          roleName: options.roleName,
          externalId: options.externalId,
          sessionName: options.sessionName,
          posture: options.posture,
        }),
      { attempts: 0 },
      DEFAULT_RETRY,
      signal,
    );
  } catch (error) {
    await simulator?.close();
    throw error;
  }
  return {
    connection,
    access,
    org: sdkOrgApi(clients.organizations, retryPolicyForRun(), signal),
    simulator,
    close: async () => {
      await simulator?.close();
    },
  };
}
