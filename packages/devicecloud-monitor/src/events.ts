/**
 * Typed monitor events. A pushed document is `{ Document: { Msg: <one> | [<many>] } }` (JSON, native
 * types) or `<Document><Msg topic operation timestamp [replay]>…</Msg></Document>` (XML, all text);
 * both are normalised to an array of `MonitorEvent`s with numbers and booleans converted.
 */
import type { Redactor } from '@x/http-core';
import { PushProtocolError } from './errors.js';

/** A DataPoint resource (one value of a data stream), the payload of a `DataPointEvent`; unknown fields are kept. */
export interface DataPoint {
  id: string;
  cstId: number;
  streamId: string;
  data: unknown;
  /** Epoch milliseconds (device time). */
  timestamp: number;
  /** Epoch milliseconds (server time). */
  serverTimestamp: number;
  quality?: number;
  description?: string;
  streamUnits?: string;
  streamType?: string;
  [field: string]: unknown;
}

/** A DeviceCore resource (a device and its connection state), the payload of a `DeviceCoreEvent`; unknown fields are kept. */
export interface DeviceCore {
  id: { devId: number; devVersion: number };
  devConnectwareId: string;
  devMac?: string;
  cstId: number;
  grpId?: number;
  devRecordStartDate?: string;
  devEffectiveStartDate?: string;
  devTerminated?: boolean;
  dpDeviceType?: string;
  /** 0 disconnected, 1 connected. */
  dpConnectionStatus?: number;
  dpRestrictedStatus?: number;
  dpCapabilities?: number;
  dpFirmwareLevel?: number;
  [field: string]: unknown;
}

/** A FileData resource (a file in the cloud file store), the payload of a `FileDataEvent`; unknown fields are kept. */
export interface FileData {
  id: { fdPath: string; fdName: string };
  cstId: number;
  fdType?: string;
  fdContentType?: string;
  fdSize?: number;
  /** Base64 content (may contain line breaks). */
  fdData?: string;
  fdArchive?: boolean;
  fdCreatedDate?: string;
  fdLastModifiedDate?: string;
  [field: string]: unknown;
}

/** What every monitor event carries: topic, operation, server time, group and replay flag. */
export interface MonitorEventBase {
  /** `<cstId>/<Type>/<key…>`, e.g. `1654/DeviceCore/6283/0`. */
  topic: string;
  /** As sent: `INSERTION`/`UPDATE` (JSON) or `create`/`update`/`delete` (XML). */
  operation: string;
  /** Server event time, ISO-8601. */
  timestamp: string;
  group?: string;
  /** True when the server replayed the event after a reconnect (persistent monitors). */
  replay: boolean;
}

/** A DataPoint was written. */
export interface DataPointEvent extends MonitorEventBase {
  type: 'DataPoint';
  payload: DataPoint;
}
/** A device was added, changed (e.g. connected or disconnected) or removed. */
export interface DeviceCoreEvent extends MonitorEventBase {
  type: 'DeviceCore';
  payload: DeviceCore;
}
/** A file was stored, changed or removed. */
export interface FileDataEvent extends MonitorEventBase {
  type: 'FileData';
  payload: FileData;
}
/** Any other resource (Alarm, JobResult, alert_status, …), kept as received. */
export interface OtherEvent extends MonitorEventBase {
  type: 'other';
  /** The element name carrying the body (e.g. `AlarmStatus`), or the topic's type segment. */
  resource: string;
  payload: unknown;
}

/** One event of a pushed batch; switch on `type` to get the typed `payload`. */
export type MonitorEvent = DataPointEvent | DeviceCoreEvent | FileDataEvent | OtherEvent;

const ENVELOPE_KEYS = new Set(['topic', 'operation', 'timestamp', 'group', 'replay']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Numbers stay numbers, numeric text becomes a number, anything else is left untouched. */
function toNumber(v: unknown): unknown {
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return v;
}
function toBoolean(v: unknown): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}
/**
 * Converts text values in place (the body comes from a document we just parsed, so nobody else
 * holds it). Push JSON is already typed, so this is a few `typeof` checks per event.
 */
function convert(body: Obj, numbers: readonly string[], booleans: readonly string[] = []): Obj {
  for (const k of numbers) if (typeof body[k] === 'string') body[k] = toNumber(body[k]);
  for (const k of booleans) if (typeof body[k] === 'string') body[k] = toBoolean(body[k]);
  return body;
}

const NUMERIC_STREAM_TYPES = new Set(['INTEGER', 'LONG', 'FLOAT', 'DOUBLE']);

