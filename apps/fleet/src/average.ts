// The contract of SEPL's average service (a Druid timeseries query): simple granularities with
// UTC-aligned buckets, a trailing time window, `[{ time_stamp, result, data_points }]`. The
// granularities, the window syntax and the bucket rules are @x/sepl-connector's; this file only
// adds the same bucket rule as SQL, for averaging inside the database.
import { GRANULARITIES, isGranularity, timeWindowToMs, type Granularity } from '@x/sepl-connector';

export { GRANULARITIES, isGranularity, type Granularity };

export interface AverageBucket {
  time_stamp: string;
  result: number;
  data_points: number;
}

/** `12h`, `30m`, `90s` → milliseconds; a RangeError naming `time_window` otherwise. */
export function parseTimeWindow(text: string): number {
  return timeWindowToMs(text, 'time_window');
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
 * SQL for the bucket start (epoch ms, bigint) of the epoch-ms column `col`, the same instant as
 * @x/sepl-connector's `bucketStart`. Fixed sizes divide the epoch; weeks (ISO, Monday), months,
 * quarters and years use date_trunc on the UTC wall time, so the session time zone never matters.
 */
export function bucketSql(granularity: Exclude<Granularity, 'all'>, col = 'ts'): string {
  const fixed = FIXED_MS[granularity];
  if (fixed !== undefined) return `(floor(${col} / ${fixed}.0)::bigint * ${fixed})`;
  return `(extract(epoch FROM date_trunc('${granularity}', to_timestamp(${col} / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint`;
}
