/**
 * A credential report that cannot be loaded as a whole. The report is quarantined: recorded in
 * `collection_runs` as `malformed_report`, never half-loaded into the curated zone.
 */
export class MalformedReportError extends Error {
  override readonly name = 'MalformedReportError';
  readonly reason = 'malformed_report';

  constructor(
    readonly accountId: string,
    readonly detail: string,
    readonly line?: number,
    readonly column?: string,
    options?: ErrorOptions,
  ) {
    const where = [line !== undefined ? `line ${line}` : '', column ? `column ${column}` : '']
      .filter(Boolean)
      .join(', ');
    super(`credential report of account ${accountId}${where ? ` (${where})` : ''}: ${detail}`, options);
  }
}

/**
 * A policy document that is not JSON: whether it grants everything cannot be judged, so the
 * account's privileges are not read (posture_failed names the policy), never taken as "not admin".
 */
export class PolicyDocumentError extends Error {
  override readonly name = 'PolicyDocumentError';
  constructor(
    readonly policy: string,
    options?: ErrorOptions,
  ) {
    super(
      `policy ${policy} is not a JSON policy document: whether it grants administrator access cannot be judged`,
      options,
    );
  }
}
