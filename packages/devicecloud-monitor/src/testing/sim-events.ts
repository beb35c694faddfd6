/** Events the simulator publishes, and how a batch of them is rendered as a pushed document. */
import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { toXml, escapeXml } from '../xml.js';

/** An event as the simulator publishes it. */
export interface SimEvent {
  /** Resource type: `DataPoint`, `DeviceCore`, `FileData`, or any other name. */
  type: string;
  /** Full topic, `<cstId>/<type>/<key…>`. */
  topic: string;
  /** `create` | `update` | `delete` (rendered as INSERTION/UPDATE/DELETE in JSON). */
  operation: 'create' | 'update' | 'delete';
  timestamp: string;
  body: Record<string, unknown>;
  /** Set by the simulator when the event is replayed to a persistent monitor. */
  replay?: boolean;
  /** Global publish sequence number (1, 2, …), handy in tests. */
  seq: number;
}

const JSON_OPERATION = { create: 'INSERTION', update: 'UPDATE', delete: 'DELETE' } as const;

/** One event as a JSON `Msg` object (as pushed, and as the history API lists it). */
export function jsonMsg(e: SimEvent): Record<string, unknown> {
  const msg: Record<string, unknown> = { timestamp: e.timestamp, topic: e.topic, operation: JSON_OPERATION[e.operation], group: '*' };
  if (e.replay) msg.replay = true;
  msg[e.type] = e.body;
  return msg;
}

function xmlMsg(e: SimEvent): string {
  const replay = e.replay ? ' replay="true"' : '';
  return `<Msg topic="${escapeXml(e.topic)}" operation="${e.operation}" timestamp="${escapeXml(e.timestamp)}" group="*"${replay}>${toXml(e.type, e.body)}</Msg>`;
}

/** Marks a bigint in JSON.stringify's output; random, so no string value can spell it. */
const BIG = `bigint-${randomUUID()}:`;

/** JSON.stringify, with bigints written as bare digits (JSON numbers of any size). */
export function jsonWithBigints(value: unknown): string {
  let found = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    found = true;
    return `${BIG}${v}`;
  });
  return found ? text.replaceAll(new RegExp(`"${BIG}(-?\\d+)"`, 'g'), '$1') : text;
}

/** The document bytes of a batch: one Msg object or an array of Msgs (JSON), or `<Document>` (XML). */
export function renderDocument(events: readonly SimEvent[], format: 'json' | 'xml'): Buffer {
  if (format === 'json') {
    const msgs = events.map(jsonMsg);
    return Buffer.from(jsonWithBigints({ Document: { Msg: msgs.length === 1 ? msgs[0] : msgs } }), 'utf8');
  }
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Document>${events.map(xmlMsg).join('')}</Document>`, 'utf8');
}

export function compress(doc: Buffer, compression: 'none' | 'zlib'): Buffer {
  return compression === 'zlib' ? deflateSync(doc) : doc;
}

/** A data point for `publishDataPoint()`. */
export interface DataPointInput {
  streamId: string;
  /** A bigint keeps a LONG exact on the wire (JSON digits, XML text). */
  data: string | number | boolean | bigint;
  /** Device timestamp, epoch ms (default: now). */
  timestamp?: number;
  quality?: number;
  description?: string;
  streamUnits?: string;
  streamType?: string;
  id?: string;
}

/** A device (and the event operation) for `publishDeviceCore()` and `addDevice()`. */
export interface DeviceCoreInput {
  devId: number;
  devConnectwareId: string;
  devMac?: string;
  dpConnectionStatus?: 0 | 1;
  dpDeviceType?: string;
  dpFirmwareLevel?: number;
  devTerminated?: boolean;
  operation?: 'create' | 'update' | 'delete';
}

/** A file for `publishFileData()`. */
export interface FileDataInput {
  /** Directory path, ending with `/` (added when missing). */
  path: string;
  name: string;
  content: Uint8Array | string;
  contentType?: string;
  operation?: 'create' | 'update';
}

function streamType(data: unknown): string {
  if (typeof data === 'bigint') return 'LONG';
  if (typeof data === 'number') return Number.isInteger(data) ? 'INTEGER' : 'DOUBLE';
  return 'STRING';
}

export function dataPointBody(cstId: number, input: DataPointInput, now: number): Record<string, unknown> {
  return {
    id: input.id ?? randomUUID(),
    cstId,
    streamId: input.streamId,
    data: input.data,
    timestamp: input.timestamp ?? now,
    serverTimestamp: now,
    quality: input.quality ?? 0,
    description: input.description ?? '',
    streamUnits: input.streamUnits ?? '',
    streamType: input.streamType ?? streamType(input.data),
  };
}

export function deviceCoreBody(cstId: number, input: DeviceCoreInput, now: number): Record<string, unknown> {
  const iso = new Date(now).toISOString();
  return {
    id: { devId: input.devId, devVersion: 0 },
    devConnectwareId: input.devConnectwareId,
    devMac: input.devMac ?? '00:40:9D:00:00:00',
    cstId,
    grpId: cstId,
    devRecordStartDate: iso,
    devEffectiveStartDate: iso,
    devTerminated: input.devTerminated ?? false,
    dpDeviceType: input.dpDeviceType ?? 'unknown',
    dpConnectionStatus: input.dpConnectionStatus ?? 1,
    dpRestrictedStatus: 0,
    dpCapabilities: 0,
    dpFirmwareLevel: input.dpFirmwareLevel ?? 0,
  };
}

export function fileDataBody(cstId: number, input: FileDataInput, now: number): Record<string, unknown> {
  const iso = new Date(now).toISOString();
  const bytes = typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : Buffer.from(input.content);
  return {
    id: { fdPath: input.path.endsWith('/') ? input.path : `${input.path}/`, fdName: input.name },
    cstId,
    fdType: 'file',
    fdContentType: input.contentType ?? 'application/octet-stream',
    fdSize: bytes.length,
    fdData: bytes.toString('base64'),
    fdArchive: false,
    fdCreatedDate: iso,
    fdLastModifiedDate: iso,
  };
}
