/**
 * The simulator's data routes in the legacy `/ws` envelope (JSON, string-typed values): DataStream
 * (list, get, create), DataPoint reads (order, startTime/endTime, timeline, size, pageCursor) and
 * DeviceCore (list with condition/start/size, get by devId); roll-ups and deletes of streams and points. Shapes follow python-devicecloud's
 * `streams` and `devicecore` modules; the paging rules of DataPoint reads are its `read()` loop's.
 */
import type { ServerResponse } from 'node:http';
import { escapeXml } from '../xml.js';
import { compileCondition, type Predicate } from './condition-eval.js';
import { ROLLUP_INTERVALS, ROLLUP_METHODS, isTimeZone, rollup, type RollupBucket, type SimRollupInterval, type SimRollupMethod } from './sim-rollup.js';
import type { SimStore, StoredPoint, StoredStream } from './sim-store.js';

export class DataRouteFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const XML_DECL = '<?xml version="1.0" encoding="ISO-8859-1"?>';

function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function intParam(params: URLSearchParams, name: string, fallback: number, verb: string): number {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new DataRouteFailure(400, `${verb} error. Invalid ${name} parameter`);
  return Number(value);
}

/** ISO 8601 or epoch milliseconds, as the DataPoint API accepts them. */
function timeParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const t = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw new DataRouteFailure(400, `GET DataPoint error. Invalid ${name} parameter`);
  return t;
}

function filterOf(params: URLSearchParams, verb: string): Predicate | undefined {
  const condition = params.get('condition');
  if (condition === null || condition.trim() === '') return undefined;
  try {
    return compileCondition(condition);
  } catch (err) {
    throw new DataRouteFailure(400, `${verb} error. Invalid condition: ${(err as Error).message}`);
  }
}

function envelope(items: unknown[], total: number, start: number, size: number): Record<string, unknown> {
  return {
    resultTotalRows: String(total),
    requestedStartRow: String(start),
    resultSize: String(items.length),
    requestedSize: String(size),
    remainingSize: String(Math.max(0, total - start - items.length)),
    items,
  };
}

function pointJson(p: StoredPoint, streamId: string, cstId: number): Record<string, string> {
  return {
    id: p.id,
    cstId: String(cstId),
    streamId,
    timestamp: String(p.timestamp),
    timestampISO: new Date(p.timestamp).toISOString(),
    serverTimestamp: String(p.serverTimestamp),
    serverTimestampISO: new Date(p.serverTimestamp).toISOString(),
    data: p.data,
    description: p.description,
    quality: String(p.quality),
  };
}

function streamJson(s: StoredStream, cstId: number): Record<string, unknown> {
  const current = s.points.at(-1);
  return {
    cstId: String(cstId),
    streamId: s.streamId,
    dataType: s.dataType,
    units: s.units,
    description: s.description,
    dataTtl: String(s.dataTtl),
    rollupTtl: String(s.rollupTtl),
    forwardTo: '',
    ...(current ? { currentValue: pointJson(current, s.streamId, cstId) } : {}),
  };
}

/** Flat string fields of a device, for conditions (`devConnectwareId`, `grpPath`, `dpTags`, `devId`, …). */
function deviceFields(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  const id = record.id as { devId: number; devVersion: number };
  out.devId = String(id.devId);
  return out;
}

function deviceJson(record: Record<string, unknown>): Record<string, unknown> {
  const id = record.id as { devId: number; devVersion: number };
  return { ...deviceFields(record), id: { devId: String(id.devId), devVersion: String(id.devVersion) } };
}

const STREAM_FIELDS = ['streamId', 'dataType', 'units', 'description', 'dataTtl', 'rollupTtl'] as const;

