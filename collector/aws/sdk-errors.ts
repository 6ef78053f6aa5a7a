// Maps AWS SDK v3 errors to the collector's ApiError kinds.
import { ApiError, type ApiErrorKind } from '../errors.ts';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceeded',
  'LimitExceededException',
  'SlowDown',
]);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AWSOrganizationsNotInUseException',
]);
const BY_NAME: Record<string, ApiErrorKind> = {
  CredentialReportNotReadyException: 'report_in_progress',
  ReportInProgress: 'report_in_progress',
  CredentialReportNotPresentException: 'report_not_present',
  ReportNotPresent: 'report_not_present',
  CredentialReportExpiredException: 'report_expired',
  ReportExpired: 'report_expired',
};

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  const code = e.Code ?? e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const message = e.message ?? String(error);
  let kind: ApiErrorKind = 'other';
  if (BY_NAME[e.name ?? ''] ?? BY_NAME[code]) kind = BY_NAME[e.name ?? ''] ?? BY_NAME[code];
  else if (THROTTLING.has(code) || THROTTLING.has(e.name ?? '') || status === 429) kind = 'throttled';
  else if (ACCESS_DENIED.has(code) || ACCESS_DENIED.has(e.name ?? '')) kind = 'access_denied';
  else if (
    (status !== undefined && status >= 500) ||
    ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED'].includes(e.code ?? '')
  ) {
    kind = 'server_error';
  }
  return new ApiError(kind, code, message, { cause: error });
}

export async function sdkCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toApiError(error);
  }
}
