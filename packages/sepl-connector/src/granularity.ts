/** The average query's granularities (Druid's simple granularities without `none`). */
export const GRANULARITIES = [
  'all',
  'second',
  'minute',
  'fifteen_minute',
  'thirty_minute',
  'hour',
  'day',
  'week',
  'month',
  'quarter',
  'year',
] as const;

/** One of `GRANULARITIES`. */
export type Granularity = (typeof GRANULARITIES)[number];

/** A time window back from now: a positive whole number of hours, minutes or seconds. */
export type TimeWindow = `${number}h` | `${number}m` | `${number}s`;

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;

/** Whether `value` is one of `GRANULARITIES` (never throws). */
export function isGranularity(value: unknown): value is Granularity {
  return typeof value === 'string' && (GRANULARITIES as readonly string[]).includes(value);
}

/** Checks a granularity; throws a RangeError naming `name`. */
export function checkGranularity(value: unknown, name = 'granularity'): Granularity {
  if (!isGranularity(value)) throw new RangeError(`${name} must be one of ${GRANULARITIES.join(', ')}`);
  return value;
}

/** Checks a time window such as `12h`, `30m`, `45s` and returns its length in milliseconds. */
export function timeWindowToMs(value: unknown, name = 'timeWindow'): number {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string such as '12h', '30m' or '45s'`);
  const match = /^([1-9][0-9]{0,9})([hms])$/.exec(value);
  if (!match) throw new RangeError(`${name} must be a positive whole number followed by h, m or s (e.g. '12h')`);
  const unit = match[2] as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

/** Start of the UTC bucket of `granularity` that contains `timeMs` (`all` has no buckets: returns `timeMs`). */
export function bucketStart(timeMs: number, granularity: Granularity): number {
  const fixed = (size: number): number => Math.floor(timeMs / size) * size;
  const d = new Date(timeMs);
  switch (granularity) {
    case 'all':
      return timeMs;
    case 'second':
      return fixed(1_000);
    case 'minute':
      return fixed(60_000);
    case 'fifteen_minute':
      return fixed(900_000);
    case 'thirty_minute':
      return fixed(1_800_000);
    case 'hour':
      return fixed(3_600_000);
    case 'day':
      return fixed(86_400_000);
    case 'week': {
      // ISO weeks: Monday 00:00 UTC
      const day = fixed(86_400_000);
      const weekday = (new Date(day).getUTCDay() + 6) % 7;
      return day - weekday * 86_400_000;
    }
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'quarter':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (d.getUTCMonth() % 3), 1);
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}
