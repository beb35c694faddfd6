import { randomUUID } from 'node:crypto';
import {
  assertDuration,
  createHttpClient,
  isHttpError,
  namespacedLogger,
  silentLogger,
  systemClock,
  validateCallOptions,
  validateClientOptionsBase,
  type CallOptions,
  type Clock,
  type HttpClient,
  type Logger,
  type HttpClientOptions,
  type RetryOptions,
} from '@x/http-core';
import type { ConnectClientOptions } from './options.js';
import { CONNECT_RATE_LIMIT_CODES, connectError } from './errors.js';
import { energyQueryParams, parseEnergyProfile, parseEnergyUsage, type EnergyUsage, type EnergyUsageQuery } from './energy.js';
import { DeviceProfile, type ControlPayload, type DeviceState } from './profile.js';
import { connectBaseUrl } from './region.js';
import { isConnectApiError, MalformedResponseError } from '../errors.js';
import { createMessageId } from '../signature.js';
import { USER_AGENT } from '../version.js';

/** The public API key of ThinQ Connect (LG's pythinqconnect `const.py`). */
export const CONNECT_API_KEY = 'v6GFvkweNo7DK7yD3ylIZ9w52aKBU0eJ7wLXkSR3';

/** A device of `GET devices`. */
export interface ConnectDevice {
  deviceId: string;
  /** `DEVICE_AIR_CONDITIONER`, `DEVICE_WASHER`… */
  deviceType: string;
  modelName: string;
  alias: string;
  reportable: boolean;
  groupId?: string;
  raw: Record<string, unknown>;
}

/** `GET route`. */
export interface ConnectRoute {
  /** `mqtts://host:port` */
  mqttServer: string;
  apiServer?: string;
  raw: Record<string, unknown>;
}

/** `POST client/certificate`. */
export interface ConnectCertificate {
  certificatePem: string;
  /** MQTT topics to subscribe to. */
  subscriptions: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** LG's error body: `{ error: { code, message } }`. */
const parseConnectError: NonNullable<HttpClientOptions['parseVendorError']> = (body) => {
  const e = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  return e ? { code: String(e.code), ...(typeof e.message === 'string' ? { message: e.message } : {}) } : undefined;
};

/** A rate-limit answer (1306/1314, whatever its HTTP status) is throttled; other answers keep http-core's class. */
const classifyConnectError = (err: unknown): 'throttled' | undefined =>
  isHttpError(err) && err.vendor?.code !== undefined && CONNECT_RATE_LIMIT_CODES.includes(err.vendor.code) ? 'throttled' : undefined;

/**
 * The retry options: LG's rate limiter refuses a call before acting on it, so a throttled POST
 * (control, subscribe) is retried like a GET; 2 s doubling to 60 s by default (the deprecated
 * `maxRateLimitRetries`/`rateLimitBackoff` still map here); the caller's `retry` wins.
 */
function connectRetryOptions(options: ConnectClientOptions): Partial<RetryOptions> | false {
  if (options.retry === false) return false;
  const retries = options.maxRateLimitRetries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError('maxRateLimitRetries must be a non-negative integer');
  return {
    maxAttempts: retries + 1,
    throttledBaseDelayInMs: options.rateLimitBackoff?.initialDelayInMs ?? 2000,
    maxDelayInMs: options.rateLimitBackoff?.maxDelayInMs ?? 60_000,
    retryThrottledAnyMethod: true,
    ...options.retry,
  };
}

/** Client of LG's official ThinQ Connect API. */
export class ConnectClient {
  readonly country: string;
  readonly clientId: string;
  readonly baseUrl: string;
  readonly #pat: string;
  readonly #http: HttpClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #profiles = new Map<string, DeviceProfile>();

