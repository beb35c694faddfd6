/**
 * Dates on the ComAp wire.
 *
 * - Timestamps in responses are ISO 8601, sometimes with .NET's 7 fractional digits and an
 *   offset (`2018-06-10T19:08:14.6350000+00:00`), sometimes with milliseconds and `Z`. JS `Date`
 *   does not formally accept 7 digits, so they are parsed here by hand (fraction truncated to
 *   milliseconds; a timestamp without an offset is read as UTC).
 * - History query dates are calendar days written `MM/DD/YYYY`. A `Date` given by the caller is
 *   reduced to its UTC calendar day.
 */

const DAY_MS = 86_400_000;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses a ComAp timestamp; returns undefined when the text is not a valid ISO 8601 date-time. */
export function parseComapTimestamp(text: string): Date | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (oh * 60 + om) * (zone.startsWith('-') ? -1 : 1);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return new Date(utc);
}

/** A calendar day as a count of days since 1970-01-01 (UTC). */
export type DayNumber = number;

const MDY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * Reads a history bound: a `Date` (its UTC calendar day) or a `MM/DD/YYYY` string.
 * Throws TypeError/RangeError naming `field` on bad input.
 */
export function toDayNumber(input: Date | string, field: string): DayNumber {
  if (input instanceof Date) {
    const t = input.getTime();
    if (Number.isNaN(t)) throw new RangeError(`${field} is an invalid Date`);
    if (t < 0) throw new RangeError(`${field} must be in 1970 or later, got ${input.toISOString()}`);
    return Math.floor(t / DAY_MS);
  }
  if (typeof input !== 'string') throw new TypeError(`${field} must be a Date or a "MM/DD/YYYY" string`);
  const m = MDY.exec(input.trim());
  if (!m) throw new RangeError(`${field} must be a date written MM/DD/YYYY, got ${JSON.stringify(input.slice(0, 40))}`);
  const month = Number(m[1]);
  const day = Number(m[2]);
  const year = Number(m[3]);
  // Date.UTC reads years 0–99 as 1900–1999; nothing in WebSupervisor predates 1970 anyway.
  if (year < 1970) throw new RangeError(`${field} must be in 1970 or later, got ${JSON.stringify(input)}`);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`${field} is not a calendar date: ${JSON.stringify(input)}`);
  }
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** Writes a day as `MM/DD/YYYY`, the only date format the history endpoint accepts. */
export function formatDay(day: DayNumber): string {
  const d = new Date(day * DAY_MS);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${mm}/${dd}/${String(d.getUTCFullYear()).padStart(4, '0')}`;
}

/** Writes a Date (its UTC day) as `MM/DD/YYYY`. */
export function formatComapDate(date: Date): string {
  return formatDay(toDayNumber(date, 'date'));
}

/** One history request window, both days inclusive. */
export interface DayWindow {
  from: DayNumber;
  to: DayNumber;
}

/** The API's history window: at most 31 days, counted inclusively. */
export const MAX_HISTORY_WINDOW_DAYS = 31;

/** Splits an inclusive day range into consecutive windows of at most `maxDays` days. */
export function splitIntoWindows(from: DayNumber, to: DayNumber, maxDays = MAX_HISTORY_WINDOW_DAYS): DayWindow[] {
  if (to < from) throw new RangeError('from must not be after to');
  if (!Number.isInteger(maxDays) || maxDays < 1) throw new RangeError('maxDays must be a positive integer');
  const windows: DayWindow[] = [];
  for (let start = from; start <= to; start += maxDays) {
    windows.push({ from: start, to: Math.min(to, start + maxDays - 1) });
  }
  return windows;
}

/** Inclusive number of days between two day numbers. */
export function inclusiveDays(from: DayNumber, to: DayNumber): number {
  return to - from + 1;
}
