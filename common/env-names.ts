// Environment variables of the Lambda functions, named once: the handlers read them, the CDK
// app sets them. A pure declaration, safe for `infra/` to import.
export const ENV = {
  bucket: 'CREDLAKE_BUCKET',
  prefix: 'CREDLAKE_PREFIX',
  memberRoleName: 'CREDLAKE_MEMBER_ROLE_NAME',
  externalId: 'CREDLAKE_EXTERNAL_ID',
  reportTimeoutSeconds: 'CREDLAKE_REPORT_TIMEOUT_SECONDS',
  reportPollMs: 'CREDLAKE_REPORT_POLL_MS',
  includeAccounts: 'CREDLAKE_INCLUDE_ACCOUNTS',
  excludeAccounts: 'CREDLAKE_EXCLUDE_ACCOUNTS',
  includeOus: 'CREDLAKE_INCLUDE_OUS',
  glueDatabase: 'CREDLAKE_GLUE_DATABASE',
  topicArn: 'CREDLAKE_TOPIC_ARN',
  athenaWorkgroup: 'CREDLAKE_ATHENA_WORKGROUP',
  namedQueries: 'CREDLAKE_NAMED_QUERIES',
  /** Object Lock mode for raw evidence (GOVERNANCE or COMPLIANCE); unset: no lock. */
  evidenceLockMode: 'CREDLAKE_EVIDENCE_LOCK_MODE',
  evidenceRetentionDays: 'CREDLAKE_EVIDENCE_RETENTION_DAYS',
  /** `false` to collect only the credential report, without account posture and privileges. */
  collectPosture: 'CREDLAKE_COLLECT_POSTURE',
  /** When the exports step sends the digest: `changes`, `always` or `off`. */
  digest: 'CREDLAKE_DIGEST',
  /** Tag keys naming a finding's owner, comma-separated, first found wins. */
  ownerTags: 'CREDLAKE_OWNER_TAGS',
  /** `true` to publish each owner's part of the digest too (message attribute `owner`). */
  digestByOwner: 'CREDLAKE_DIGEST_BY_OWNER',
  /** `true` to import each day's findings into Security Hub. */
  securityHub: 'CREDLAKE_SECURITY_HUB',
  /** The benchmark findings are judged against (cis-1.4, cis-3.0, cis-5.0, security-hub). */
  benchmark: 'CREDLAKE_BENCHMARK',
  /** `true` for S3-compatible servers that need path-style addressing. */
  s3ForcePathStyle: 'CREDLAKE_S3_FORCE_PATH_STYLE',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** When the digest of what changed is sent: `changes` (days with something to say), `always`, `off`. */
export const DIGEST_MODES = ['changes', 'always', 'off'] as const;
export type DigestMode = (typeof DIGEST_MODES)[number];
