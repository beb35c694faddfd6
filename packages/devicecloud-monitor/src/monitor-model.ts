/**
 * Monitor definitions: the options users give, the escaped `<Monitor>` XML the server takes, and the
 * typed `Monitor` read back from the string-typed legacy envelope.
 */
import { element } from './xml.js';

/** A monitor's `compression`: `none` or `zlib` (`gzip` is the legacy alias of `zlib`). */
export type CompressionOption = 'none' | 'zlib' | 'gzip';
/** A monitor's `format`: the encoding of pushed documents. */
export type FormatOption = 'json' | 'xml';
/** A TCP monitor's `ackOption`: `explicit` makes the server wait for an acknowledgement of each block; `off` does not. */
export type AckOption = 'off' | 'explicit';
/** The HTTP method an HTTP monitor delivers batches with. */
export type TransportMethod = 'PUT' | 'POST';

/** Options of every monitor (TCP or HTTP); every field is optional. */
export interface MonitorCommonOptions {
  /** Upper bound of events per pushed batch (always sent). Default 100. */
  batchSize?: number;
  /** Maximum seconds to aggregate a batch (always sent). Default 1. */
  batchDurationInSeconds?: number;
  /** `gzip` is accepted as the legacy alias of `zlib` (the data is zlib either way). Default `none`. */
  compression?: CompressionOption;
  /** Default `json`. */
  format?: FormatOption;
  /** Persistent monitor: events missed while disconnected are replayed on reconnect. Default false. */
  autoReplayOnConnect?: boolean;
  description?: string;
}

/** Options of a TCP (push session) monitor, for `tcpMonitorXml()`. */
export interface TcpMonitorOptions extends MonitorCommonOptions {
  /** `explicit`: the server waits for PublishMessageReceived acks. Default `off`. */
  ackOption?: AckOption;
}

/** Options of an HTTP monitor, which delivers batches to a URL of yours with PUT or POST, for `httpMonitorXml()`. */
export interface HttpMonitorOptions extends MonitorCommonOptions {
  /** Credentials the cloud sends as `Authorization: Basic` to the transport URL. */
  transportToken?: string | { username: string; password: string };
  /** Default `PUT`. */
  method?: TransportMethod;
  /** Extra headers sent with every delivery. */
  headers?: Record<string, string>;
  /** Milliseconds; the server's default (0) is 5000. */
  connectTimeoutInMs?: number;
  responseTimeoutInMs?: number;
}

/** A monitor as read back from `/ws/Monitor`, with numbers, booleans and dates typed. */
export interface Monitor {
  id: number;
  customerId?: number;
  topics: string[];
  transportType: string;
  format?: string;
  compression?: string;
  batchSize?: number;
  batchDurationInSeconds?: number;
  ackOption?: string;
  autoReplayOnConnect: boolean;
  description?: string;
  status?: string;
  lastConnect?: Date;
  lastSent?: Date;
  lastSentUuid?: string;
  transportUrl?: string;
  transportMethod?: string;
  transportHeaders?: Record<string, string>;
  connectTimeoutInMs?: number;
  responseTimeoutInMs?: number;
  /** Every element as the server sent it (strings), including ones not typed above. */
  raw: Record<string, string>;
}

function checkTopics(topics: readonly string[]): string {
  if (!Array.isArray(topics) || topics.length === 0) throw new TypeError('topics must be a non-empty array of strings');
  for (const t of topics) {
    if (typeof t !== 'string' || t.trim() === '' || t.includes(',')) {
      throw new TypeError('topics must be non-empty strings without commas');
    }
  }
  return topics.join(',');
}

