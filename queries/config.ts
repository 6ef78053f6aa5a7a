// The exports Lambda's configuration, read once from its environment, naming any variable that
// is missing.
import { DIGEST_MODES, type DigestMode, ENV, type EnvName } from '../common/env-names.ts';
import { DEFAULT_OWNER_TAGS, parseOwnerTags } from './annotate.ts';
import { type BenchmarkId, DEFAULT_BENCHMARK, parseBenchmark } from './catalog.ts';

export class ExportsConfigError extends Error {
  override readonly name = 'ExportsConfigError';
}

export interface ExportsConfig {
  readonly bucket: string;
  readonly prefix: string;
  readonly workgroup: string;
  readonly database: string;
  readonly namedQueries: Record<string, string>;
  /** Where the digest of what changed goes; unset: no digest. */
  readonly topicArn?: string;
  readonly digest: DigestMode;
  /** Tag keys naming a finding's owner, first found wins. */
  readonly ownerTags: readonly string[];
  /** Also publish each owner's part of the digest, with its `owner` message attribute. */
  readonly digestByOwner: boolean;
  /** Import each day's findings into Security Hub (the function's account and region). */
  readonly securityHub: boolean;
  /** The benchmark checks are judged against and exports are labelled with. */
  readonly benchmark: BenchmarkId;
}

export function readExportsConfig(env: NodeJS.ProcessEnv = process.env): ExportsConfig {
  const need = (name: EnvName) => {
    const value = env[name];
    if (!value) throw new ExportsConfigError(`environment variable ${name} is not set`);
    return value;
  };
  let namedQueries: Record<string, string>;
  try {
    namedQueries = JSON.parse(need(ENV.namedQueries));
  } catch (cause) {
    if (cause instanceof ExportsConfigError) throw cause;
    throw new ExportsConfigError(
      `environment variable ${ENV.namedQueries} is not a JSON object of query ids`,
      {
        cause,
      },
    );
  }
  return {
    bucket: need(ENV.bucket),
    prefix: env[ENV.prefix] ?? '',
    workgroup: need(ENV.athenaWorkgroup),
    database: need(ENV.glueDatabase),
    namedQueries,
    topicArn: env[ENV.topicArn] || undefined,
    digest: digestMode(env[ENV.digest]),
    ownerTags: ownerTagsOf(env[ENV.ownerTags]),
    digestByOwner: env[ENV.digestByOwner] === 'true',
    securityHub: env[ENV.securityHub] === 'true',
    benchmark: benchmarkOf(env[ENV.benchmark]),
  };
}

function ownerTagsOf(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === '') return DEFAULT_OWNER_TAGS;
  try {
    return parseOwnerTags(value);
  } catch (error) {
    throw new ExportsConfigError(`environment variable ${ENV.ownerTags}: ${(error as Error).message}`);
  }
}

function benchmarkOf(value: string | undefined): BenchmarkId {
  if (value === undefined || value === '') return DEFAULT_BENCHMARK;
  try {
    return parseBenchmark(value);
  } catch (error) {
    throw new ExportsConfigError(`environment variable ${ENV.benchmark}: ${(error as Error).message}`);
  }
}

function digestMode(value: string | undefined): ExportsConfig['digest'] {
  if (value === undefined || value === '') return 'changes';
  if ((DIGEST_MODES as readonly string[]).includes(value)) return value as DigestMode;
  throw new ExportsConfigError(
    `environment variable ${ENV.digest} must be changes, always or off, got ${JSON.stringify(value)}`,
  );
}
