/** A saved query was asked for with something it cannot run with (name, date, parameter). */
export class QueryInputError extends Error {
  override readonly name = 'QueryInputError';
}
