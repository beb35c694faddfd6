/**
 * The `/ws/Monitor` REST API (HTTP Basic auth) plus push sessions bound to the same account and host.
 */
import {
  ParseError,
  basicAuth,
  createHttpClient,
  createRedactor,
  isHttpError,
  namespacedLogger,
  systemClock,
  validateCallOptions,
  validateClientOptionsBase,
  type CallOptions,
  type HttpClient,
  type Logger,
  type Redactor,
  type VendorErrorInfo,
} from '@x/http-core';
import type { Condition } from './conditions.js';
import { MonitorFields } from './conditions.js';
import {
  httpMonitorXml,
  pollingMonitorXml,
  tcpMonitorXml,
  toMonitor,
  type HttpMonitorOptions,
  type Monitor,
  type PollingMonitorOptions,
  type TcpMonitorOptions,
} from './monitor-model.js';
import { followSettings, historyPage, historyQuery, type FollowHistoryOptions, type MonitorHistoryPage, type MonitorHistoryQuery } from './monitor-history.js';
import { followHistory } from './history-follow.js';
import type { MonitorEvent } from './events.js';
import { parseJson } from './json-exact.js';
import { checkSchema, outputPage, type MonitorHistoryOutputPage } from './history-template.js';
import { inventoryPage, inventoryParams, toInventoryItem, type MonitorInventoryItem, type MonitorInventoryQuery } from './monitor-inventory.js';
import { checkStreamId, dataPointsXml, writtenDataPoints, type DataPointWrite, type WrittenDataPoint } from './data-points.js';
import { rollupQuery, toRollupPoint, type RollupPoint, type RollupQuery } from './data-rollups.js';
import { dataStreamXml, isoInstant, readQuery, toDataStream, toStoredDataPoint, type DataStream, type DataStreamCreate, type ReadDataPointsQuery, type StoredDataPoint } from './data-streams.js';
import { DeviceFields, toDevice, type Device } from './devices.js';
import { DeviceCloudPushSession } from './session.js';
import type { DeviceCloudClientOptions } from './options.js';
import type { PushSessionOptions } from './session-options.js';
import { createXmlParser, element } from './xml.js';
import { USER_AGENT } from './version.js';

/** The current Remote Manager host. */
export const DEFAULT_BASE_URL = 'https://remotemanager.digi.com';

export type { CallOptions };

const CALL_KEYS = ['signal', 'timeoutInMs', 'deadlineInMs'] as const;

/** Call options given the old way (inside the method's options) and the new way (last parameter); the last wins. */
function callOf(where: string, ...sources: Array<CallOptions | undefined>): CallOptions {
  const out: CallOptions = {};
  for (const source of sources) {
    if (source === undefined) continue;
    for (const key of CALL_KEYS) if (source[key] !== undefined) (out as Record<string, unknown>)[key] = source[key];
  }
  return validateCallOptions(out, where);
}

interface Envelope {
  remainingSize?: unknown;
  items?: unknown;
}

const errorParser = createXmlParser(['error']);

/** `<result><error>…</error></result>` (XML) or `{"error": ["…"]}` (JSON) → vendor message. */
function vendorError(body: unknown): VendorErrorInfo | undefined {
  if (typeof body === 'string') {
    let doc: unknown;
    try {
      doc = errorParser.parse(body, true);
    } catch {
      return undefined;
    }
    const errors = (doc as { result?: { error?: unknown } }).result?.error;
    if (!Array.isArray(errors) || errors.length === 0) return undefined;
    return { message: errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ') };
  }
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const e = body.error;
    const message = Array.isArray(e) ? e.map(String).join('; ') : String(e);
    return { message };
  }
  return undefined;
}

/** Points per DataPoint POST (python-devicecloud's MAXIMUM_DATAPOINTS_PER_POST). */
const MAX_POINTS_PER_POST = 250;

const encodeStreamPath = (streamId: string): string => streamId.split('/').map(encodeURIComponent).join('/');

function conditionText(condition: Condition | string | undefined): string | undefined {
  if (condition === undefined || typeof condition === 'string') return condition;
  if (typeof condition?.compile !== 'function') throw new TypeError('condition must be a string or a Condition');
  return condition.compile();
}

