// Date handling shared by the parser and the partition keys. Everything is UTC: the machine's
// time zone never changes a stored instant, a partition date or a derived day count.

const MS_PER_DAY = 86_400_000;
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Parses an ISO 8601 timestamp that carries an offset; returns epoch milliseconds or undefined. */
export function parseIsoInstant(text: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  if (
    !isCalendarDate(Number(y), Number(mo), Number(d)) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  if (!DATE_ONLY.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number);
  return isCalendarDate(y, m, d);
}

/** Whole UTC calendar days from `fromMs` to `toMs` (negative when `fromMs` is later). */
export function utcDaysBetween(fromMs: number, toMs: number): number {
  return Math.floor(toMs / MS_PER_DAY) - Math.floor(fromMs / MS_PER_DAY);
}

/** The UTC date (YYYY-MM-DD) of an instant. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  return utcDate(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY);
}

/** Midnight UTC of a YYYY-MM-DD date, in epoch milliseconds. */
export function startOfDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}
