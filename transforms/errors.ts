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
