import { createHttpClient, layerLogger, namespacedLogger, validateCallOptions, validateClientOptionsBase, type CallOptions, type ClientOptionsBase, type HttpClient } from '@x/http-core';
import { checkHttpUrl } from './config.js';
import { SeplProtocolError } from './errors.js';
import { checkGranularity, timeWindowToMs, type Granularity, type TimeWindow } from './granularity.js';
import { USER_AGENT } from './version.js';

/** One row of an average query. */
export interface AverageRow {
  /** Start of the bucket (or of the data, for `all`). */
  time_stamp: Date;
  /** Mean of the values in the bucket; null when the service reports none. */
  result: number | null;
  /** Number of values averaged. */
  data_points: number;
}

/** What `average()` asks for, plus per-call options (signal, timeoutInMs, deadlineInMs). */
export interface AverageQuery extends CallOptions {
  /** Default on the service: `all`. */
  granularity?: Granularity;
  /** Default on the service: everything since the Unix epoch. */
  timeWindow?: TimeWindow;
}

/** Options of `AverageClient`: the @x/http-core client base (request timeout default 10 000 ms) plus the service URL. */
export interface AverageClientOptions extends ClientOptionsBase {
  /** Base URL of the query service; `devices/{id}/average` is resolved against it. */
  baseUrl: string | URL;
  /** Extra headers (e.g. authorization in front of the service). */
  headers?: Record<string, string>;
  /** Use an existing http-core client instead (its baseUrl is ignored: paths are absolute). */
  http?: HttpClient;
}

/** Parses the service's JSON answer into typed rows, sorted by time ascending. */
export function parseAverageRows(body: unknown): AverageRow[] {
  if (!Array.isArray(body)) throw new SeplProtocolError('average answer is not a JSON array', body);
  const rows = body.map((item: unknown): AverageRow => {
    const r = item as { time_stamp?: unknown; result?: unknown; data_points?: unknown } | null;
    if (typeof r !== 'object' || r === null) throw new SeplProtocolError('average row is not an object', body);
    if (typeof r.time_stamp !== 'string') throw new SeplProtocolError('average row without time_stamp', body);
    const time = Date.parse(r.time_stamp);
    if (Number.isNaN(time)) throw new SeplProtocolError(`average row has an invalid time_stamp '${r.time_stamp.slice(0, 40)}'`, body);
    if (r.result !== null && (typeof r.result !== 'number' || !Number.isFinite(r.result))) {
      throw new SeplProtocolError('average row result is not a number', body);
    }
    if (typeof r.data_points !== 'number' || !Number.isInteger(r.data_points) || r.data_points < 0) {
      throw new SeplProtocolError('average row data_points is not a whole number', body);
    }
    return { time_stamp: new Date(time), result: r.result ?? null, data_points: r.data_points };
  });
  return rows.sort((a, b) => a.time_stamp.getTime() - b.time_stamp.getTime());
}

/** The ClientOptionsBase fields that were given, for createHttpClient. */
function pick<K extends keyof ClientOptionsBase>(options: ClientOptionsBase, keys: readonly K[]): Pick<ClientOptionsBase, K> {
  const out: Partial<ClientOptionsBase> = {};
  for (const key of keys) if (options[key] !== undefined) (out as Record<K, unknown>)[key] = options[key];
  return out;
}

/** Client of the platform's average query `GET /devices/{id}/average`. */
export class AverageClient {
  readonly #http: HttpClient;
  readonly #base: URL;
  readonly #ownsHttp: boolean;

  constructor(options: AverageClientOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    validateClientOptionsBase(options, 'options');
    this.#base = checkHttpUrl(options.baseUrl, 'options.baseUrl');
    if (!this.#base.pathname.endsWith('/')) this.#base.pathname += '/';
    this.#ownsHttp = options.http === undefined;
    this.#http =
      options.http ??
      createHttpClient({
        baseUrl: this.#base.href,
        ...pick(options, ['clock', 'random', 'dispatcher', 'tls', 'retry', 'deadlineInMs']),
        userAgent: options.userAgent ? `${options.userAgent} ${USER_AGENT}` : USER_AGENT,
        headers: { Accept: 'application/json', ...options.headers },
        timeoutInMs: options.timeoutInMs ?? 10_000,
        ...(options.logger ? { logger: layerLogger(namespacedLogger(options.logger, 'sepl-connector'), 'http') } : {}),
      });
  }

  /** Averages of a device's values, one row per bucket, sorted by time ascending. */
  async average(deviceId: string, query: AverageQuery = {}): Promise<AverageRow[]> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object');
    validateCallOptions(query, 'average() query');
    const params: Record<string, string> = {};
    if (query.granularity !== undefined) params['granularity'] = checkGranularity(query.granularity, 'query.granularity');
    if (query.timeWindow !== undefined) {
      timeWindowToMs(query.timeWindow, 'query.timeWindow');
      params['time_window'] = query.timeWindow;
    }
    const url = new URL(`devices/${encodeURIComponent(deviceId)}/average`, this.#base);
    const res = await this.#http.request<unknown>({
      method: 'GET',
      path: url.href,
      query: params,
      responseType: 'json',
      ...(query.signal ? { signal: query.signal } : {}),
      ...(query.timeoutInMs !== undefined ? { timeoutInMs: query.timeoutInMs } : {}),
      ...(query.deadlineInMs !== undefined ? { deadlineInMs: query.deadlineInMs } : {}),
    });
    return parseAverageRows(res.body);
  }

  /** Closes the HTTP client it created; a client passed as `options.http` is left open. */
  async close(): Promise<void> {
    if (this.#ownsHttp) await this.#http.close();
  }
}
