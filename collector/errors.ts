// What the collector's core needs to know about a failed API call, independent of the SDK.

export type ApiErrorKind =
  | 'throttled'
  | 'server_error'
  | 'access_denied'
  | 'report_in_progress'
  | 'report_not_present'
  | 'report_expired'
  | 'other';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'server_error';
  }
}

/** Thrown when a run is interrupted (Ctrl-C, a Lambda deadline) while an account is in flight. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('the run was interrupted before this account finished');
  }
}

/** The run was asked for accounts or OUs the organization does not have: nothing is collected. */
export class PlanInputError extends Error {
  override readonly name = 'PlanInputError';
}