/** `<DataStream>` body of a create (python-devicecloud's template plus `units`). */
export function streamFromXml(doc: Record<string, unknown>): Partial<StoredStream> & { streamId: string } {
  const ds = doc.DataStream;
  if (typeof ds !== 'object' || ds === null) throw new DataRouteFailure(400, 'POST DataStream error. Invalid request. Expected a DataStream element');
  const f = ds as Record<string, unknown>;
  const text = (k: (typeof STREAM_FIELDS)[number]): string | undefined => {
    const v = f[k];
    return typeof v === 'string' ? v : undefined;
  };
  const streamId = text('streamId')?.replace(/^\/+/, '');
  if (!streamId) throw new DataRouteFailure(400, 'POST DataStream error. Invalid request. Missing streamId');
  const out: Partial<StoredStream> & { streamId: string } = { streamId };
  const dataType = text('dataType')?.toUpperCase();
  if (dataType !== undefined) {
    if (!['INTEGER', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BINARY', 'JSON', 'GEOJSON', 'UNKNOWN'].includes(dataType)) throw new DataRouteFailure(400, 'POST DataStream error. Invalid dataType');
    out.dataType = dataType;
  }
  for (const k of ['units', 'description'] as const) {
    const v = text(k);
    if (v !== undefined) out[k] = v;
  }
  for (const k of ['dataTtl', 'rollupTtl'] as const) {
    const v = text(k);
    if (v === undefined) continue;
    if (!/^\d+$/.test(v)) throw new DataRouteFailure(400, `POST DataStream error. Invalid ${k}`);
    out[k] = Number(v);
  }
  return out;
}

export function streamCreated(res: ServerResponse, streamId: string): void {
  const body = `${XML_DECL}<result><location>DataStream/${escapeXml(streamId)}</location></result>`;
  res.writeHead(201, { 'Content-Type': 'text/xml;charset=ISO-8859-1', 'Content-Length': Buffer.byteLength(body), Location: `DataStream/${streamId}` });
  res.end(body);
}

/** GET /ws/DataStream[/id]: the list (condition, start, size) or one stream (404 when unknown). */
export function getStreams(store: SimStore, cstId: number, streamId: string | undefined, params: URLSearchParams, res: ServerResponse): void {
  if (streamId !== undefined) {
    const s = store.streams.get(streamId);
    if (!s) throw new DataRouteFailure(404, `GET DataStream error. Stream ${streamId} not found`);
    sendJson(res, envelope([streamJson(s, cstId)], 1, 0, 1));
    return;
  }
  const start = intParam(params, 'start', 0, 'GET DataStream');
  const size = intParam(params, 'size', 1000, 'GET DataStream');
  const pred = filterOf(params, 'GET DataStream');
  const all = [...store.streams.values()].filter((s) => !pred || pred(Object.fromEntries(STREAM_FIELDS.map((k) => [k, String(s[k])]))));
  sendJson(res, envelope(all.slice(start, start + size).map((s) => streamJson(s, cstId)), all.length, start, size));
}

/** A roll-up bucket in the DataPoint read answer (python-devicecloud's `from_rollup_json`: epoch ms and a float). */
function rollupJson(b: RollupBucket, streamId: string, cstId: number): Record<string, string> {
  return { cstId: String(cstId), streamId, timestamp: String(b.timestamp), timestampISO: new Date(b.timestamp).toISOString(), data: String(b.value), description: '', quality: '0' };
}

/** The read's items, oldest first, each with the cursor that continues after it: points, or roll-up buckets. */
function readItems(s: StoredStream, cstId: number, params: URLSearchParams, inWindow: StoredPoint[], at: (p: StoredPoint) => number): Array<{ cursor: string; json: Record<string, string> }> {
  const interval = params.get('rollupInterval');
  const method = params.get('rollupMethod');
  if (interval === null && method === null) return inWindow.map((p) => ({ cursor: p.id, json: pointJson(p, s.streamId, cstId) }));
  if (!ROLLUP_INTERVALS.includes(interval as SimRollupInterval)) throw new DataRouteFailure(400, 'GET DataPoint error. Invalid rollupInterval parameter');
  if (method !== null && !ROLLUP_METHODS.includes(method as SimRollupMethod)) throw new DataRouteFailure(400, 'GET DataPoint error. Invalid rollupMethod parameter');
  const timezone = params.get('timezone') ?? 'UTC';
  if (!isTimeZone(timezone)) throw new DataRouteFailure(400, 'GET DataPoint error. Invalid timezone parameter');
  const buckets = rollup(inWindow, at, interval as SimRollupInterval, (method ?? 'average') as SimRollupMethod, timezone);
  if (!buckets) throw new DataRouteFailure(400, 'GET DataPoint error. Rollups only support numerical DataPoints');
  return buckets.map((b) => ({ cursor: String(b.timestamp), json: rollupJson(b, s.streamId, cstId) }));
}

/**
 * GET /ws/DataPoint/{stream}: points between startTime (inclusive) and endTime (exclusive) on the
 * client or server timeline, `order` descending (default) or ascending, `size` per page; the
 * `pageCursor` of a page continues after its last item (absent on an empty page). With
 * `rollupInterval` (and `rollupMethod`, default average) the items are roll-up buckets.
 */
export function getPoints(store: SimStore, cstId: number, streamId: string, params: URLSearchParams, res: ServerResponse): void {
  const s = store.streams.get(streamId);
  if (!s) throw new DataRouteFailure(404, `GET DataPoint error. Stream ${streamId} not found`);
  const size = intParam(params, 'size', 1000, 'GET DataPoint');
  if (size < 1) throw new DataRouteFailure(400, 'GET DataPoint error. Invalid size parameter');
  const order = params.get('order') ?? 'descending';
  if (order !== 'descending' && order !== 'ascending') throw new DataRouteFailure(400, 'GET DataPoint error. Invalid order parameter');
  const timeline = params.get('timeline') ?? 'client';
  if (timeline !== 'client' && timeline !== 'server') throw new DataRouteFailure(400, 'GET DataPoint error. Invalid timeline parameter');
  const from = timeParam(params, 'startTime');
  const to = timeParam(params, 'endTime');
  const at = (p: StoredPoint) => (timeline === 'client' ? p.timestamp : p.serverTimestamp);
  const inWindow = s.points.filter((p) => (from === undefined || at(p) >= from) && (to === undefined || at(p) < to)).sort((a, b) => at(a) - at(b));
  const items = readItems(s, cstId, params, inWindow, at);
  if (order === 'descending') items.reverse();
  const cursor = params.get('pageCursor');
  let first = 0;
  if (cursor !== null && cursor !== '') {
    const index = items.findIndex((i) => i.cursor === cursor);
    if (index === -1) throw new DataRouteFailure(400, 'GET DataPoint error. Invalid pageCursor parameter');
    first = index + 1;
  }
  const page = items.slice(first, first + size);
  const last = page.at(-1);
  sendJson(res, {
    resultSize: String(page.length),
    requestedSize: String(size),
    ...(last ? { pageCursor: last.cursor } : {}),
    requestedStartTime: String(from ?? -1),
    requestedEndTime: String(to ?? -1),
    items: page.map((i) => i.json),
  });
}

/** DELETE /ws/DataPoint/{stream}[/{id}]: one point by id, or every point in [startTime, endTime) (all without bounds). */
export function deletePoints(store: SimStore, path: string, params: URLSearchParams, res: ServerResponse): void {
  const whole = store.streams.get(path);
  const slash = path.lastIndexOf('/');
  const parent = whole ? undefined : store.streams.get(path.slice(0, slash));
  if (!whole && !parent) throw new DataRouteFailure(404, `DELETE DataPoint error. Stream ${path} not found`);
  let removed: number;
  if (whole) {
    const from = timeParam(params, 'startTime');
    const to = timeParam(params, 'endTime');
    const before = whole.points.length;
    whole.points = whole.points.filter((p) => !((from === undefined || p.timestamp >= from) && (to === undefined || p.timestamp < to)));
    removed = before - whole.points.length;
  } else {
    const id = path.slice(slash + 1);
    const stream = parent as StoredStream;
    const before = stream.points.length;
    stream.points = stream.points.filter((p) => p.id !== id);
    removed = before - stream.points.length;
    if (removed === 0) throw new DataRouteFailure(404, `DELETE DataPoint error. DataPoint ${id} not found`);
  }
  deleted(res, removed);
}

/** DELETE /ws/DataStream/{stream}: the stream and its points (404 when unknown). */
export function deleteStream(store: SimStore, streamId: string, res: ServerResponse): void {
  if (!store.streams.delete(streamId)) throw new DataRouteFailure(404, `DELETE DataStream error. Stream ${streamId} not found`);
  deleted(res, 1);
}

function deleted(res: ServerResponse, count: number): void {
  const body = `${XML_DECL}<result><message>${count} items deleted</message></result>`;
  res.writeHead(200, { 'Content-Type': 'text/xml;charset=ISO-8859-1', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** GET /ws/DeviceCore[/devId]: the inventory (condition, start, size) or one device (404 when unknown). */
export function getDevices(store: SimStore, devId: number | undefined, params: URLSearchParams, res: ServerResponse): void {
  if (devId !== undefined) {
    const d = store.devices.get(devId);
    if (!d) throw new DataRouteFailure(404, `GET DeviceCore error. Error reading DeviceCore entity id='${devId}'`);
    sendJson(res, envelope([deviceJson(d)], 1, 0, 1));
    return;
  }
  const start = intParam(params, 'start', 0, 'GET DeviceCore');
  const size = intParam(params, 'size', 1000, 'GET DeviceCore');
  const pred = filterOf(params, 'GET DeviceCore');
  const all = [...store.devices.values()].filter((d) => !pred || pred(deviceFields(d)));
  sendJson(res, envelope(all.slice(start, start + size).map(deviceJson), all.length, start, size));
}
