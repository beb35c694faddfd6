/**
 * Monitor history (`GET /ws/v1/monitors/history/{monitorId}`): the saved events of a persistent or
 * polling monitor, for catching up after an outage. The path and its `start_time`, `end_time`,
 * `size` and `cursor` parameters are Digi's documentation (v1/monitors); the answer's shape, the
 * v1 paging envelope `{ count, size, cursor, next_uri, list }` with one `Msg`-shaped event per item
 * as pushed in JSON, is not confirmed by Digi's documentation or a reference client: it is verified
 * against the simulator only.
 */
import { isoInstant } from './data-streams.js';
import { toMonitorEvent, type LongMode, type MonitorEvent } from './events.js';

/** Time window, cursor and page size of a history read. */
export interface MonitorHistoryQuery {
  /** Inclusive lower bound on the events' server time (a Date or epoch ms). */
  startTime?: Date | number;
  /** Exclusive upper bound on the events' server time. */
  endTime?: Date | number;
  /** Continue where an earlier page ended (its `cursor`). */
  cursor?: string;
  /** Events per request (default 1000, the v1 API's largest page). */
  pageSize?: number;
  /** LONG data points as in push sessions: `number` (default), `string` or `bigint`. */
  longs?: LongMode;
}

/** One page of history: its events (oldest first) and the cursor of the next page, if any. */
export interface MonitorHistoryPage {
  events: MonitorEvent[];
  /** Pass as `cursor` to read on; undefined on the last page. */
  cursor: string | undefined;
}

const MAX_PAGE = 1000;

/** The query string of a history read, checked. */
export function historyQuery(query: MonitorHistoryQuery): { params: Record<string, string | number>; longs: LongMode } {
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object');
  const size = query.pageSize ?? MAX_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new RangeError(`query.pageSize must be an integer 1..${MAX_PAGE}`);
  if (query.cursor !== undefined && (typeof query.cursor !== 'string' || query.cursor === '')) throw new TypeError('query.cursor must be a non-empty string');
  const longs = query.longs ?? 'number';
  if (longs !== 'number' && longs !== 'string' && longs !== 'bigint') throw new RangeError('query.longs must be "number", "string" or "bigint"');
  const start = isoInstant(query.startTime, 'query.startTime');
  const end = isoInstant(query.endTime, 'query.endTime');
  return {
    longs,
    params: { size, ...(start ? { start_time: start } : {}), ...(end ? { end_time: end } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) },
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A history answer as typed events and the next cursor; undefined when the body is not the v1 envelope. */
export function historyPage(body: unknown, longs: LongMode): MonitorHistoryPage | undefined {
  if (!isObj(body) || !Array.isArray(body.list)) return undefined;
  const events: MonitorEvent[] = [];
  for (const item of body.list) if (isObj(item)) events.push(toMonitorEvent(item, longs));
  const cursor = typeof body.cursor === 'string' && body.cursor !== '' ? body.cursor : undefined;
  return { events, cursor };
}

/** Options of `followMonitorHistory()`: the history query without an end, plus the polling pace. */
export interface FollowHistoryOptions extends Omit<MonitorHistoryQuery, 'endTime' | 'cursor'> {
  /** Wait between reads (default 10 000 ms). */
  intervalInMs?: number;
  /** Event keys remembered to drop the events re-read at the inclusive start bound (default 4096). */
  dedupeWindow?: number;
}

/** `intervalInMs` and `dedupeWindow` checked, with their defaults. */
export function followSettings(options: FollowHistoryOptions): { intervalInMs: number; dedupeWindow: number } {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const intervalInMs = options.intervalInMs ?? 10_000;
  if (typeof intervalInMs !== 'number' || !Number.isFinite(intervalInMs) || intervalInMs < 0) throw new RangeError('options.intervalInMs must be a finite number >= 0');
  const dedupeWindow = options.dedupeWindow ?? 4096;
  if (!Number.isInteger(dedupeWindow) || dedupeWindow < 1) throw new RangeError('options.dedupeWindow must be a positive integer');
  return { intervalInMs, dedupeWindow };
}
