/**
 * Writing data points (`POST /ws/DataPoint/{streamId}`): the `<DataPoint>` / `<list>` body and the
 * `<result><location>DataPoint/<stream>/<id></location>…` answer. Field names follow Remote
 * Manager's DataPoint resource (data, streamType, streamUnits, description, quality, timestamp),
 * as python-devicecloud's `streams` module writes them; verified against the simulator only.
 */
import { element, escapeXml } from './xml.js';

/** The value type of a data stream, as Remote Manager names it. */
export type StreamType = 'INTEGER' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BINARY' | 'JSON' | 'GEOJSON' | 'UNKNOWN';
const STREAM_TYPES: ReadonlySet<string> = new Set(['INTEGER', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BINARY', 'JSON', 'GEOJSON', 'UNKNOWN']);

/** One data point to write to a stream. */
export interface DataPointWrite {
  /** The value; a bigint keeps a LONG exact. */
  data: string | number | boolean | bigint;
  /** The stream's type, set when the stream is created by this write. */
  streamType?: StreamType;
  streamUnits?: string;
  description?: string;
  /** Quality code (an integer). */
  quality?: number;
  /** Device time: a Date or epoch milliseconds (default: server time). */
  timestamp?: Date | number;
}

/** Where a written point landed. */
export interface WrittenDataPoint {
  streamId: string;
  id: string;
}

function checkPoint(point: DataPointWrite, name: string): void {
  if (typeof point !== 'object' || point === null) throw new TypeError(`${name} must be an object`);
  const type = typeof point.data;
  if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') throw new TypeError(`${name}.data must be a string, number, boolean or bigint`);
  if (type === 'number' && !Number.isFinite(point.data)) throw new RangeError(`${name}.data must be a finite number`);
  if (point.streamType !== undefined && !STREAM_TYPES.has(point.streamType)) throw new RangeError(`${name}.streamType must be one of ${[...STREAM_TYPES].join(', ')}`);
  if (point.quality !== undefined && !Number.isInteger(point.quality)) throw new RangeError(`${name}.quality must be an integer`);
  const t = point.timestamp;
  if (t !== undefined && !(t instanceof Date ? Number.isFinite(t.getTime()) : Number.isFinite(t))) throw new RangeError(`${name}.timestamp must be a valid Date or epoch milliseconds`);
  for (const key of ['streamUnits', 'description'] as const) {
    if (point[key] !== undefined && typeof point[key] !== 'string') throw new TypeError(`${name}.${key} must be a string`);
  }
}

/** A stream id as Remote Manager accepts it: non-empty path segments, no leading or trailing slash. */
export function checkStreamId(streamId: unknown, name = 'streamId'): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId === '' || streamId.startsWith('/') || streamId.endsWith('/') || streamId.includes('//')) {
    throw new TypeError(`${name} must be a non-empty stream path like "device/temp"`);
  }
}

function pointXml(point: DataPointWrite): string {
  const t = point.timestamp;
  return (
    '<DataPoint>' +
    `<data>${escapeXml(String(point.data))}</data>` +
    element('streamType', point.streamType) +
    element('streamUnits', point.streamUnits) +
    element('description', point.description) +
    element('quality', point.quality) +
    element('timestamp', t === undefined ? undefined : new Date(t).toISOString()) +
    '</DataPoint>'
  );
}

/** A plain boolean (no narrowing to `any[]`). */
const isList = (value: unknown): boolean => Array.isArray(value);

/** The request body for one or many points (checked, with errors naming the point). */
export function dataPointsXml(points: readonly DataPointWrite[]): string {
  if (!isList(points) || points.length === 0) throw new TypeError('points must be a non-empty array');
  points.forEach((p, i) => checkPoint(p, `points[${i}]`));
  const [first] = points;
  return points.length === 1 && first ? pointXml(first) : `<list>${points.map(pointXml).join('')}</list>`;
}

/** The `DataPoint/<stream>/<id>` locations of a write answer, in order. */
export function writtenDataPoints(body: string): WrittenDataPoint[] {
  const out: WrittenDataPoint[] = [];
  for (const match of body.matchAll(/<location>\s*DataPoint\/(.+?)\s*<\/location>/g)) {
    const path = match[1]!;
    const slash = path.lastIndexOf('/');
    if (slash > 0) out.push({ streamId: path.slice(0, slash), id: path.slice(slash + 1) });
  }
  return out;
}
