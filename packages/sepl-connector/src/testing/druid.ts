import { bucketStart, type Granularity } from '../granularity.js';

/** One value received by the simulated platform. */
export interface DataPoint {
  timeMs: number;
  value: number;
}

/** A row as the average endpoint sends it. */
export interface AverageWireRow {
  time_stamp: string;
  result: number;
  data_points: number;
}

/**
 * Druid-style average: points in `[fromMs, toMs]` grouped into UTC buckets of `granularity`,
 * one row per non-empty bucket with the mean and the count. `all` makes one row stamped with the
 * earliest point. Rows come newest first, as in the platform's published example.
 */
export function averageBuckets(points: readonly DataPoint[], granularity: Granularity, fromMs: number, toMs: number): AverageWireRow[] {
  const buckets = new Map<number, { sum: number; count: number }>();
  const inWindow = points.filter((p) => p.timeMs >= fromMs && p.timeMs <= toMs);
  const earliest = Math.min(...inWindow.map((p) => p.timeMs));
  for (const point of inWindow) {
    const key = granularity === 'all' ? earliest : bucketStart(point.timeMs, granularity);
    const bucket = buckets.get(key) ?? { sum: 0, count: 0 };
    bucket.sum += point.value;
    bucket.count += 1;
    buckets.set(key, bucket);
  }
  return [...buckets.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([start, { sum, count }]) => ({ time_stamp: new Date(start).toISOString(), result: sum / count, data_points: count }));
}

/**
 * The number in an event's `data` part (the standard-connector's payload; `metadata` and other
 * parts are never averaged): a number, or JSON holding a number or an object with a numeric `value`.
 */
export function numericValue(parts: ReadonlyArray<{ name: string; value: string }> | null): number | undefined {
  const data = parts?.find((part) => part.name === 'data');
  if (data === undefined) return undefined;
  const text = data.value.trim();
  if (text !== '' && Number.isFinite(Number(text))) return Number(text);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'number' && Number.isFinite(parsed)) return parsed;
    const inner = (parsed as { value?: unknown } | null)?.value;
    if (typeof inner === 'number' && Number.isFinite(inner)) return inner;
  } catch {
    // not JSON: no number
  }
  return undefined;
}
