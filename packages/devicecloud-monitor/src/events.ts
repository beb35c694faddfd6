/**
 * Typed monitor events. A pushed document is `{ Document: { Msg: <one> | [<many>] } }` (JSON, native
 * types) or `<Document><Msg topic operation timestamp [replay]>…</Msg></Document>` (XML, all text);
 * both are normalised to an array of `MonitorEvent`s with numbers and booleans converted.
 */
import { PushProtocolError } from './errors.js';

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

export interface DataPointEvent extends MonitorEventBase {
  type: 'DataPoint';
  payload: DataPoint;
}
export interface DeviceCoreEvent extends MonitorEventBase {
  type: 'DeviceCore';
  payload: DeviceCore;
}
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
function convert(body: Obj, numbers: readonly string[], booleans: readonly string[] = []): Obj {
  const out: Obj = { ...body };
  for (const k of numbers) if (k in out) out[k] = toNumber(out[k]);
  for (const k of booleans) if (k in out) out[k] = toBoolean(out[k]);
  return out;
}

const NUMERIC_STREAM_TYPES = new Set(['INTEGER', 'LONG', 'FLOAT', 'DOUBLE']);

function dataPoint(body: Obj): DataPoint {
  const out = convert(body, ['cstId', 'timestamp', 'serverTimestamp', 'quality']);
  if (typeof out.streamType === 'string' && NUMERIC_STREAM_TYPES.has(out.streamType)) out.data = toNumber(out.data);
  return out as DataPoint;
}

function deviceCore(body: Obj): DeviceCore {
  const out = convert(
    body,
    ['cstId', 'grpId', 'dpConnectionStatus', 'dpRestrictedStatus', 'dpCapabilities', 'dpFirmwareLevel'],
    ['devTerminated'],
  );
  if (isObj(out.id)) out.id = convert(out.id, ['devId', 'devVersion']);
  return out as DeviceCore;
}

function fileData(body: Obj): FileData {
  const out = convert(body, ['cstId', 'fdSize'], ['fdArchive']);
  return out as FileData;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** Converts one `Msg` object to a typed event. */
export function toMonitorEvent(msg: Obj): MonitorEvent {
  const base: MonitorEventBase = {
    topic: text(msg.topic),
    operation: text(msg.operation),
    timestamp: text(msg.timestamp),
    replay: msg.replay === true || msg.replay === 'true',
  };
  if (typeof msg.group === 'string') base.group = msg.group;
  const resource = Object.keys(msg).find((k) => !ENVELOPE_KEYS.has(k));
  const body = resource === undefined ? undefined : msg[resource];
  if (isObj(body)) {
    if (resource === 'DataPoint') return { ...base, type: 'DataPoint', payload: dataPoint(body) };
    if (resource === 'DeviceCore') return { ...base, type: 'DeviceCore', payload: deviceCore(body) };
    if (resource === 'FileData') return { ...base, type: 'FileData', payload: fileData(body) };
  }
  return { ...base, type: 'other', resource: resource ?? base.topic.split('/')[1] ?? '', payload: body };
}

/**
 * `Document.Msg` (object, array, or absent for an empty keep-alive document) to typed events.
 * `raw` is only used for the error preview.
 */
export function normalizeDocument(doc: unknown, raw?: Uint8Array | string): MonitorEvent[] {
  if (!isObj(doc) || !('Document' in doc)) {
    throw new PushProtocolError('BAD_DOCUMENT', 'monitor document has no Document root', raw);
  }
  const document = doc.Document;
  if (document === '' || document === null || document === undefined) return [];
  if (!isObj(document)) throw new PushProtocolError('BAD_DOCUMENT', 'Document is not an object', raw);
  const msg = document.Msg;
  if (msg === undefined) return [];
  const list = Array.isArray(msg) ? msg : [msg];
  return list.map((m) => {
    if (!isObj(m)) throw new PushProtocolError('BAD_DOCUMENT', 'Msg entry is not an object', raw);
    return toMonitorEvent(m);
  });
}