  constructor(options: ConnectClientOptions) {
    if (!isRecord(options)) throw new TypeError('options must be an object');
    validateClientOptionsBase(options, 'ConnectClient options');
    assertDuration('ConnectClient options.rateLimitBackoff.initialDelayInMs', options.rateLimitBackoff?.initialDelayInMs);
    assertDuration('ConnectClient options.rateLimitBackoff.maxDelayInMs', options.rateLimitBackoff?.maxDelayInMs);
    if (typeof options.pat !== 'string' || options.pat.trim() === '') throw new TypeError('pat must be a non-empty string');
    if (typeof options.clientId !== 'string' || options.clientId.trim() === '') throw new TypeError('clientId must be a non-empty string');
    this.country = options.country;
    this.baseUrl = options.baseUrl ?? connectBaseUrl(options.country);
    if (options.baseUrl !== undefined && !/^[A-Z]{2}$/.test(options.country)) throw new TypeError('country must be a two-letter upper-case code');
    this.clientId = options.clientId;
    this.#pat = options.pat;
    this.#clock = options.clock ?? systemClock;
    this.#logger = namespacedLogger(options.logger ?? silentLogger, 'thinq');
    const retry = connectRetryOptions(options);
    const pat = this.#pat;
    const { pat: _p, country: _c, clientId: _i, baseUrl: _b, maxRateLimitRetries: _m, rateLimitBackoff: _r, http, retry: _retry, ...base } = options;
    this.#http = createHttpClient({
      ...base,
      ...http,
      logger: this.#logger,
      clock: this.#clock,
      baseUrl: this.baseUrl,
      userAgent: options.userAgent ?? http?.userAgent ?? USER_AGENT,
      auth: {
        apply(headers) {
          headers.authorization = `Bearer ${pat}`;
        },
        secrets: () => [pat],
      },
      retry,
      parseVendorError: parseConnectError,
      classify: classifyConnectError,
    });
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'x-country': this.country,
      'x-message-id': createMessageId(),
      'x-client-id': this.clientId,
      'x-api-key': CONNECT_API_KEY,
      'x-service-phase': 'OP',
      accept: 'application/json',
      ...extra,
    };
  }

  async #once(method: 'GET' | 'POST' | 'DELETE', path: string, json: unknown, headers: Record<string, string>, call: CallOptions): Promise<unknown> {
    try {
      const res = await this.#http.request<unknown>({
        method,
        path,
        headers: this.#headers(headers),
        ...(json === undefined ? {} : { json }),
        ...call,
      });
      const body = res.body;
      if (!isRecord(body) || !('response' in body)) throw new MalformedResponseError(`${method} ${path}: no response in the answer`, body);
      return body.response;
    } catch (err) {
      if (isHttpError(err) && err.vendor?.code !== undefined) {
        throw connectError(
          {
            code: err.vendor.code,
            status: err.status,
            serverMessage: err.vendor.message,
            headers: err.headers,
            bodyPreview: err.bodyPreview,
            body: err.body,
            method: err.method,
            url: err.url,
            attempts: err.attempts,
            ...(err.retryAfterInMs === undefined ? {} : { retryAfterInMs: err.retryAfterInMs }),
          },
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** One API call: the `response` member of the answer (rate limits and transient failures are retried by http-core). */
  async #call(method: 'GET' | 'POST' | 'DELETE', path: string, json?: unknown, headers: Record<string, string> = {}, options: CallOptions = {}): Promise<unknown> {
    const { signal, timeoutInMs, deadlineInMs } = validateCallOptions(options, `${method} ${path} options`);
    // Only the call limits travel to the HTTP layer (not `hours`, `validate`…).
    const call: CallOptions = { ...(signal ? { signal } : {}), ...(timeoutInMs === undefined ? {} : { timeoutInMs }), ...(deadlineInMs === undefined ? {} : { deadlineInMs }) };
    return this.#once(method, path, json, headers, call);
  }

  /** `GET devices`. */
  async devices(options: CallOptions = {}): Promise<ConnectDevice[]> {
    const list = await this.#call('GET', 'devices', undefined, {}, options);
    if (!Array.isArray(list)) throw new MalformedResponseError('devices: expected a list', list);
    return list.map((raw) => {
      if (!isRecord(raw) || typeof raw.deviceId !== 'string' || !isRecord(raw.deviceInfo)) throw new MalformedResponseError('devices: bad entry', raw);
      const info = raw.deviceInfo;
      return {
        deviceId: raw.deviceId,
        deviceType: typeof info.deviceType === 'string' ? info.deviceType : 'UNKNOWN',
        modelName: typeof info.modelName === 'string' ? info.modelName : '',
        alias: typeof info.alias === 'string' ? info.alias : '',
        reportable: info.reportable === true,
        ...(typeof info.groupId === 'string' ? { groupId: info.groupId } : {}),
        raw,
      };
    });
  }

  static #id(deviceId: string): string {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    return encodeURIComponent(deviceId);
  }

  /** `GET devices/{id}/profile`, parsed (and cached for control validation). */
  async profile(deviceId: string, options: CallOptions = {}): Promise<DeviceProfile> {
    const raw = await this.#call('GET', `devices/${ConnectClient.#id(deviceId)}/profile`, undefined, {}, options);
    const profile = new DeviceProfile(raw);
    this.#profiles.set(deviceId, profile);
    return profile;
  }

  /** `GET devices/{id}/state`: an object of resources, or one object per location. */
  async state(deviceId: string, options: CallOptions = {}): Promise<DeviceState> {
    const raw = await this.#call('GET', `devices/${ConnectClient.#id(deviceId)}/state`, undefined, {}, options);
    if (!isRecord(raw) && !(Array.isArray(raw) && raw.every(isRecord))) throw new MalformedResponseError('state: expected an object or a list of objects', raw);
    return raw;
  }

  /**
   * `POST devices/{id}/control` with `x-conditional-control: true`. The payload is first validated
   * against the device profile (fetched once); an invalid payload throws `ControlValidationError` and
   * nothing is sent. With `location`, `payload` is the body for that location or unit and is sent in
   * the shape the device expects (`{washer: …}` for a WashTower, `location.locationName` for a list).
   */
  async control(deviceId: string, payload: ControlPayload, options: CallOptions & { validate?: boolean; location?: string } = {}): Promise<unknown> {
    if (!isRecord(payload)) throw new TypeError('payload must be an object');
    const { validate, location, ...call } = options;
    let body = payload;
    if (location !== undefined || validate !== false) {
      const profile = this.#profiles.get(deviceId) ?? (await this.profile(deviceId, call));
      if (location !== undefined) body = profile.controlPayload(payload, location);
      if (validate !== false) profile.validateControl(body);
    }
    return this.#call('POST', `devices/${ConnectClient.#id(deviceId)}/control`, body, { 'x-conditional-control': 'true' }, call);
  }

  /** `GET devices/energy/{id}/profile`: the energy properties the device reports (`[]` for none). */
  async energyProfile(deviceId: string, options: CallOptions = {}): Promise<string[]> {
    return parseEnergyProfile(await this.#call('GET', `devices/energy/${ConnectClient.#id(deviceId)}/profile`, undefined, {}, options));
  }

  /**
   * `GET devices/energy/{id}/usage` for a period: `DAILY` (`YYYYMMDD`) or `MONTHLY` (`YYYYMM`) dates,
   * end not after today (UTC, on the client's clock), start not after end (else a TypeError/RangeError
   * naming the field, and nothing is sent).
   */
  async energyUsage(deviceId: string, query: EnergyUsageQuery, options: CallOptions = {}): Promise<EnergyUsage> {
    const id = ConnectClient.#id(deviceId);
    const params = energyQueryParams(query, this.#clock.now());
    const path = `devices/energy/${id}/usage?${new URLSearchParams(params).toString()}`;
    return parseEnergyUsage(await this.#call('GET', path, undefined, {}, options), query.period, params.property as string);
  }

  /** `GET route`: the MQTT server to use. */
  async route(options: CallOptions = {}): Promise<ConnectRoute> {
    const raw = await this.#call('GET', 'route', undefined, {}, options);
    if (!isRecord(raw) || typeof raw.mqttServer !== 'string') throw new MalformedResponseError('route: no mqttServer', raw);
    return { mqttServer: raw.mqttServer, ...(typeof raw.apiServer === 'string' ? { apiServer: raw.apiServer } : {}), raw };
  }

  /** `POST client`: registers this client id for MQTT (`allowExist: true`). */
  async registerClient(options: CallOptions = {}): Promise<void> {
    await this.#call('POST', 'client', { type: 'MQTT', 'service-code': 'SVC202', 'device-type': '607', allowExist: true }, {}, options);
  }

  /** `DELETE client`. */
  async unregisterClient(options: CallOptions = {}): Promise<void> {
    await this.#call('DELETE', 'client', { type: 'MQTT', 'service-code': 'SVC202', 'device-type': '607' }, {}, options);
  }

  /** `POST client/certificate` with a CSR (PEM or its bare Base64 body). */
  async issueCertificate(csr: string, options: CallOptions = {}): Promise<ConnectCertificate> {
    if (typeof csr !== 'string' || csr === '') throw new TypeError('csr must be a non-empty string');
    const body = csr.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
    const raw = await this.#call('POST', 'client/certificate', { 'service-code': 'SVC202', csr: body }, {}, options);
    const result = isRecord(raw) && isRecord(raw.result) ? raw.result : raw;
    if (!isRecord(result) || typeof result.certificatePem !== 'string' || !Array.isArray(result.subscriptions)) {
      throw new MalformedResponseError('client/certificate: no certificatePem and subscriptions', raw);
    }
    return { certificatePem: result.certificatePem, subscriptions: result.subscriptions.filter((s): s is string => typeof s === 'string') };
  }

  async #tolerate(promise: Promise<unknown>, code: string): Promise<boolean> {
    try {
      await promise;
      return true;
    } catch (err) {
      if (isConnectApiError(err) && err.code === code) return false;
      throw err;
    }
  }

  /** `POST push/{id}/subscribe`; resolves false when already subscribed (1207). */
  subscribePush(deviceId: string, options: CallOptions = {}): Promise<boolean> {
    return this.#tolerate(this.#call('POST', `push/${ConnectClient.#id(deviceId)}/subscribe`, undefined, {}, options), '1207');
  }

  /** `DELETE push/{id}/unsubscribe`; resolves false when not subscribed (1206). */
  unsubscribePush(deviceId: string, options: CallOptions = {}): Promise<boolean> {
    return this.#tolerate(this.#call('DELETE', `push/${ConnectClient.#id(deviceId)}/unsubscribe`, undefined, {}, options), '1206');
  }

  /** `GET push`: devices whose push notifications this client receives. */
  async pushSubscriptions(options: CallOptions = {}): Promise<unknown[]> {
    const raw = await this.#call('GET', 'push', undefined, {}, options);
    return Array.isArray(raw) ? (raw as unknown[]) : [];
  }

  /** `POST event/{id}/subscribe` for `hours` (default 4464, the SDK's); calling it again renews. */
  async subscribeEvents(deviceId: string, options: CallOptions & { hours?: number } = {}): Promise<void> {
    const hours = options.hours ?? 4464;
    if (!Number.isInteger(hours) || hours < 1) throw new RangeError('hours must be a positive integer');
    await this.#call('POST', `event/${ConnectClient.#id(deviceId)}/subscribe`, { expire: { unit: 'HOUR', timer: hours } }, {}, options);
  }

  /** `DELETE event/{id}/unsubscribe`; resolves false when not subscribed (1204). */
  unsubscribeEvents(deviceId: string, options: CallOptions = {}): Promise<boolean> {
    return this.#tolerate(this.#call('DELETE', `event/${ConnectClient.#id(deviceId)}/unsubscribe`, undefined, {}, options), '1204');
  }

  /** `GET event`: devices whose state events this client receives. */
  async eventSubscriptions(options: CallOptions = {}): Promise<unknown[]> {
    const raw = await this.#call('GET', 'event', undefined, {}, options);
    return Array.isArray(raw) ? (raw as unknown[]) : [];
  }

  /** `POST push/devices`: account events (device added, removed, renamed). */
  async subscribeAccountEvents(options: CallOptions = {}): Promise<void> {
    await this.#call('POST', 'push/devices', undefined, {}, options);
  }

  /** `DELETE push/devices`. */
  async unsubscribeAccountEvents(options: CallOptions = {}): Promise<void> {
    await this.#call('DELETE', 'push/devices', undefined, {}, options);
  }

  /** Closes the HTTP connections. */
  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** A fresh client id for a new installation (`@x/thinq-<uuid>`); persist it and reuse it. */
export function newConnectClientId(): string {
  return `x-thinq-${randomUUID()}`;
}
