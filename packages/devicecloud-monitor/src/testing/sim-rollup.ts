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

/** The start (epoch ms, UTC) of the bucket holding `t`. */
export function bucketStart(t: number, interval: SimRollupInterval): number {
  switch (interval) {
    case 'half':
      return t - (((t % (HOUR / 2)) + HOUR / 2) % (HOUR / 2));
    case 'hour':
      return t - (((t % HOUR) + HOUR) % HOUR);
    case 'day':
      return t - (((t % DAY) + DAY) % DAY);
    case 'week': {
      const day = t - (((t % DAY) + DAY) % DAY);
      const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
      return day - weekday * DAY;
    }
    case 'month': {
      const d = new Date(t);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
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
export function rollup(points: readonly StoredPoint[], at: (p: StoredPoint) => number, interval: SimRollupInterval, method: SimRollupMethod): RollupBucket[] | undefined {
  const buckets = new Map<number, number[]>();
  for (const p of points) {
    const value = Number(p.data);
    if (method !== 'count' && (p.data.trim() === '' || !Number.isFinite(value))) return undefined;
    const key = bucketStart(at(p), interval);
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    list.push(value);
  }
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([timestamp, values]) => ({ timestamp, value: aggregate(values, method) }));
}
