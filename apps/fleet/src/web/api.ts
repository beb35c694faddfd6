// The fleet service's HTTP API as the page uses it (contract: apps/fleet/API.md). Answers are
// checked for the fields the page relies on, so a server change shows up as a clear message
// instead of a broken page.

import { COLLECTOR_IDS, type CollectorId } from '../vendor-info.js';

export type Vendor = CollectorId;
export const VENDORS: readonly Vendor[] = COLLECTOR_IDS;
export type ConnectorState = 'disabled' | 'connecting' | 'connected' | 'degraded' | 'unauthorised';
export type ReadingValue = number | string | boolean;

export interface LastValue {
  readonly value: ReadingValue;
  readonly unit: string | null;
  readonly ts: string;
  /** The value in words, when the server has words for it (ThinQ). */
  readonly text?: string;
}

export interface CommandParam {
  readonly name: string;
  readonly type: 'enum' | 'number' | 'string' | 'boolean';
  readonly values?: readonly (string | number)[];
  /** Enum values in words, by value. */
  readonly valueLabels?: Readonly<Record<string, string>>;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly unit?: string;
  readonly required?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly label: string;
  readonly dangerous: boolean;
  readonly params: readonly CommandParam[];
}

export interface Device {
  readonly id: string;
  readonly vendor: Vendor;
  readonly vendorId: string;
  readonly name: string;
  readonly kind: string;
  readonly model: string | null;
  readonly online: boolean;
  readonly lastSeen: string | null;
  readonly primaryMetric: string | null;
  readonly lastValues: Readonly<Record<string, LastValue>>;
  readonly commands: readonly CommandSpec[];
  readonly sepl: { readonly registered: boolean };
  /** Metric names in words, where the server has words for them (ThinQ). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface Reading {
  readonly deviceId: string;
  readonly metric: string;
  readonly value: ReadingValue;
  readonly unit: string | null;
  readonly ts: string;
  /** The value in words (live events of ThinQ devices). */
  readonly text?: string;
  /** The metric in words (live events of ThinQ devices). */
  readonly label?: string;
}

export interface VendorStatus {
  readonly vendor: Vendor;
  readonly enabled: boolean;
  readonly state: ConnectorState;
  readonly reason: string | null;
  readonly since: string | null;
  readonly lastSuccessAt: string | null;
  readonly devices: number;
  readonly mode: string | null;
}

export interface CommandRecord {
  readonly id: string;
  readonly deviceId: string;
  readonly command: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly source: 'api' | 'sepl';
  readonly status: 'pending' | 'ok' | 'failed';
  readonly result: unknown;
  readonly error: string | null;
  readonly requestedAt: string;
  readonly completedAt: string | null;
}

export interface SeplStatus {
  readonly enabled: boolean;
  readonly state: ConnectorState;
  readonly reason: string | null;
  readonly since: string | null;
  readonly gatewayId: string | null;
  readonly devicesRegistered: number;
  readonly eventsSent: number;
  readonly commandsReceived: number;
  readonly recentCommands: readonly CommandRecord[];
}

/** Who collects what (API.md `ShardsStatus`), as much of it as the page shows. */
export interface ShardsStatus {
  /** `leases`: several collectors over PostgreSQL; `single`: PGlite, one collector owns everything. */
  readonly mode: 'single' | 'leases';
  readonly state: 'starting' | 'ok' | 'degraded';
  readonly reason: string | null;
  /** This collector (the one serving the page). */
  readonly collector: { readonly id: string; readonly name: string };
  readonly total: number;
  /** Every live collector with how many shards it holds. */
  readonly collectors: readonly { readonly id: string; readonly name: string; readonly shards: number }[];
  readonly unowned: readonly number[];
  /** Whether the other collectors' live events arrive. */
  readonly liveEvents: { readonly state: 'local' | 'connected' | 'reconnecting'; readonly reason: string | null };
}

export interface FleetStatus {
  readonly version: string;
  readonly demo: boolean;
  readonly vendors: Readonly<Record<Vendor, VendorStatus>>;
  readonly sepl: SeplStatus;
  /** Null from a service that does not report shards. */
  readonly shards: ShardsStatus | null;
}

export interface AverageBucket {
  readonly time_stamp: string;
  readonly result: number;
  readonly data_points: number;
}