function checkId(id: number, name = 'monitorId'): void {
  if (!Number.isInteger(id) || id < 0) throw new RangeError(`${name} must be a non-negative integer`);
}

/** One client per account: monitor CRUD over REST and push sessions for TCP monitors. */
export class DeviceCloudClient {
  readonly baseUrl: URL;
  private readonly http: HttpClient;
  private readonly options: DeviceCloudClientOptions;
  /** Scrubs the account password and every HTTP monitor transport token this client sent. */
  readonly redactor: Redactor;
  /** The logger as the user gave it (sessions namespace it once themselves). */
  readonly #sessionLogger: Logger | undefined;
  /** The ackOption of the TCP monitors this client created: `pushSession()` uses it when not told otherwise. */
  readonly #ackOptions = new Map<number, 'off' | 'explicit'>();
  /** Sessions made by `pushSession()` and not closed yet: `close()` closes them. */
  readonly #sessions = new Set<DeviceCloudPushSession>();

  constructor(options: DeviceCloudClientOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    validateClientOptionsBase(options, 'DeviceCloudClient options');
    if (typeof options.username !== 'string' || options.username === '') throw new TypeError('username must be a non-empty string');
    if (typeof options.password !== 'string') throw new TypeError('password must be a string');
    let base: URL;
    try {
      base = new URL(String(options.baseUrl ?? DEFAULT_BASE_URL));
    } catch {
      throw new TypeError('baseUrl must be an absolute http(s) URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('baseUrl must be an absolute http(s) URL');
    this.baseUrl = new URL('/ws/', base);
    const logger = options.logger ? namespacedLogger(options.logger, 'devicecloud-monitor') : undefined;
    // Sessions namespace the logger themselves: they get the user's, not this one (else `…:devicecloud-monitor:devicecloud-monitor`).
    this.#sessionLogger = options.logger;
    this.options = { ...options, ...(logger ? { logger } : {}) };
    this.redactor = createRedactor({ names: ['monTransportToken'], secrets: [options.password] });
    const ca = options.ca ?? options.tls?.ca;
    this.http = createHttpClient({
      baseUrl: this.baseUrl,
      auth: basicAuth(options.username, options.password),
      userAgent: options.userAgent ?? USER_AGENT,
      parseVendorError: vendorError,
      redact: { bodyKeys: ['monTransportToken'] },
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.timeoutInMs !== undefined ? { timeoutInMs: options.timeoutInMs } : {}),
      ...(options.deadlineInMs !== undefined ? { deadlineInMs: options.deadlineInMs } : {}),
      ...(logger ? { logger } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.tls || ca !== undefined ? { tls: { ...options.tls, ...(ca !== undefined ? { ca } : {}) } } : {}),
    });
  }

  /** Creates a TCP push monitor; resolves with its id. */
  async createTcpMonitor(topics: readonly string[], options: TcpMonitorOptions & CallOptions = {}, call?: CallOptions): Promise<number> {
    const id = await this.create(tcpMonitorXml(topics, options), callOf('createTcpMonitor() options', options, call));
    this.#ackOptions.set(id, options.ackOption ?? 'off');
    return id;
  }

  /** Creates an HTTP monitor that delivers to `transportUrl`; resolves with its id. */
  async createHttpMonitor(topics: readonly string[], transportUrl: string, options: HttpMonitorOptions & CallOptions = {}, call?: CallOptions): Promise<number> {
    const xml = httpMonitorXml(topics, transportUrl, options);
    this.registerToken(options.transportToken);
    return this.create(xml, callOf('createHttpMonitor() options', options, call));
  }

  /** Creates a polling monitor (events saved, read with `monitorHistory()`); resolves with its id. */
  async createPollingMonitor(topics: readonly string[], options: PollingMonitorOptions = {}, call: CallOptions = {}): Promise<number> {
    return this.create(pollingMonitorXml(topics, options), callOf('createPollingMonitor() options', call));
  }

  /**
   * The saved events of a persistent or polling monitor (`GET /ws/v1/monitors/history/{id}`), page
   * by page, oldest first, each page with the cursor that continues after it. For catch-up after an
   * outage: start at the server time of the last event handled (or a stored cursor) and dedupe by
   * `eventKey`, since the bound is inclusive.
   */
  async *monitorHistoryPages(monitorId: number, query: MonitorHistoryQuery = {}, options: CallOptions = {}): AsyncGenerator<MonitorHistoryPage, void, undefined> {
    checkId(monitorId, 'monitorId');
    const { params, longs } = historyQuery(query);
    const call = callOf('monitorHistory() options', options);
    const path = `v1/monitors/history/${monitorId}`;
    for (let cursor = query.cursor; ; ) {
      const res = await this.http.request<string>({
        path,
        query: { ...params, ...(cursor !== undefined ? { cursor } : {}) },
        headers: { Accept: 'application/json' },
        responseType: 'text',
        ...call,
      });
      let page: MonitorHistoryPage | undefined;
      try {
        page = historyPage(parseJson(res.body ?? '', longs !== 'number'), longs);
      } catch {
        page = undefined;
      }
      if (!page) throw new ParseError({ message: `unexpected /ws/${path} answer (no list)`, rawPreview: this.redactor.preview(res.body ?? ''), method: 'GET', url: res.url });
      yield page;
      if (page.cursor === undefined || page.events.length === 0) return;
      cursor = page.cursor;
    }
  }

  /**
   * Follows a polling (or persistent) monitor: reads its history, then every `intervalInMs` reads
   * what arrived since the newest event seen, without repeats (a window of `eventKey`s). Runs until
   * `options.signal` aborts, then ends quietly. Transient failures are logged (client `logger`) and
   * retried on the next round; other errors (auth, unknown monitor) end it with the error.
   */
  async *followMonitorHistory(monitorId: number, query: FollowHistoryOptions = {}, options: CallOptions = {}): AsyncGenerator<MonitorEvent, void, undefined> {
    checkId(monitorId, 'monitorId');
    const { intervalInMs, dedupeWindow } = followSettings(query);
    const { intervalInMs: _interval, dedupeWindow: _window, startTime, ...rest } = query;
    historyQuery({ ...rest, startTime });
    const call = callOf('followMonitorHistory() options', options);
    const logger = this.options.logger;
    yield* followHistory({
      monitorId,
      read: (since) => this.monitorHistory(monitorId, { ...rest, ...(since !== undefined ? { startTime: since } : {}) }, call),
      intervalInMs,
      dedupeWindow,
      startTime: startTime === undefined ? undefined : new Date(startTime).getTime(),
      clock: this.options.clock ?? systemClock,
      signal: call.signal,
      onRetry: (error) => logger?.warn('monitor history read failed; retrying on the next round', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
    });
  }

  /** The saved events of a persistent or polling monitor, one by one (see `monitorHistoryPages()`). */
  async *monitorHistory(monitorId: number, query: MonitorHistoryQuery = {}, options: CallOptions = {}): AsyncGenerator<MonitorEvent, void, undefined> {
    for await (const page of this.monitorHistoryPages(monitorId, query, options)) yield* page.events;
  }

  /**
   * Templated history (`GET /ws/v1/monitors/history/{id}?schema=...`): the page's events rendered
   * by a Handlebars `schema` on the server, without changing the monitor (try a template before
   * setting it). Yields one `{ output, count, cursor }` per page, following `cursor`.
   */
  async *monitorHistoryOutput(monitorId: number, schema: string, query: Omit<MonitorHistoryQuery, 'longs'> = {}, options: CallOptions = {}): AsyncGenerator<MonitorHistoryOutputPage, void, undefined> {
    checkId(monitorId, 'monitorId');
    const template = checkSchema(schema);
    const { params } = historyQuery(query);
    const call = callOf('monitorHistoryOutput() options', options);
    const path = `v1/monitors/history/${monitorId}`;
    for (let cursor = query.cursor; ; ) {
      const res = await this.http.request<string>({ path, query: { ...params, schema: template, ...(cursor !== undefined ? { cursor } : {}) }, headers: { Accept: 'application/json' }, responseType: 'text', ...call });
      let page: MonitorHistoryOutputPage | undefined;
      try {
        page = outputPage(JSON.parse(res.body ?? ''));
      } catch {
        page = undefined;
      }
      if (!page) throw new ParseError({ message: `unexpected /ws/${path} answer (no output)`, rawPreview: this.redactor.preview(res.body ?? ''), method: 'GET', url: res.url });
      yield page;
      if (page.cursor === undefined || page.count === 0) return;
      cursor = page.cursor;
    }
  }

  /**
   * The v1 monitor inventory (`GET /ws/v1/monitors/inventory`), filtered by a v1 `query`, following
   * `cursor` page by page. Field names are unconfirmed by Digi's pages (README): each item keeps `raw`.
   */
  async *listMonitorInventory(query: MonitorInventoryQuery = {}, options: CallOptions = {}): AsyncGenerator<MonitorInventoryItem, void, undefined> {
    const params = inventoryParams(query);
    const call = callOf('listMonitorInventory() options', options);
    for (let cursor: string | undefined; ; ) {
      const res = await this.http.request<string>({ path: 'v1/monitors/inventory', query: { ...params, ...(cursor !== undefined ? { cursor } : {}) }, headers: { Accept: 'application/json' }, responseType: 'text', ...call });
      const page = this.inventoryAnswer(res.body, res.url, (body) => inventoryPage(body));
      yield* page.items;
      if (page.cursor === undefined || page.items.length === 0) return;
      cursor = page.cursor;
    }
  }

  /** One monitor of the v1 inventory (`GET /ws/v1/monitors/inventory/{id}`), or undefined on 404. */
  async getMonitorInventory(id: number, options: CallOptions = {}): Promise<MonitorInventoryItem | undefined> {
    checkId(id);
    const call = callOf('getMonitorInventory() options', options);
    try {
      const res = await this.http.request<string>({ path: `v1/monitors/inventory/${id}`, headers: { Accept: 'application/json' }, responseType: 'text', ...call });
      return this.inventoryAnswer(res.body, res.url, toInventoryItem);
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  /** A v1 inventory answer read by `read`; a ParseError (with a redacted preview) when it does not fit. */
  private inventoryAnswer<T>(body: string | undefined, url: string, read: (json: unknown) => T | undefined): T {
    let out: T | undefined;
    try {
      out = read(JSON.parse(body ?? ''));
    } catch {
      out = undefined;
    }
    if (out === undefined) throw new ParseError({ message: 'unexpected /ws/v1/monitors/inventory answer (no list, or an item without an integer id)', rawPreview: this.redactor.preview(body ?? ''), method: 'GET', url });
    return out;
  }

  /**
   * Writes one data point to `streamId` (the stream is created on first write); resolves with
   * where it landed. POST: never retried after bytes were sent (a retry could write it twice).
   */
  async writeDataPoint(streamId: string, point: DataPointWrite, options: CallOptions = {}): Promise<WrittenDataPoint> {
    const [written] = await this.writeDataPoints(streamId, [point], callOf('writeDataPoint() options', options));
    return written!;
  }

  /**
   * Writes many data points to `streamId` (`<list>` bodies of at most 250 points, python-devicecloud's
   * chunk size, sent one after the other); resolves with their locations, in order. Every point is
   * checked before the first request; if a later request fails, the earlier chunks stay written.
   */
  async writeDataPoints(streamId: string, points: readonly DataPointWrite[], options: CallOptions = {}): Promise<WrittenDataPoint[]> {
    checkStreamId(streamId);
    dataPointsXml(points); // checks every point, naming the bad one, before anything is sent
    const call = callOf('writeDataPoints() options', options);
    const written: WrittenDataPoint[] = [];
    for (let at = 0; at < points.length; at += MAX_POINTS_PER_POST) {
      const chunk = points.slice(at, at + MAX_POINTS_PER_POST);
      const res = await this.http.request<string>({
        method: 'POST',
        path: `DataPoint/${encodeStreamPath(streamId)}`,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' },
        body: dataPointsXml(chunk),
        responseType: 'text',
        ...call,
      });
      const locations = writtenDataPoints(res.body ?? '');
      if (locations.length !== chunk.length) {
        throw new ParseError({ message: `DataPoint write answered ${locations.length} locations for ${chunk.length} points`, rawPreview: this.redactor.preview(res.body ?? ''), method: 'POST', url: res.url });
      }
      written.push(...locations);
    }
    return written;
  }

  /** Creates a data stream (POST /ws/DataStream); resolves with its id. Not retried after bytes were sent. */
  async createDataStream(stream: DataStreamCreate, options: CallOptions = {}): Promise<string> {
    const body = dataStreamXml(stream);
    const streamId = stream.streamId.replace(/^\/+/, '');
    checkStreamId(streamId, 'stream.streamId');
    const call = callOf('createDataStream() options', options);
    await this.http.request({
      method: 'POST',
      path: 'DataStream',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' },
      body,
      responseType: 'none',
      ...call,
    });
    return streamId;
  }

  /** Every data stream (matching `condition` when given), page by page (`start`/`size`/`remainingSize`). */
  async *listDataStreams(query: { condition?: string; pageSize?: number } = {}, options: CallOptions = {}): AsyncGenerator<DataStream, void, undefined> {
    const call = callOf('listDataStreams() options', options);
    if (query.condition !== undefined && typeof query.condition !== 'string') throw new TypeError('query.condition must be a string');
    for await (const item of this.legacyItems('DataStream', query.condition, query.pageSize, call)) yield toDataStream(item);
  }

  /** One data stream with its current value, or undefined when the server answers 404. */
  async getDataStream(streamId: string, options: CallOptions = {}): Promise<DataStream | undefined> {
    checkStreamId(streamId);
    const call = callOf('getDataStream() options', options);
    const path = `DataStream/${encodeStreamPath(streamId)}`;
    try {
      const res = await this.http.request<Envelope>({ path, headers: { Accept: 'application/json' }, ...call });
      const [item] = this.items(res.body, path);
      return item ? toDataStream(item) : undefined;
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  /** The newest point of a stream (undefined for an unknown or empty stream). */
  async currentValue(streamId: string, options: CallOptions = {}): Promise<StoredDataPoint | undefined> {
    return (await this.getDataStream(streamId, callOf('currentValue() options', options)))?.currentValue;
  }

  /**
   * The stream's points, newest first unless `order: 'oldest'`, between `startTime` (inclusive) and
   * `endTime` (exclusive); pages follow `pageCursor` until a page comes back short, as
   * python-devicecloud's `read()` does. An unknown stream is a not-found HttpError (404).
   */
  async *readDataPoints(streamId: string, query: ReadDataPointsQuery = {}, options: CallOptions = {}): AsyncGenerator<StoredDataPoint, void, undefined> {
    checkStreamId(streamId);
    const { pageSize, params } = readQuery(query);
    const call = callOf('readDataPoints() options', options);
    for await (const item of this.pointPages(streamId, params, pageSize, call)) yield toStoredDataPoint(item, streamId);
  }

  /**
   * The stream's roll-ups: one aggregate (`method`, default average) per `interval` bucket, with the
   * window, order and paging of `readDataPoints()`. An unknown stream is a not-found HttpError (404).
   */
  async *readRollups(streamId: string, query: RollupQuery, options: CallOptions = {}): AsyncGenerator<RollupPoint, void, undefined> {
    checkStreamId(streamId);
    const { pageSize, params } = rollupQuery(query);
    const call = callOf('readRollups() options', options);
    for await (const item of this.pointPages(streamId, params, pageSize, call)) yield toRollupPoint(item, streamId);
  }

  /** Deletes a stream with all its points (DELETE /ws/DataStream/{id}); false when the server answers 404. */
  async deleteDataStream(streamId: string, options: CallOptions = {}): Promise<boolean> {
    checkStreamId(streamId);
    return this.deleteIfFound(`DataStream/${encodeStreamPath(streamId)}`, {}, callOf('deleteDataStream() options', options));
  }

  /** Deletes one point by its id (DELETE /ws/DataPoint/{stream}/{id}); false when the server answers 404. */
  async deleteDataPoint(streamId: string, pointId: string, options: CallOptions = {}): Promise<boolean> {
    checkStreamId(streamId);
    if (typeof pointId !== 'string' || pointId === '' || pointId.includes('/')) throw new TypeError('pointId must be a non-empty id without "/"');
    return this.deleteIfFound(`DataPoint/${encodeStreamPath(streamId)}/${encodeURIComponent(pointId)}`, {}, callOf('deleteDataPoint() options', options));
  }

  /**
   * Deletes the stream's points with a device time in [`startTime`, `endTime`), every point when
   * neither is given (DELETE /ws/DataPoint/{stream}?startTime&endTime, as python-devicecloud's
   * `delete_datapoints_in_time_range`); false when the server answers 404.
   */
  async deleteDataPoints(streamId: string, range: { startTime?: Date | number; endTime?: Date | number } = {}, options: CallOptions = {}): Promise<boolean> {
    checkStreamId(streamId);
    if (typeof range !== 'object' || range === null) throw new TypeError('range must be an object');
    const start = isoInstant(range.startTime, 'range.startTime');
    const end = isoInstant(range.endTime, 'range.endTime');
    const query = { ...(start ? { startTime: start } : {}), ...(end ? { endTime: end } : {}) };
    return this.deleteIfFound(`DataPoint/${encodeStreamPath(streamId)}`, query, callOf('deleteDataPoints() options', options));
  }

  private async deleteIfFound(path: string, query: Record<string, string>, call: CallOptions): Promise<boolean> {
    try {
      await this.http.request({ method: 'DELETE', path, query, headers: { Accept: 'text/xml' }, responseType: 'none', ...call });
      return true;
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return false;
      throw err;
    }
  }

  /** Items of a DataPoint read, following `pageCursor` until a page comes back short. */
  private async *pointPages(streamId: string, params: Record<string, string | number>, pageSize: number, call: CallOptions): AsyncGenerator<Record<string, unknown>, void, undefined> {
    const path = `DataPoint/${encodeStreamPath(streamId)}`;
    for (let cursor: string | undefined; ; ) {
      const res = await this.http.request<Record<string, unknown>>({
        path,
        query: { ...params, ...(cursor !== undefined ? { pageCursor: cursor } : {}) },
        headers: { Accept: 'application/json' },
        ...call,
      });
      const page = this.items(res.body, path);
      yield* page;
      const next = res.body?.pageCursor;
      if (page.length < pageSize || typeof next !== 'string' || next === '') return;
      cursor = next;
    }
  }

  /** The device with this device id (`devConnectwareId`), or undefined. */
  async getDevice(deviceId: string, options: CallOptions = {}): Promise<Device | undefined> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    const call = callOf('getDevice() options', options);
    for await (const d of this.listDevices(DeviceFields.devConnectwareId.eq(deviceId), { pageSize: 1 }, call)) return d;
    return undefined;
  }

  /** The device with this inventory id (`id.devId`, as DeviceCore events carry it), or undefined on 404. */
  async getDeviceById(devId: number, options: CallOptions = {}): Promise<Device | undefined> {
    checkId(devId, 'devId');
    const call = callOf('getDeviceById() options', options);
    const path = `DeviceCore/${devId}`;
    try {
      const res = await this.http.request<Envelope>({ path, headers: { Accept: 'application/json' }, ...call });
      const [item] = this.items(res.body, path);
      return item ? toDevice(item) : undefined;
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Every device of the inventory matching `condition` (group: `grpPath`, tag: `dpTags like`), page by page. */
  async *listDevices(condition?: Condition | string, query: { pageSize?: number } = {}, options: CallOptions = {}): AsyncGenerator<Device, void, undefined> {
    const call = callOf('listDevices() options', options);
    for await (const item of this.legacyItems('DeviceCore', conditionText(condition), query.pageSize, call)) yield toDevice(item);
  }

  /** Items of a legacy paged resource, following `remainingSize` (python-devicecloud's `iter_json_pages`). */
  private async *legacyItems(path: string, condition: string | undefined, size: number | undefined, call: CallOptions): AsyncGenerator<Record<string, unknown>, void, undefined> {
    const pageSize = size ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('query.pageSize must be a positive integer');
    for (let start = 0; ; ) {
      const res = await this.http.request<Envelope>({
        path,
        query: { ...(condition !== undefined ? { condition } : {}), start, size: pageSize },
        headers: { Accept: 'application/json' },
        ...call,
      });
      const items = this.items(res.body, path);
      yield* items;
      if (Number(res.body?.remainingSize ?? 0) <= 0 || items.length === 0) return;
      start += items.length;
    }
  }

  /** The `items` objects of an envelope; anything else is a ParseError. */
  private items(body: unknown, path: string): Array<Record<string, unknown>> {
    const items = (body as Envelope | undefined)?.items;
    if (!Array.isArray(items)) throw new ParseError({ message: `unexpected /ws/${path} envelope (no items list)`, rawPreview: this.redactor.preview(body), method: 'GET', url: path });
    return items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null);
  }

  /** The transport token is a secret of this client from now on (errors and previews scrub it). */
  private registerToken(token: HttpMonitorOptions['transportToken'] | string | number | boolean | undefined): void {
    if (token === undefined || typeof token === 'number' || typeof token === 'boolean') return;
    const text = typeof token === 'string' ? token : `${token.username}:${token.password}`;
    this.redactor.addSecret(text);
    const colon = text.indexOf(':');
    if (colon !== -1) this.redactor.addSecret(text.slice(colon + 1));
  }

  private async create(xml: string, call: CallOptions): Promise<number> {
    const res = await this.http.request<string>({
      method: 'POST',
      path: 'Monitor',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' },
      body: xml,
      responseType: 'text',
      ...call,
    });
    const fromHeader = /Monitor\/(\d+)\s*$/.exec(res.headers.location ?? '');
    const fromBody = /<location>\s*Monitor\/(\d+)\s*<\/location>/.exec(res.body ?? '');
    const id = fromHeader?.[1] ?? fromBody?.[1];
    if (id === undefined) {
      throw new ParseError({ message: 'monitor create response carries no Monitor/<id> location', rawPreview: this.redactor.preview(res.body ?? ''), method: 'POST', url: res.url });
    }
    return Number(id);
  }

  /**
   * Every monitor matching `condition` (all when omitted), page by page (`start`/`size`,
   * following `remainingSize`). Condition strings are sent as given.
   */
  async *listMonitors(condition?: Condition | string, options: { pageSize?: number } & CallOptions = {}, call?: CallOptions): AsyncGenerator<Monitor, void, undefined> {
    const callOptions = callOf('listMonitors() options', options, call);
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    if (condition !== undefined && typeof condition !== 'string' && typeof condition?.compile !== 'function') {
      throw new TypeError('condition must be a string or a Condition');
    }
    const text = condition === undefined ? undefined : typeof condition === 'string' ? condition : condition.compile();
    for (let start = 0; ; ) {
      const page = await this.page({ ...(text !== undefined ? { condition: text } : {}), start, size: pageSize }, callOptions);
      for (const m of page.items) yield m;
      if (page.remaining <= 0 || page.items.length === 0) return;
      start += page.items.length;
    }
  }

  /** The monitor whose topic list is exactly `topics` (same order), as the reference SDKs match it. */
  async getMonitor(topics: readonly string[], options: CallOptions = {}): Promise<Monitor | undefined> {
    if (!Array.isArray(topics) || topics.length === 0 || topics.some((t) => typeof t !== 'string')) {
      throw new TypeError('topics must be a non-empty array of strings');
    }
    for await (const m of this.listMonitors(MonitorFields.monTopic.eq(topics.join(',')), { pageSize: 1 }, callOf('getMonitor() options', options))) return m;
    return undefined;
  }

  /** One monitor, or undefined when the server answers 404. */
  async getMonitorById(id: number, options: CallOptions = {}): Promise<Monitor | undefined> {
    checkId(id);
    const call = callOf('getMonitorById() options', options);
    try {
      const res = await this.http.request<Envelope>({
        path: `Monitor/${id}`,
        headers: { Accept: 'application/json' },
        ...call,
      });
      return this.envelope(res.body, `Monitor/${id}`).items[0];
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * PUT to the monitor, which resets its state (re-enables a backed-off or DISABLED HTTP monitor);
   * `changes` are `<Monitor>` elements to update at the same time, e.g. `{ monTransportToken: 'u:p' }`.
   */
  async resetMonitor(id: number, changes: Record<string, string | number | boolean> = {}, options: CallOptions = {}): Promise<void> {
    checkId(id);
    if (typeof changes !== 'object' || changes === null) throw new TypeError('changes must be an object');
    const call = callOf('resetMonitor() options', options);
    this.registerToken(changes.monTransportToken);
    const body = Object.entries(changes)
      .map(([k, v]) => {
        if (!/^mon[A-Za-z]+$/.test(k)) throw new TypeError(`changes: ${k} is not a monitor element`);
        return element(k, v);
      })
      .join('');
    await this.http.request({
      method: 'PUT',
      path: `Monitor/${id}`,
      headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml' },
      body: `<Monitor>${element('monId', id)}${body}</Monitor>`,
      responseType: 'none',
      ...call,
    });
  }

  /**
   * Deletes the monitor with this id.
   * Throws RangeError unless `id` is a non-negative integer, an HttpError when the request fails.
   */
  async deleteMonitor(id: number, options: CallOptions = {}): Promise<void> {
    checkId(id);
    const call = callOf('deleteMonitor() options', options);
    this.#ackOptions.delete(id);
    await this.http.request({
      method: 'DELETE',
      path: `Monitor/${id}`,
      headers: { Accept: 'text/xml' },
      responseType: 'none',
      ...call,
    });
  }

  /**
   * A push session for a TCP monitor on the API's host (TLS on 3201 unless configured otherwise),
   * with the account's credentials. Not started: call `start()`, iterate it, or pass a handler.
   */
  pushSession(monitorId: number, options: Partial<Omit<PushSessionOptions, 'username' | 'password' | 'monitorId'>> = {}): DeviceCloudPushSession {
    checkId(monitorId);
    const defaults = this.options.push ?? {};
    // A monitor this client created: its real ackOption (no acks to an ack-off monitor), unless the call says otherwise.
    const known = options.ackOption === undefined && options.acknowledge === undefined ? this.#ackOptions.get(monitorId) : undefined;
    const session = new DeviceCloudPushSession({
      host: this.baseUrl.hostname.replace(/^\[|\]$/g, ''),
      ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
      ...(this.#sessionLogger ? { logger: this.#sessionLogger } : {}),
      ...defaults,
      ...(known !== undefined ? { ackOption: known } : {}),
      ...options,
      username: this.options.username,
      password: this.options.password,
      monitorId,
    });
    this.#sessions.add(session);
    session.once('closed', () => this.#sessions.delete(session));
    return session;
  }

  /** Closes every push session this client made (started or not), then the HTTP connections. */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions].map((session) => session.close()));
    this.#sessions.clear();
    await this.http.close();
  }

  private async page(query: Record<string, string | number>, options: CallOptions): Promise<{ items: Monitor[]; remaining: number }> {
    const res = await this.http.request<Envelope>({
      path: 'Monitor',
      query,
      headers: { Accept: 'application/json' },
      ...options,
    });
    return this.envelope(res.body, 'Monitor');
  }

  private envelope(body: unknown, path: string): { items: Monitor[]; remaining: number } {
    const env = body as Envelope | undefined;
    const items = env?.items;
    const remaining = Number(env?.remainingSize ?? 0);
    if (!Array.isArray(items) || !Number.isFinite(remaining)) {
      throw new ParseError({ message: `unexpected /ws/${path} envelope (no items list)`, rawPreview: this.redactor.preview(body), method: 'GET', url: path });
    }
    return {
      items: items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null).map((i) => toMonitor(i)),
      remaining,
    };
  }
}
