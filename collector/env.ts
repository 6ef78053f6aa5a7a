// The collector Lambdas' configuration, read once from their environment.
import { COLLECTOR_DEFAULTS } from '../common/defaults.ts';
import { ConfigError, list, optional, positive, required } from '../common/env.ts';
import { ENV } from '../common/env-names.ts';

export interface CollectorConfig {
  readonly bucket: string;
  readonly prefix: string;
  readonly memberRoleName: string;
  readonly externalId?: string;
  readonly reportTimeoutSeconds: number;
  /** The first wait before asking again for a report being generated (default: the collector's). */
  readonly reportPollMs?: number;
  readonly includeAccounts?: string[];
  readonly excludeAccounts?: string[];
  readonly includeOus?: string[];
  readonly glueDatabase?: string;
  readonly topicArn?: string;
  readonly evidenceLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days: number };
  readonly collectPosture: boolean;
}

export function readCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  return {
    bucket: required(ENV.bucket, env),
    prefix: optional(ENV.prefix, env) ?? '',
    memberRoleName: required(ENV.memberRoleName, env),
    externalId: optional(ENV.externalId, env),
    reportTimeoutSeconds: positive(ENV.reportTimeoutSeconds, COLLECTOR_DEFAULTS.reportTimeoutSeconds, env),
    reportPollMs:
      optional(ENV.reportPollMs, env) === undefined ? undefined : positive(ENV.reportPollMs, 1, env),
    includeAccounts: list(ENV.includeAccounts, env),
    excludeAccounts: list(ENV.excludeAccounts, env),
    includeOus: list(ENV.includeOus, env),
    glueDatabase: optional(ENV.glueDatabase, env),
    topicArn: optional(ENV.topicArn, env),
    evidenceLock: evidenceLock(env),
    collectPosture: optional(ENV.collectPosture, env) !== 'false',
  };
}

function evidenceLock(env: NodeJS.ProcessEnv): CollectorConfig['evidenceLock'] {
  const mode = optional(ENV.evidenceLockMode, env);
  if (mode === undefined) return undefined;
  if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE')
    throw new ConfigError(
      `environment variable ${ENV.evidenceLockMode} must be GOVERNANCE or COMPLIANCE, got ${JSON.stringify(mode)}`,
    );
  return { mode, days: positive(ENV.evidenceRetentionDays, 2555, env) };
}