export const GRANULARITIES = ['all', 'second', 'minute', 'fifteen_minute', 'thirty_minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** A failed API call: HTTP status plus the server's error code and reason (or what went wrong on the way). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** For a failed command: the server's record of it. */
    readonly command?: CommandRecord,
  ) {
    super(message);
  }
}

// ---- decoding --------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(what: string, value: unknown): never {
  const preview = JSON.stringify(value) ?? String(value);
  throw new ApiError(`unexpected answer from the fleet service: ${what} (got ${preview.slice(0, 120)})`, 0, 'bad_response');
}

function str(o: Json, key: string, where: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : bad(`${where}.${key} is not a string`, v);
}

function strOrNull(o: Json, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' ? v : null;
}

function num(o: Json, key: string): number {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function obj(value: unknown, where: string): Json {
  return isObject(value) ? value : bad(`${where} is not an object`, value);
}

/** The string entries of an object (labels and words from the server). */
function strings(o: Json): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A value's words, when the server sent them. */
function withText<T extends object>(target: T, o: Json): T & { text?: string } {
  return typeof o['text'] === 'string' ? { ...target, text: o['text'] } : target;
}

function isReadingValue(value: unknown): value is ReadingValue {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

const STATES: readonly ConnectorState[] = ['disabled', 'connecting', 'connected', 'degraded', 'unauthorised'];

function connectorState(o: Json, where: string): ConnectorState {
  const v = o['state'];
  return STATES.includes(v as ConnectorState) ? (v as ConnectorState) : bad(`${where}.state is not a known state`, v);
}

function vendor(value: unknown, where: string): Vendor {
  return VENDORS.includes(value as Vendor) ? (value as Vendor) : bad(`${where} is not a known vendor`, value);
}

function decodeParam(value: unknown): CommandParam {
  const o = obj(value, 'command param');
  const type = o['type'];
  if (type !== 'enum' && type !== 'number' && type !== 'string' && type !== 'boolean') bad('command param type', type);
  const values = Array.isArray(o['values']) ? o['values'].filter((x): x is string | number => typeof x === 'string' || typeof x === 'number') : undefined;
  const optNum = (key: string): number | undefined => (typeof o[key] === 'number' ? o[key] : undefined);
  return {
    name: str(o, 'name', 'command param'),
    type,
    ...(values ? { values } : {}),
    ...(optNum('min') !== undefined ? { min: optNum('min') } : {}),
    ...(optNum('max') !== undefined ? { max: optNum('max') } : {}),
    ...(optNum('step') !== undefined ? { step: optNum('step') } : {}),
    ...(typeof o['unit'] === 'string' ? { unit: o['unit'] } : {}),
    ...(isObject(o['valueLabels']) ? { valueLabels: strings(o['valueLabels']) } : {}),
    required: o['required'] !== false,
  };
}

export function decodeCommandSpec(value: unknown): CommandSpec {
  const o = obj(value, 'command');
  const name = str(o, 'name', 'command');
  return {
    name,
    label: strOrNull(o, 'label') ?? name,
    dangerous: o['dangerous'] !== false,
    params: Array.isArray(o['params']) ? o['params'].map(decodeParam) : [],
  };
}

export function decodeDevice(value: unknown): Device {
  const o = obj(value, 'device');
  const lastValues: Record<string, LastValue> = {};
  if (isObject(o['lastValues'])) {
    for (const [metric, raw] of Object.entries(o['lastValues'])) {
      if (!isObject(raw) || !isReadingValue(raw['value'])) continue;
      lastValues[metric] = withText({ value: raw['value'], unit: strOrNull(raw, 'unit'), ts: strOrNull(raw, 'ts') ?? '' }, raw);
    }
  }
  const sepl = isObject(o['sepl']) ? o['sepl'] : {};
  return {
    id: str(o, 'id', 'device'),
    vendor: vendor(o['vendor'], 'device.vendor'),
    vendorId: strOrNull(o, 'vendorId') ?? '',
    name: str(o, 'name', 'device'),
    kind: strOrNull(o, 'kind') ?? 'device',
    model: strOrNull(o, 'model'),
    online: o['online'] === true,
    lastSeen: strOrNull(o, 'lastSeen'),
    primaryMetric: strOrNull(o, 'primaryMetric'),
    lastValues,
    commands: Array.isArray(o['commands']) ? o['commands'].map(decodeCommandSpec) : [],
    sepl: { registered: sepl['registered'] === true },
    labels: isObject(o['labels']) ? strings(o['labels']) : {},
  };
}

export function decodeReading(value: unknown): Reading {
  const o = obj(value, 'reading');
  const v = o['value'];
  if (!isReadingValue(v)) bad('reading.value', v);
  const reading = withText({ deviceId: str(o, 'deviceId', 'reading'), metric: str(o, 'metric', 'reading'), value: v, unit: strOrNull(o, 'unit'), ts: str(o, 'ts', 'reading') }, o);
  return typeof o['label'] === 'string' ? { ...reading, label: o['label'] } : reading;
}

export function decodeVendorStatus(value: unknown): VendorStatus {
  const o = obj(value, 'vendor status');
  return {
    vendor: vendor(o['vendor'], 'vendor status.vendor'),
    enabled: o['enabled'] !== false,
    state: connectorState(o, 'vendor status'),
    reason: strOrNull(o, 'reason'),
    since: strOrNull(o, 'since'),
    lastSuccessAt: strOrNull(o, 'lastSuccessAt'),
    devices: num(o, 'devices'),
    mode: strOrNull(o, 'mode'),
  };
}

export function decodeCommandRecord(value: unknown): CommandRecord {
  const o = obj(value, 'command record');
  const status = o['status'];
  if (status !== 'pending' && status !== 'ok' && status !== 'failed') bad('command record status', status);
  return {
    id: str(o, 'id', 'command record'),
    deviceId: str(o, 'deviceId', 'command record'),
    command: str(o, 'command', 'command record'),
    params: isObject(o['params']) ? o['params'] : {},
    source: o['source'] === 'sepl' ? 'sepl' : 'api',
    status,
    result: o['result'] ?? null,
    error: strOrNull(o, 'error'),
    requestedAt: strOrNull(o, 'requestedAt') ?? '',
    completedAt: strOrNull(o, 'completedAt'),
  };
}

export function decodeSeplStatus(value: unknown): SeplStatus {
  const o = obj(value, 'SEPL status');
  return {
    enabled: o['enabled'] !== false,
    state: connectorState(o, 'SEPL status'),
    reason: strOrNull(o, 'reason'),
    since: strOrNull(o, 'since'),
    gatewayId: strOrNull(o, 'gatewayId'),
    devicesRegistered: num(o, 'devicesRegistered'),
    eventsSent: num(o, 'eventsSent'),
    commandsReceived: num(o, 'commandsReceived'),
    recentCommands: Array.isArray(o['recentCommands']) ? o['recentCommands'].map(decodeCommandRecord) : [],
  };
}

export function decodeStatus(value: unknown): FleetStatus {
  const o = obj(value, 'status');
  const vendors = obj(o['vendors'], 'status.vendors');
  const decoded = {} as Record<Vendor, VendorStatus>;
  for (const v of VENDORS) {
    decoded[v] = isObject(vendors[v])
      ? decodeVendorStatus(vendors[v])
      : { vendor: v, enabled: false, state: 'disabled', reason: null, since: null, lastSuccessAt: null, devices: 0, mode: null };
  }
  return {
    version: strOrNull(o, 'version') ?? '',
    demo: o['demo'] === true,
    vendors: decoded,
    sepl: decodeSeplStatus(o['sepl']),
    shards: o['shards'] === undefined ? null : decodeShardsStatus(o['shards']),
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) bad(`${what} is not one of ${allowed.join(', ')}`, value);
  return value as T;
}

function shardList(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((n) => Number.isInteger(n))) bad(`${what} is not a list of shard numbers`, value);
  return value as number[];
}

export function decodeShardsStatus(value: unknown): ShardsStatus {
  const o = obj(value, 'shards');
  const collector = obj(o['collector'], 'shards.collector');
  const live = obj(o['liveEvents'], 'shards.liveEvents');
  const collectors = Array.isArray(o['collectors']) ? o['collectors'] : bad('shards.collectors is not a list', o['collectors']);
  return {
    mode: oneOf(o['mode'], ['single', 'leases'], 'shards.mode'),
    state: oneOf(o['state'], ['starting', 'ok', 'degraded'], 'shards.state'),
    reason: strOrNull(o, 'reason'),
    collector: { id: str(collector, 'id', 'shards.collector'), name: str(collector, 'name', 'shards.collector') },
    total: num(o, 'total'),
    collectors: collectors.map((raw) => {
      const c = obj(raw, 'shards.collectors[]');
      return { id: str(c, 'id', 'shards.collectors[]'), name: str(c, 'name', 'shards.collectors[]'), shards: shardList(c['shards'], 'shards.collectors[].shards').length };
    }),
    unowned: shardList(o['unowned'], 'shards.unowned'),
    liveEvents: { state: oneOf(live['state'], ['local', 'connected', 'reconnecting'], 'shards.liveEvents.state'), reason: strOrNull(live, 'reason') },
  };
}

export function decodeAverage(value: unknown): AverageBucket[] {
  if (!Array.isArray(value)) bad('average is not an array', value);
  return value.map((item) => {
    const o = obj(item, 'average bucket');
    return { time_stamp: str(o, 'time_stamp', 'average bucket'), result: num(o, 'result'), data_points: num(o, 'data_points') };
  });
}

// ---- calls -----------------------------------------------------------------------------------

async function call(path: string, init?: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers }, credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(`the fleet service cannot be reached (${error instanceof Error ? error.message : String(error)})`, 0, 'network');
  }
  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) bad('not JSON', text);
    }
  }
  if (!response.ok) {
    const err = isObject(body) && isObject(body['error']) ? body['error'] : {};
    const message = typeof err['message'] === 'string' ? err['message'] : `HTTP ${response.status} ${response.statusText}`.trim();
    const code = typeof err['code'] === 'string' ? err['code'] : `http_${response.status}`;
    const command = isObject(body) && isObject(body['command']) ? decodeCommandRecord(body['command']) : undefined;
    throw new ApiError(message, response.status, code, command);
  }
  return body;
}

