// Reads a Lambda's environment, naming any missing or malformed variable: one reader and one
// error for every handler (the collector's and the exports'). Pure: the environment is passed in.
import type { EnvName } from './env-names.ts';

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

/** One of the given values; the fallback when unset. */
export function oneOf<T extends string>(
  name: EnvName,
  values: readonly T[],
  fallback: T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const value = optional(name, env);
  if (value === undefined) return fallback;
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(
    `environment variable ${name} must be ${values.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** A value parsed by a reader of its own, whose error is given the variable's name. */
export function parsed<T>(
  name: EnvName,
  parse: (value: string) => T,
  fallback: T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const value = optional(name, env);
  if (value === undefined || value.trim() === '') return fallback;
  try {
    return parse(value);
  } catch (error) {
    throw new ConfigError(`environment variable ${name}: ${(error as Error).message}`);
  }
}
