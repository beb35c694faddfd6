/**
 * Roll-ups of stored points as the simulator computes them for `GET /ws/DataPoint/{stream}` with
 * `rollupInterval` (half, hour, day, week, month) and `rollupMethod` (sum, average, min, max, count,
 * standarddev), the values python-devicecloud's `read()` accepts. Buckets are aligned in UTC (weeks
 * start on Monday) and standarddev is the population deviation: the service's own choices there
 * are not documented in what we could read, so these are the simulator's.
 */
import type { StoredPoint } from './sim-store.js';

export const ROLLUP_INTERVALS = ['half', 'hour', 'day', 'week', 'month'] as const;
export const ROLLUP_METHODS = ['sum', 'average', 'min', 'max', 'count', 'standarddev'] as const;
export type SimRollupInterval = (typeof ROLLUP_INTERVALS)[number];
export type SimRollupMethod = (typeof ROLLUP_METHODS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const formats = new Map<string, Intl.DateTimeFormat>();

/** Whether `timeZone` is an IANA zone name the runtime knows (the `timezone` parameter of a roll-up). */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, format);
  }
  return format;
}

/** Milliseconds the wall clock of `timeZone` is ahead of UTC at instant `t`. */
function offsetAt(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of zoneFormat(timeZone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/** The start, as a wall-clock time read as UTC, of the day/week/month bucket holding wall time `wall`. */
function wallBucket(wall: number, interval: 'day' | 'week' | 'month'): number {
  const day = wall - (((wall % DAY) + DAY) % DAY);
  if (interval === 'day') return day;
  if (interval === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY; // Monday = 0
  const d = new Date(wall);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * The start (epoch ms) of the bucket holding `t`: half hours and hours aligned in UTC; days, weeks
 * (from Monday) and months at local midnight of `timeZone` (the parameter applies to a day or more).
 */
export function bucketStart(t: number, interval: SimRollupInterval, timeZone = 'UTC'): number {
  if (interval === 'half') return t - (((t % (HOUR / 2)) + HOUR / 2) % (HOUR / 2));
  if (interval === 'hour') return t - (((t % HOUR) + HOUR) % HOUR);
  const target = wallBucket(t + offsetAt(t, timeZone), interval);
  let instant = target - offsetAt(t, timeZone);
  instant = target - offsetAt(instant, timeZone); // the offset at local midnight may differ (DST)
  return instant;
}

function aggregate(values: number[], method: SimRollupMethod): number {
  const n = values.length;
  const sum = values.reduce((a, b) => a + b, 0);
  switch (method) {
    case 'sum':
      return sum;
    case 'average':
      return sum / n;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return n;
    case 'standarddev': {
      const mean = sum / n;
      return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    }
  }
}

/** One rolled-up bucket: its start and the aggregated value. */
export interface RollupBucket {
  timestamp: number;
  value: number;
}

/**
 * Aggregates `points` (already in the read window) per bucket of `at(point)`, oldest bucket first.
 * Non-numeric data counts for `count` only; returns undefined when another method meets one.
 */
export function rollup(points: readonly StoredPoint[], at: (p: StoredPoint) => number, interval: SimRollupInterval, method: SimRollupMethod, timeZone = 'UTC'): RollupBucket[] | undefined {
  const buckets = new Map<number, number[]>();
  for (const p of points) {
    const value = Number(p.data);
    if (method !== 'count' && (p.data.trim() === '' || !Number.isFinite(value))) return undefined;
    const key = bucketStart(at(p), interval, timeZone);
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    list.push(value);
  }
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([timestamp, values]) => ({ timestamp, value: aggregate(values, method) }));
}
