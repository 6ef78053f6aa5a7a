// Lambda entry points of the deployed pipeline. They only wire: configuration from the
// environment, SDK clients, the S3 lake, Powertools logging and metrics, then the pipeline steps.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ENV } from '../common/env-names.ts';
import { registerPartitions } from '../lake/glue-partitions.ts';
import { EVIDENCE_ZONES } from '../lake/keys.ts';
import { S3Store } from '../lake/s3-store.ts';
import { sdkAccountAccess } from './aws/account-access.ts';
import { createClients } from './aws/clients.ts';
import { sdkOrgApi } from './aws/org-api.ts';
import { DEFAULT_POLL } from './collect-account.ts';
import { readCollectorConfig } from './env.ts';
import { onceSucceeded } from './once.ts';
import { DEFAULT_RETRY, retryPolicyForRun, withRetry } from './retry.ts';
import {
  type AccountItem,
  collectOne,
  type FailedItem,
  type FinalizeInput,
  finalizeRun,
  type PipelineDeps,
  planRun,
  recordFailure as recordFailureStep,
} from './run-steps.ts';

const logger = new Logger({ serviceName: 'credlake' });
const metrics = new Metrics({ namespace: 'credlake', serviceName: 'credlake' });
const config = readCollectorConfig();
const connection = { region: process.env.AWS_REGION ?? 'us-east-1' };
const clients = createClients(connection);

const store = new S3Store(
  new S3Client({ forcePathStyle: process.env[ENV.s3ForcePathStyle] === 'true' }),
  config.bucket,
  config.prefix,
  // Raw evidence is written with an Object Lock retention when the bucket has it.
  config.evidenceLock ? { ...config.evidenceLock, prefixes: EVIDENCE_ZONES } : undefined,
);

/** How long the deployed plan step reads account tags before recording the rest as unknown. */
export const ACCOUNT_TAGS_DEADLINE_MS = 120_000;

const deps: PipelineDeps = {
  store,
  objectKey: (key) => store.objectKey(key),
  org: sdkOrgApi(clients.organizations, retryPolicyForRun()),
  // A warm instance reuses its account-access setup, but never a failed one: the first STS call
  // is retried like any other, and a setup that still fails is dropped for the next invocation.
  access: onceSucceeded(() =>
    withRetry(
      () =>
        sdkAccountAccess(connection, clients.sts, {
          roleName: config.memberRoleName,
          externalId: config.externalId,
          sessionName: 'credlake-collector',
          posture: config.collectPosture,
        }),
      { attempts: 0 },
      DEFAULT_RETRY,
    ),
  ),
  filters: {
    accounts: config.includeAccounts,
    excludeAccounts: config.excludeAccounts,
    ous: config.includeOus,
  },
  reportTimeoutMs: config.reportTimeoutSeconds * 1000,
  ...(config.reportPollMs ? { poll: { ...DEFAULT_POLL, initialMs: config.reportPollMs } } : {}),
  // The plan function has 5 minutes: two of them at most go to account tags, the rest unknown.
  accountTagsDeadlineMs: ACCOUNT_TAGS_DEADLINE_MS,
  registerPartitions: config.glueDatabase
    ? (table, partitions) =>
        registerPartitions(
          new GlueClient({}),
          { database: config.glueDatabase!, bucket: config.bucket, prefix: config.prefix },
          table,
          partitions,
        )
    : undefined,
  notify: config.topicArn
    ? async (subject, message) => {
        await new SNSClient({}).send(
          new PublishCommand({ TopicArn: config.topicArn, Subject: subject.slice(0, 99), Message: message }),
        );
      }
    : undefined,
};

export async function plan(event: { dt?: string } = {}) {
  const out = await planRun(deps, event);
  logger.info('run planned', {
    runId: out.runId,
    dt: out.dt,
    accounts: out.accounts,
    skipped: out.skipped,
  });
  metrics.addMetric('accounts_skipped', MetricUnit.Count, out.skipped);
  metrics.publishStoredMetrics();
  return out;
}

export async function collectAccount(item: AccountItem) {
  logger.appendKeys({ accountId: item.accountId, runId: item.runId, dt: item.dt });
  try {
    const outcome = await collectOne(deps, item);
    logger.info('account done', {
      status: outcome.status,
      reason: outcome.reason,
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
    });
    metrics.addMetric(
      outcome.status === 'collected' ? 'accounts_collected' : 'accounts_failed',
      MetricUnit.Count,
      1,
    );
    return outcome;
  } finally {
    metrics.publishStoredMetrics();
    logger.removeKeys(['accountId', 'runId', 'dt']);
  }
}

export async function recordFailure(event: FailedItem) {
  const outcome = await recordFailureStep(deps, event);
  logger.error('account collect step failed', {
    accountId: event.item.accountId,
    runId: event.item.runId,
    error: event.error.Error,
    recorded: outcome.reason,
  });
  metrics.addMetric('accounts_failed', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return { accountId: outcome.accountId, status: outcome.status, reason: outcome.reason };
}

export async function finalize(event: FinalizeInput) {
  const out = await finalizeRun(deps, event);
  logger.info('run finalized', { ...out });
  metrics.addMetric('accounts_failed_total', MetricUnit.Count, out.failed);
  metrics.publishStoredMetrics();
  return out;
}