function checkInt(value: number | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer ${min}..${max}`);
  return value;
}

function normalizeCompression(value: CompressionOption | undefined): 'none' | 'zlib' {
  if (value === undefined || value === 'none') return 'none';
  if (value === 'zlib' || value === 'gzip') return 'zlib';
  throw new RangeError('compression must be "none", "zlib" or "gzip"');
}

function checkEnum<T extends string>(value: T | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (value !== undefined && !allowed.includes(value)) throw new RangeError(`${name} must be one of ${allowed.join(', ')}`);
  return value;
}

function common(topics: readonly string[], o: MonitorCommonOptions, transport: 'tcp' | 'http'): string {
  if (o.description !== undefined && typeof o.description !== 'string') throw new TypeError('description must be a string');
  if (o.autoReplayOnConnect !== undefined && typeof o.autoReplayOnConnect !== 'boolean') {
    throw new TypeError('autoReplayOnConnect must be a boolean');
  }
  return (
    element('monTopic', checkTopics(topics)) +
    element('monBatchSize', checkInt(o.batchSize ?? 100, 'batchSize', 1, 100_000)) +
    element('monBatchDuration', checkInt(o.batchDurationInSeconds ?? 1, 'batchDurationInSeconds', 0, 86_400)) +
    element('monFormatType', checkEnum(o.format ?? 'json', 'format', ['json', 'xml'])) +
    element('monTransportType', transport) +
    element('monCompression', normalizeCompression(o.compression)) +
    element('monAutoReplayOnConnect', o.autoReplayOnConnect ?? false)
  );
}

/** `<Monitor>` body of a TCP monitor (every value XML-escaped). */
export function tcpMonitorXml(topics: readonly string[], options: TcpMonitorOptions = {}): string {
  return (
    '<Monitor>' +
    common(topics, options, 'tcp') +
    element('monAckOption', checkEnum(options.ackOption ?? 'off', 'ackOption', ['off', 'explicit'])) +
    element('monDescription', options.description) +
    '</Monitor>'
  );
}

/** Options of a polling monitor: events are not pushed but saved, and read with the history API. */
export interface PollingMonitorOptions {
  /** Default `json`. */
  format?: FormatOption;
  description?: string;
}

/**
 * `<Monitor>` body of a polling monitor (`monTransportType` `polling`, as Digi's monitor tutorial
 * creates one); its events are read with `GET /ws/v1/monitors/history/{id}`.
 */
export function pollingMonitorXml(topics: readonly string[], options: PollingMonitorOptions = {}): string {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (options.description !== undefined && typeof options.description !== 'string') throw new TypeError('description must be a string');
  return (
    '<Monitor>' +
    element('monTopic', checkTopics(topics)) +
    element('monTransportType', 'polling') +
    element('monFormatType', checkEnum(options.format ?? 'json', 'format', ['json', 'xml'])) +
    element('monDescription', options.description) +
    '</Monitor>'
  );
}

function headerLines(headers: Record<string, string> | undefined): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null) throw new TypeError('headers must be an object');
  return Object.entries(headers)
    .map(([name, value]) => {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new TypeError(`headers: invalid header name ${JSON.stringify(name)}`);
      if (typeof value !== 'string' || /[\r\n]/.test(value)) throw new TypeError(`headers: value of ${name} must be a single-line string`);
      return `${name}: ${value}`;
    })
    .join('\n');
}

function tokenText(token: HttpMonitorOptions['transportToken']): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token === 'string') return token;
  if (typeof token === 'object' && token !== null && typeof token.username === 'string' && typeof token.password === 'string') {
    if (token.username.includes(':')) throw new TypeError('transportToken.username must not contain ":"');
    return `${token.username}:${token.password}`;
  }
  throw new TypeError('transportToken must be "user:password" or { username, password }');
}

/** `<Monitor>` body of an HTTP monitor (every value XML-escaped). */
export function httpMonitorXml(topics: readonly string[], transportUrl: string, options: HttpMonitorOptions = {}): string {
  let url: URL;
  try {
    url = new URL(transportUrl);
  } catch {
    throw new TypeError('transportUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('transportUrl must be an absolute http(s) URL');
  return (
    '<Monitor>' +
    common(topics, options, 'http') +
    element('monTransportUrl', transportUrl) +
    element('monTransportToken', tokenText(options.transportToken)) +
    element('monTransportMethod', checkEnum(options.method ?? 'PUT', 'method', ['PUT', 'POST'])) +
    element('monTransportHeaders', headerLines(options.headers)) +
    element('monConnectTimeout', checkInt(options.connectTimeoutInMs, 'connectTimeoutInMs', 0, 600_000)) +
    element('monResponseTimeout', checkInt(options.responseTimeoutInMs, 'responseTimeoutInMs', 0, 600_000)) +
    element('monDescription', options.description) +
    '</Monitor>'
  );
}

/** Parses `name: value` lines (also tolerates commas between entries). */
export function parseHeaderLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

const int = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};
const date = (v: string | undefined): Date | undefined => {
  if (v === undefined || v === '') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** Converts one string-typed envelope item to a typed Monitor (unknown values are kept in `raw`). */
export function toMonitor(item: Record<string, unknown>): Monitor {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(item)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') raw[k] = String(v);
  }
  const m: Monitor = {
    id: int(raw.monId) ?? -1,
    topics: raw.monTopic ? raw.monTopic.split(',') : [],
    transportType: raw.monTransportType ?? '',
    autoReplayOnConnect: raw.monAutoReplayOnConnect === 'true',
    raw,
  };
  const set = <K extends keyof Monitor>(key: K, value: Monitor[K] | undefined) => {
    if (value !== undefined) m[key] = value;
  };
  set('customerId', int(raw.cstId));
  set('format', raw.monFormatType);
  set('compression', raw.monCompression);
  set('batchSize', int(raw.monBatchSize));
  set('batchDurationInSeconds', int(raw.monBatchDuration));
  set('ackOption', raw.monAckOption);
  set('description', raw.monDescription);
  set('status', raw.monStatus);
  set('lastConnect', date(raw.monLastConnect));
  set('lastSent', date(raw.monLastSent));
  set('lastSentUuid', raw.monLastSentUuid);
  set('transportUrl', raw.monTransportUrl);
  set('transportMethod', raw.monTransportMethod);
  set('transportHeaders', raw.monTransportHeaders === undefined ? undefined : parseHeaderLines(raw.monTransportHeaders));
  set('connectTimeoutInMs', int(raw.monConnectTimeout));
  set('responseTimeoutInMs', int(raw.monResponseTimeout));
  return m;
}
