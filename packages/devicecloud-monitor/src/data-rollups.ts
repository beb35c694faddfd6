/**
 * Roll-ups of a stream's points (`GET /ws/DataPoint/{stream}` with `rollupInterval`, `rollupMethod`
 * and `timezone`), as python-devicecloud's `DataStream.read()` asks for them and `from_rollup_json`
 * reads them: the bucket's start as epoch ms in `timestamp` and the aggregate as a float in `data`.
 */
import { readQuery, type ReadDataPointsQuery } from './data-streams.js';

/** Bucket width: half an hour, an hour, a day, a week or a month. */
export type RollupInterval = 'half' | 'hour' | 'day' | 'week' | 'month';
/** How the points of a bucket are aggregated. */
export type RollupMethod = 'sum' | 'average' | 'min' | 'max' | 'count' | 'standarddev';

const INTERVALS: readonly RollupInterval[] = ['half', 'hour', 'day', 'week', 'month'];
const METHODS: readonly RollupMethod[] = ['sum', 'average', 'min', 'max', 'count', 'standarddev'];

/** A roll-up read: the window, order and paging of `readDataPoints()` plus the bucket and aggregate. */
export interface RollupQuery extends ReadDataPointsQuery {
  interval: RollupInterval;
  /** Default `average`. */
  method?: RollupMethod;
  /** Time zone of day, week and month boundaries (e.g. `Europe/Berlin`); the server's default is UTC. */
  timezone?: string;
}

/** One roll-up bucket of a stream. */
export interface RollupPoint {
  streamId: string;
  /** The bucket's start. */
  timestamp: Date;
  /** The aggregate (roll-ups are floats whatever the stream's type). */
  data: number;
}

/** The query of a roll-up read, checked. */
export function rollupQuery(query: RollupQuery): { pageSize: number; params: Record<string, string | number> } {
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object');
  if (!INTERVALS.includes(query.interval)) throw new RangeError(`query.interval must be one of ${INTERVALS.join(', ')}`);
  const method = query.method ?? 'average';
  if (!METHODS.includes(method)) throw new RangeError(`query.method must be one of ${METHODS.join(', ')}`);
  if (query.timezone !== undefined && (typeof query.timezone !== 'string' || query.timezone === '')) throw new TypeError('query.timezone must be a non-empty string');
  const { pageSize, params } = readQuery(query);
  return { pageSize, params: { ...params, rollupInterval: query.interval, rollupMethod: method, ...(query.timezone ? { timezone: query.timezone } : {}) } };
}

/** One item of a roll-up read. */
export function toRollupPoint(item: Record<string, unknown>, streamId: string): RollupPoint {
  const ms = Number(item.timestamp);
  return {
    streamId: typeof item.streamId === 'string' && item.streamId !== '' ? item.streamId : streamId,
    timestamp: Number.isFinite(ms) ? new Date(ms) : new Date(String(item.timestampISO)),
    data: Number(item.data),
  };
}