/**
 * How `data` of a LONG stream is given: `number` (default; exact only up to 2^53), `string` (the
 * exact digits) or `bigint`.
 */
export type LongMode = 'number' | 'string' | 'bigint';

/** Options of document decoding. */
export interface DecodeOptions {
  /** Scrubs extra secrets (an HTTP monitor's transport token) from the raw preview of a failure. */
  redactor?: Redactor;
  /** LONG data points: `number` (default), `string` or `bigint` (both exact in JSON and XML). */
  longs?: LongMode;
}

const INTEGER = /^-?\d+$/;

function longValue(v: unknown, mode: LongMode): unknown {
  if (mode === 'number') return toNumber(v);
  const digits = typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (digits === undefined || !INTEGER.test(digits)) return v;
  return mode === 'bigint' ? BigInt(digits) : digits;
}
const DATA_POINT_NUMBERS = ['cstId', 'timestamp', 'serverTimestamp', 'quality'] as const;
const DEVICE_CORE_NUMBERS = ['cstId', 'grpId', 'dpConnectionStatus', 'dpRestrictedStatus', 'dpCapabilities', 'dpFirmwareLevel'] as const;
const DEVICE_ID_NUMBERS = ['devId', 'devVersion'] as const;
const FILE_DATA_NUMBERS = ['cstId', 'fdSize'] as const;

function dataPoint(body: Obj, longs: LongMode): DataPoint {
  convert(body, DATA_POINT_NUMBERS);
  if (body.streamType === 'LONG') body.data = longValue(body.data, longs);
  else if (typeof body.data === 'string' && typeof body.streamType === 'string' && NUMERIC_STREAM_TYPES.has(body.streamType)) {
    body.data = toNumber(body.data);
  }
  return body as DataPoint;
}

function deviceCore(body: Obj): DeviceCore {
  convert(body, DEVICE_CORE_NUMBERS, ['devTerminated']);
  if (isObj(body.id)) convert(body.id, DEVICE_ID_NUMBERS);
  return body as DeviceCore;
}

function fileData(body: Obj): FileData {
  return convert(body, FILE_DATA_NUMBERS, ['fdArchive']) as FileData;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** Converts one `Msg` object to a typed event (the body is converted in place, not copied). */
export function toMonitorEvent(msg: Obj, longs: LongMode = 'number'): MonitorEvent {
  const topic = text(msg.topic);
  const operation = text(msg.operation);
  const timestamp = text(msg.timestamp);
  const replay = msg.replay === true || msg.replay === 'true';
  const group = typeof msg.group === 'string' ? msg.group : undefined;
  let resource: string | undefined;
  for (const k in msg) {
    if (!ENVELOPE_KEYS.has(k)) {
      resource = k;
      break;
    }
  }
  const body = resource === undefined ? undefined : msg[resource];
  let event: MonitorEvent;
  if (isObj(body) && resource === 'DataPoint') event = { topic, operation, timestamp, replay, type: 'DataPoint', payload: dataPoint(body, longs) };
  else if (isObj(body) && resource === 'DeviceCore') event = { topic, operation, timestamp, replay, type: 'DeviceCore', payload: deviceCore(body) };
  else if (isObj(body) && resource === 'FileData') event = { topic, operation, timestamp, replay, type: 'FileData', payload: fileData(body) };
  else event = { topic, operation, timestamp, replay, type: 'other', resource: resource ?? topic.split('/')[1] ?? '', payload: body };
  if (group !== undefined) event.group = group;
  return event;
}

/**
 * `Document.Msg` (object, array, or absent for an empty keep-alive document) to typed events.
 * `raw` is only used for the error preview.
 */
export function normalizeDocument(doc: unknown, raw?: Uint8Array | string, options: DecodeOptions = {}): MonitorEvent[] {
  const { redactor, longs = 'number' } = options;
  if (!isObj(doc) || !('Document' in doc)) {
    throw new PushProtocolError('BAD_DOCUMENT', 'monitor document has no Document root', raw, { redactor });
  }
  const document = doc.Document;
  if (document === '' || document === null || document === undefined) return [];
  if (!isObj(document)) throw new PushProtocolError('BAD_DOCUMENT', 'Document is not an object', raw, { redactor });
  const msg = document.Msg;
  if (msg === undefined) return [];
  const list = Array.isArray(msg) ? msg : [msg];
  return list.map((m) => {
    if (!isObj(m)) throw new PushProtocolError('BAD_DOCUMENT', 'Msg entry is not an object', raw, { redactor });
    return toMonitorEvent(m, longs);
  });
}
