/** A mistake in how the command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command ran but its work failed in a way already explained to the user (exit code 1). */
export class ReportedFailure extends Error {
  override readonly name = 'ReportedFailure';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
