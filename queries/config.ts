// The exports Lambda's configuration, read once from its environment with the one reader every
// handler uses (common/env.ts), naming any variable that is missing or malformed.
import { ConfigError, oneOf, optional, parsed, required } from '../common/env.ts';
import { DIGEST_MODES, type DigestMode, ENV } from '../common/env-names.ts';
import { DEFAULT_OWNER_TAGS, parseOwnerTags } from './annotate.ts';
import { type BenchmarkId, DEFAULT_BENCHMARK, parseBenchmark } from './catalog.ts';

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
  let namedQueries: Record<string, string>;
  try {
    namedQueries = JSON.parse(required(ENV.namedQueries, env));
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`environment variable ${ENV.namedQueries} is not a JSON object of query ids`, {
      cause,
    });
  }
  return {
    bucket: required(ENV.bucket, env),
    prefix: env[ENV.prefix] ?? '',
    workgroup: required(ENV.athenaWorkgroup, env),
    database: required(ENV.glueDatabase, env),
    namedQueries,
    topicArn: optional(ENV.topicArn, env),
    digest: oneOf(ENV.digest, DIGEST_MODES, 'changes', env),
    ownerTags: parsed(ENV.ownerTags, parseOwnerTags, DEFAULT_OWNER_TAGS, env),
    digestByOwner: env[ENV.digestByOwner] === 'true',
    securityHub: env[ENV.securityHub] === 'true',
    benchmark: parsed(ENV.benchmark, (v) => parseBenchmark(v.trim()), DEFAULT_BENCHMARK, env),
  };
}
