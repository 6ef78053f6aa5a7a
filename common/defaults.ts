// The collector's defaults, written once: the CLI's flags, the Lambda environment reader, the
// CDK settings and the simulator take them from here. A pure declaration, safe for `infra/`.
export const COLLECTOR_DEFAULTS = {
  /** The role assumed in every member account. */
  memberRoleName: 'CredlakeMemberRole',
  /** How long one account's report may take to generate. */
  reportTimeoutSeconds: 300,
  /** API calls in flight at once across all accounts (waits between polls hold none). */
  concurrency: 20,
} as const;
