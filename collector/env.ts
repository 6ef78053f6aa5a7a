// Reads the Lambda environment once, naming any missing or malformed variable.
import { COLLECTOR_DEFAULTS } from '../common/defaults.ts';
import { ENV, type EnvName } from '../common/env-names.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function required(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(`environment variable ${name} is not set`);
  return value;
}

export function optional(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function list(name: EnvName, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const value = optional(name, env);
  return value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : undefined;
}

export function positive(name: EnvName, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const value = optional(name, env);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(
      `environment variable ${name} must be a positive whole number, got ${JSON.stringify(value)}`,
    );
  return n;
}

export interface CollectorConfig {
  readonly bucket: string;
  readonly prefix: string;
  readonly memberRoleName: string;
  readonly externalId?: string;
  readonly reportTimeoutSeconds: number;
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
