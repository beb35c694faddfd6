// The contract of SEPL's average service (a Druid timeseries query): simple granularities with
// UTC-aligned buckets, a trailing time window, `[{ time_stamp, result, data_points }]`.

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
export type Granularity = (typeof GRANULARITIES)[number];

export interface AverageBucket {
  time_stamp: string;
  result: number;
  data_points: number;
}

export function isGranularity(value: unknown): value is Granularity {
  return typeof value === 'string' && (GRANULARITIES as readonly string[]).includes(value);
}

const WINDOW_UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000 } as const;

/** `12h`, `30m`, `90s` → milliseconds; RangeError naming `time_window` otherwise. */
export function parseTimeWindow(text: string): number {
  const match = /^([1-9][0-9]{0,9})([hms])$/.exec(text);
  if (!match) throw new RangeError(`time_window: expected <n>h, <n>m or <n>s with a positive integer n, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(match[1]) * WINDOW_UNIT_MS[match[2] as keyof typeof WINDOW_UNIT_MS];
}

const FIXED_MS: Partial<Record<Granularity, number>> = {
  second: 1000,
  minute: 60_000,
  fifteen_minute: 900_000,
  thirty_minute: 1_800_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/**
 * SQL for the bucket start (epoch ms, bigint) of the epoch-ms column `col`. Fixed sizes divide the
 * epoch; weeks (ISO, Monday), months, quarters and years use date_trunc on the UTC wall time, so
 * the session time zone never matters.
 */
export function bucketSql(granularity: Exclude<Granularity, 'all'>, col = 'ts'): string {
  const fixed = FIXED_MS[granularity];
  if (fixed !== undefined) return `(floor(${col} / ${fixed}.0)::bigint * ${fixed})`;
  return `(extract(epoch FROM date_trunc('${granularity}', to_timestamp(${col} / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint`;
}