const devicePath = (id: string): string => `/api/devices/${encodeURIComponent(id)}`;

export async function getStatus(): Promise<FleetStatus> {
  return decodeStatus(await call('/api/status'));
}

/** Devices per request when loading the fleet (the API's largest page). */
const DEVICES_PAGE = 1000;

/** Every device, a page at a time (a fleet of 10,000 is ten requests, not one huge answer). */
export async function getDevices(): Promise<Device[]> {
  const devices: Device[] = [];
  let cursor: string | null = '0';
  while (cursor !== null) {
    const body = obj(await call(`/api/devices?limit=${DEVICES_PAGE}&cursor=${encodeURIComponent(cursor)}`), 'devices answer');
    const list = body['devices'];
    if (!Array.isArray(list)) bad('devices is not an array', list);
    devices.push(...list.map(decodeDevice));
    const next = body['nextCursor'];
    cursor = typeof next === 'string' && list.length > 0 ? next : null;
  }
  return devices;
}

export async function getDevice(id: string): Promise<Device> {
  return decodeDevice(await call(devicePath(id)));
}

export async function getReadings(id: string, metric: string, from: Date, to: Date): Promise<{ readings: Reading[]; truncated: boolean }> {
  const query = new URLSearchParams({ metric, from: from.toISOString(), to: to.toISOString() });
  const body = obj(await call(`${devicePath(id)}/readings?${query.toString()}`), 'readings answer');
  const list = body['readings'];
  if (!Array.isArray(list)) bad('readings is not an array', list);
  return { readings: list.map(decodeReading), truncated: body['truncated'] === true };
}

export async function getAverage(id: string, metric: string, granularity: Granularity, timeWindow: string | null): Promise<AverageBucket[]> {
  const query = new URLSearchParams({ granularity, metric });
  if (timeWindow !== null) query.set('time_window', timeWindow);
  return decodeAverage(await call(`${devicePath(id)}/average?${query.toString()}`));
}

/** Recent commands of the whole fleet (API and SEPL), newest first. */
export async function getCommands(limit = 50): Promise<CommandRecord[]> {
  const body = obj(await call(`/api/commands?limit=${limit}`), 'commands answer');
  const list = body['commands'];
  if (!Array.isArray(list)) bad('commands is not an array', list);
  return list.map(decodeCommandRecord);
}

/** Sends a command once; resolves with the record when the vendor accepted it, else ApiError. */
export async function sendCommand(id: string, command: string, params: Record<string, unknown>): Promise<CommandRecord> {
  const body = await call(`${devicePath(id)}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command, params }),
  });
  return decodeCommandRecord(body);
}
