/**
 * Data streams and stored data points as `/ws/DataStream` and `GET /ws/DataPoint/{stream}` return
 * them (the legacy envelope, every value a string). Field names follow python-devicecloud's
 * `streams` module; `data` stays the server's text, so a LONG above 2^53 is exact.
 */
import { element } from './xml.js';
import type { StreamType } from './data-points.js';

const STREAM_TYPES: ReadonlySet<string> = new Set(['INTEGER', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BINARY', 'JSON', 'GEOJSON', 'UNKNOWN']);

/** One stored data point of a stream (`/ws/DataPoint/{stream}`). */
export interface StoredDataPoint {
  id: string;
  streamId: string;
  /** Device (client) time. */
  timestamp: Date;
  serverTimestamp: Date;
  /** The value as the server stores it (text: convert by the stream's dataType; LONGs stay exact). */
  data: string;
  description: string;
  quality: number;
}

/** A data stream (`/ws/DataStream`): its type, units, retention and newest point. */
export interface DataStream {
  streamId: string;
  /** The stream's type as the server names it. */
  dataType: StreamType;
  units: string;
  description: string;
  /** Seconds points (and roll-ups) are kept. */
  dataTtl: number;
  rollupTtl: number;
  /** The newest point, when the stream has one. */
  currentValue: StoredDataPoint | undefined;
}

/** What `createDataStream()` sends: the stream id and type, the rest optional. */
export interface DataStreamCreate {
  /** Stream path like "device/temp" (a leading slash is dropped, as python-devicecloud does). */
  streamId: string;
  dataType: StreamType;
  units?: string;
  description?: string;
  /** Seconds (python-devicecloud's defaults: 2 days and 5 days). */
  dataTtl?: number;
  rollupTtl?: number;
}

/** Order, time window and page size of `readDataPoints()`. */
export interface ReadDataPointsQuery {
  /** `newest` (the server's default, `order=descending`) or `oldest` first. */
  order?: 'newest' | 'oldest';
  /** Inclusive lower bound (a Date or epoch ms). */
  startTime?: Date | number;
  /** Exclusive upper bound. */
  endTime?: Date | number;
  /** Bound and order by device time (`client`, the default) or arrival time (`server`). */
  timeline?: 'client' | 'server';
  /** Points per request (default 1000). */
  pageSize?: number;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : '');

function time(value: unknown, iso: unknown): Date {
  if (typeof iso === 'string' && iso !== '') return new Date(iso);
  return new Date(Number(value));
}

/** One item of a DataPoint read (or a stream's currentValue). */
export function toStoredDataPoint(item: Record<string, unknown>, streamId?: string): StoredDataPoint {
  return {
    id: text(item.id),
    streamId: text(item.streamId) || (streamId ?? ''),
    timestamp: time(item.timestamp, item.timestampISO),
    serverTimestamp: time(item.serverTimestamp, item.serverTimestampISO),
    data: text(item.data),
    description: text(item.description),
    quality: Number(item.quality ?? 0),
  };
}

export function toDataStream(item: Record<string, unknown>): DataStream {
  const streamId = text(item.streamId);
  const current = item.currentValue;
  return {
    streamId,
    dataType: text(item.dataType).toUpperCase() as StreamType,
    units: text(item.units),
    description: text(item.description),
    dataTtl: Number(item.dataTtl ?? 0),
    rollupTtl: Number(item.rollupTtl ?? 0),
    currentValue: typeof current === 'object' && current !== null ? toStoredDataPoint(current as Record<string, unknown>, streamId) : undefined,
  };
}

function checkSeconds(value: unknown, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)) throw new RangeError(`${name} must be a non-negative integer (seconds)`);
}

/** The `<DataStream>` body of a create, checked. */
export function dataStreamXml(stream: DataStreamCreate): string {
  if (typeof stream !== 'object' || stream === null) throw new TypeError('stream must be an object');
  if (typeof stream.streamId !== 'string') throw new TypeError('stream.streamId must be a string');
  if (!STREAM_TYPES.has(stream.dataType)) throw new RangeError(`stream.dataType must be one of ${[...STREAM_TYPES].join(', ')}`);
  for (const key of ['units', 'description'] as const) {
    if (stream[key] !== undefined && typeof stream[key] !== 'string') throw new TypeError(`stream.${key} must be a string`);
  }
  checkSeconds(stream.dataTtl, 'stream.dataTtl');
  checkSeconds(stream.rollupTtl, 'stream.rollupTtl');
  return (
    '<DataStream>' +
    element('streamId', stream.streamId.replace(/^\/+/, '')) +
    element('dataType', stream.dataType) +
    element('units', stream.units) +
    element('description', stream.description) +
    element('dataTtl', stream.dataTtl) +
    element('rollupTtl', stream.rollupTtl) +
    '</DataStream>'
  );
}

/** A Date or epoch ms as ISO 8601 (undefined stays undefined); anything else is a RangeError naming `name`. */
export function isoInstant(value: Date | number | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`${name} must be a valid Date or epoch milliseconds`);
  return new Date(ms).toISOString();
}

/** The query of a DataPoint read (python-devicecloud's `read()` parameters), checked. */
export function readQuery(query: ReadDataPointsQuery): { pageSize: number; params: Record<string, string | number> } {
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object');
  const pageSize = query.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('query.pageSize must be a positive integer');
  const order = query.order ?? 'newest';
  if (order !== 'newest' && order !== 'oldest') throw new RangeError('query.order must be "newest" or "oldest"');
  const timeline = query.timeline ?? 'client';
  if (timeline !== 'client' && timeline !== 'server') throw new RangeError('query.timeline must be "client" or "server"');
  const start = isoInstant(query.startTime, 'query.startTime');
  const end = isoInstant(query.endTime, 'query.endTime');
  return {
    pageSize,
    params: { timeline, order: order === 'newest' ? 'descending' : 'ascending', size: pageSize, ...(start ? { startTime: start } : {}), ...(end ? { endTime: end } : {}) },
  };
}
