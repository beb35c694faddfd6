/**
 * Calendar days in a time zone as instants: the API takes `MM/DD/YYYY` days without a zone, so a
 * caller who means "Jan 31 in Europe/Prague" gets the instants of that local day instead.
 */
import type { DayNumber } from './dates.js';

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** Checks an IANA time zone name (or `UTC`); throws a RangeError naming `field` for anything else. */
export function checkTimeZone(zone: unknown, field: string): string {
  if (typeof zone !== 'string' || zone.trim() === '') throw new TypeError(`${field} must be a time zone name such as Europe/Prague or UTC`);
  try {
    format(zone);
  } catch {
    throw new RangeError(`${field} must be an IANA time zone name such as Europe/Prague or UTC, got ${JSON.stringify(zone.slice(0, 60))}`);
  }
  return zone;
}

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, f);
  }
  return f;
}

/** How far `zone`'s wall clock is ahead of UTC at instant `ms` (ms, seconds precision). */
function offsetAt(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of format(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wall - (ms - (ms % 1000 + 1000) % 1000);
}

/**
 * The first instant of calendar day `day` in `zone` (local midnight; where a DST change skips
 * midnight, the first instant that day has).
 */
export function startOfDayIn(day: DayNumber, zone: string): number {
  const wall = day * DAY_MS;
  let t = wall - offsetAt(wall, zone);
  // The offset at the guess may differ from the offset at the answer (a DST change that day).
  const again = wall - offsetAt(t, zone);
  if (again !== t) t = Math.min(t, again);
  // A skipped midnight: the earliest instant whose local date is `day`.
  while (Math.floor((t + offsetAt(t, zone)) / DAY_MS) < day) t += 3_600_000;
  return t;
}

/** The instants `[fromMs, toMs]` of calendar days `from` to `to` (inclusive) in `zone`. */
export function daysInZone(from: DayNumber, to: DayNumber, zone: string): { fromMs: number; toMs: number } {
  return { fromMs: startOfDayIn(from, zone), toMs: startOfDayIn(to + 1, zone) - 1 };
}
