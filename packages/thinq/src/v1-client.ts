import { randomUUID } from 'node:crypto';
import {
  createHttpClient,
  isHttpError,
  silentLogger,
  sleep,
  systemClock,
  type AuthProvider,
  type Clock,
  type HttpClient,
  type HttpClientOptions,
  type Logger,
} from '@x/http-core';
import { MalformedResponseError, MonitorError, TokenError, isMonitorError, isNotLoggedInError, v1Error } from './errors.js';
import { ModelInfo, type ControlCommand, type MonitorData } from './model.js';
import { formatLgDate, oauthSignature, refreshSignatureMessage } from './signature.js';
import { USER_AGENT } from './version.js';

/** LG's v1 gateway discovery endpoint. */
export const V1_GATEWAY_URL = 'https://kic.lgthinq.com:46030/api/common/gatewayUriList';
/** Public application constants of the v1 API (wideq `core.py`). */
export const V1_APP_KEY = 'wideq';
export const V1_SECURITY_KEY = 'nuts_securitykey';
export const V1_SVC_CODE = 'SVC202';
export const V1_CLIENT_ID = 'LGAO221A02';

/** Where the v1 API lives for one country/language (wideq `Gateway`). */
export interface V1Gateway {
  /** Login host (`empUri`). */
  authBase: string;
  /** API root (`thinqUri`). */
  apiRoot: string;
  /** OAuth host (`oauthUri`). */
  oauthRoot: string;
  country: string;
  language: string;
}

/** OAuth tokens of a v1 login. */
export interface V1Tokens {
  accessToken: string;
  refreshToken: string;
}

/** A device of the v1 device list (wideq `DeviceInfo`). */
export interface V1Device {
  deviceId: string;
  alias: string;
  modelName: string;
  modelJsonUrl: string;
  /** Numeric v1 device type (201 washer, 401 AC…). */
  deviceType: number;
  /** Name of the device type, `UNKNOWN` for codes we do not know. */
  deviceTypeName: string;
  /** The record as sent by the server. */
  raw: Record<string, unknown>;
}

/** A wideq-format state file (`Client.dump()`), read and written as is. */
export interface V1StateFile {
  model_info?: Record<string, unknown>;
  gateway?: { auth_base: string; api_root: string; oauth_root: string; country: string; language: string };
  auth?: { access_token: string; refresh_token: string };
  session?: string;
  country?: string;
  language?: string;
}

/** Options of `V1Client`. */
export interface V1ClientOptions {
  /** Account country, upper case (e.g. `US`). Default `US`. */
  country?: string;
  /** Language tag (e.g. `en-US`). Default `en-US`. */
  language?: string;
  /** Gateway discovery URL (point it at a simulator). Default LG's. */
  gatewayUrl?: string;
  /** Extra @x/http-core client options (TLS trust, timeouts, logger…). */
  http?: Omit<HttpClientOptions, 'auth' | 'baseUrl' | 'retry'>;
  /** Retries of safe calls on 502/503/504. Default 5 (wideq's). */
  maxRetries?: number;
  /** Base delay of those retries. Default 500 ms. */
  retryBaseDelayInMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Non-fatal oddities (unknown device types, unknown enum codes). */
  onWarning?: (message: string) => void;
}

const DEVICE_TYPES: Readonly<Record<number, string>> = {
  101: 'REFRIGERATOR', 102: 'KIMCHI_REFRIGERATOR', 103: 'WATER_PURIFIER', 201: 'WASHER', 202: 'DRYER', 203: 'STYLER',
  204: 'DISHWASHER', 221: 'TOWER_WASHER', 222: 'TOWER_DRYER', 223: 'TOWER_WASHER_DRYER', 301: 'OVEN', 302: 'MICROWAVE',
  303: 'COOKTOP', 304: 'HOOD', 401: 'AC', 402: 'AIR_PURIFIER', 403: 'DEHUMIDIFIER', 405: 'FAN', 406: 'WATER_HEATER',
  410: 'AIR_PURIFIER_FAN', 501: 'ROBOT_KING', 504: 'STICK_VACUUM', 603: 'CLOUD_GATEWAY', 701: 'TV', 801: 'BOILER', 901: 'SPEAKER',
  902: 'HOMEVU', 1001: 'ARCH', 3001: 'MISSG', 3002: 'SENSOR', 3003: 'IOT_LIGHTING', 3004: 'IOT_MOTION_SENSOR',
  3005: 'IOT_SMART_PLUG', 3006: 'IOT_DUST_SENSOR', 3102: 'SOLAR_SENSOR', 4001: 'EMS_AIR_STATION', 4003: 'AIR_SENSOR',
  4004: 'PURICARE_AIR_DETECTOR', 6001: 'V2PHONE', 9000: 'HOMEROBOT',
};

/** The name of a v1 device type code, or `UNKNOWN`. */
export function v1DeviceTypeName(code: number): string {
  return DEVICE_TYPES[code] ?? 'UNKNOWN';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** wideq `get_list`: missing → `[]`, one object → `[object]`, list → list. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function needString(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw new MalformedResponseError(`${where}: missing ${key}`, obj);
  return v;
}

/** Parses the OAuth callback URL the browser lands on after login into its two tokens. */
export function parseOAuthCallback(url: string): V1Tokens {
  if (typeof url !== 'string') throw new TypeError('url must be a string');
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError('url: not a URL');
  }
  const accessToken = parsed.searchParams.get('access_token');
  const refreshToken = parsed.searchParams.get('refresh_token');
  if (!accessToken || !refreshToken) throw new RangeError('url: the callback URL carries no access_token and refresh_token');
  return { accessToken, refreshToken };
}

function parseDevice(raw: unknown, onWarning: (m: string) => void): V1Device {
  if (!isRecord(raw)) throw new MalformedResponseError('device list entry is not an object', raw);
  const type = typeof raw.deviceType === 'number' ? raw.deviceType : Number(raw.deviceType);
  const name = v1DeviceTypeName(type);
  if (name === 'UNKNOWN') onWarning(`unknown device type ${String(raw.deviceType)}`);
  return {
    deviceId: needString(raw, 'deviceId', 'device'),
    alias: typeof raw.alias === 'string' || typeof raw.alias === 'number' ? String(raw.alias) : '',
    modelName: typeof raw.modelNm === 'string' ? raw.modelNm : '',
    modelJsonUrl: typeof raw.modelJsonUrl === 'string' ? raw.modelJsonUrl : '',
    deviceType: Number.isFinite(type) ? type : 0,
    deviceTypeName: name,
    raw,
  };
}

/**
 * Client of the ThinQ v1 API (wideq's core and client): gateway, OAuth login and refresh, sessions,
 * device list, model JSON, rti monitoring, control and config.
 */
export class V1Client {
  readonly country: string;
  readonly language: string;
  readonly #gatewayUrl: string;
  readonly #http: HttpClient;
  readonly #logger: Logger;
  readonly #onWarning: (m: string) => void;
  readonly #clock: Clock;
  #gateway: V1Gateway | undefined;
  #tokens: V1Tokens | undefined;
  #session: string | undefined;
  #devices: V1Device[] | undefined;
  readonly #models = new Map<string, unknown>();
  #refreshing: Promise<void> | undefined;

  constructor(options: V1ClientOptions = {}) {
    this.country = options.country ?? 'US';
    this.language = options.language ?? 'en-US';
    if (!/^[A-Z]{2,3}$/.test(this.country)) throw new RangeError('country must be 2-3 upper-case letters');
    if (!/^[a-z]{2,3}-[A-Z]{2,3}$/.test(this.language)) throw new RangeError('language must look like en-US');
    this.#gatewayUrl = options.gatewayUrl ?? V1_GATEWAY_URL;
    this.#logger = options.logger ?? silentLogger;
    this.#onWarning = options.onWarning ?? ((m) => this.#logger.warn(m));
    this.#clock = options.clock ?? systemClock;
    const maxRetries = options.maxRetries ?? 5;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError('maxRetries must be a non-negative integer');
    const auth: AuthProvider = {
      apply: (headers) => {
        if (this.#tokens) headers['x-thinq-token'] = this.#tokens.accessToken;
        if (this.#session) headers['x-thinq-jsessionid'] = this.#session;
      },
      secrets: () => [this.#tokens?.accessToken, this.#tokens?.refreshToken, this.#session].filter((s): s is string => !!s),
    };
    this.#http = createHttpClient({
      logger: this.#logger,
      clock: this.#clock,
      ...options.http,
      userAgent: options.http?.userAgent ?? USER_AGENT,
      auth,
      redact: { headers: ['x-thinq-token', 'x-thinq-jsessionid', 'lgemp-x-signature'], queryParams: ['access_token', 'refresh_token'], bodyKeys: ['token', 'refresh_token', 'access_token', 'jsessionId'], ...options.http?.redact },
      retry: {
        maxAttempts: maxRetries + 1,
        baseDelayInMs: options.retryBaseDelayInMs ?? 500,
        // wideq retries only 502/503/504 (and the caller decides which calls are safe).
        classify: (err) => (isHttpError(err) ? ([502, 503, 504].includes(err.status) ? 'transient' : 'client') : undefined),
      },
    });
  }

  /** Restores a client from a wideq-format state (e.g. wideq's `wideq_state.json`). */
  static load(state: unknown, options: V1ClientOptions = {}): V1Client {
    if (!isRecord(state)) throw new TypeError('state must be an object');
    const s = state as V1StateFile;
    const client = new V1Client({ country: s.country ?? s.gateway?.country, language: s.language ?? s.gateway?.language, ...options });
    const gw: unknown = s.gateway;
    // A gateway with missing fields is ignored (it is discovered again).
    if (isRecord(gw) && ['auth_base', 'api_root', 'oauth_root', 'country', 'language'].every((k) => typeof gw[k] === 'string')) {
      const g = gw as Required<V1StateFile>['gateway'];
      client.#gateway = { authBase: g.auth_base, apiRoot: g.api_root, oauthRoot: g.oauth_root, country: g.country, language: g.language };
    }
    if (isRecord(s.auth) && typeof s.auth.access_token === 'string' && typeof s.auth.refresh_token === 'string') {
      client.#tokens = { accessToken: s.auth.access_token, refreshToken: s.auth.refresh_token };
    }
    if (typeof s.session === 'string') client.#session = s.session;
    if (isRecord(s.model_info)) for (const [url, model] of Object.entries(s.model_info)) client.#models.set(url, model);
    return client;
  }

  /** The state to persist, in wideq's format (readable by wideq and by `V1Client.load`). */
  dump(): V1StateFile {
    const out: V1StateFile = { model_info: Object.fromEntries(this.#models) };
    if (this.#gateway) {
      out.gateway = {
        auth_base: this.#gateway.authBase,
        api_root: this.#gateway.apiRoot,
        oauth_root: this.#gateway.oauthRoot,
        country: this.#gateway.country,
        language: this.#gateway.language,
      };
    }
    if (this.#tokens) out.auth = { access_token: this.#tokens.accessToken, refresh_token: this.#tokens.refreshToken };
    if (this.#session !== undefined) out.session = this.#session;
    out.country = this.country;
    out.language = this.language;
    return out;
  }

  /** Whether tokens are known (a login happened or a state was loaded). */
  get hasTokens(): boolean {
    return this.#tokens !== undefined;
  }

  /** The current session id, if a session was started. */
  get sessionId(): string | undefined {
    return this.#session;
  }

  #headers(): Record<string, string> {
    return { 'x-thinq-application-key': V1_APP_KEY, 'x-thinq-security-key': V1_SECURITY_KEY, accept: 'application/json' };
  }

  async #lgedm(url: string, data: unknown, safe: boolean, withAuth: boolean, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.#http.request<unknown>({
      method: 'POST',
      path: url,
      json: { lgedmRoot: data },
      headers: this.#headers(),
      idempotent: safe,
      ...(withAuth ? {} : { auth: false as const }),
      ...(signal ? { signal } : {}),
    });
    const body = res.body;
    if (!isRecord(body) || !isRecord(body.lgedmRoot)) {
      if (isRecord(body) && body.lgedmRoot === null) return {};
      throw new MalformedResponseError('response has no lgedmRoot object', body);
    }
    const root = body.lgedmRoot;
    if ('returnCd' in root && root.returnCd !== '0000') throw v1Error(root.returnCd, root.returnMsg);
    return root;
  }

  /** Discovers (once) the gateway for this client's country and language. */
  async gateway(signal?: AbortSignal): Promise<V1Gateway> {
    if (this.#gateway) return this.#gateway;
    const root = await this.#lgedm(this.#gatewayUrl, { countryCode: this.country, langCode: this.language }, true, false, signal);
    this.#gateway = {
      authBase: needString(root, 'empUri', 'gateway'),
      apiRoot: needString(root, 'thinqUri', 'gateway'),
      oauthRoot: needString(root, 'oauthUri', 'gateway'),
      country: typeof root.countryCode === 'string' ? root.countryCode : this.country,
      language: typeof root.langCode === 'string' ? root.langCode : this.language,
    };
    return this.#gateway;
  }

  /** The URL to open in a browser to log in (wideq `oauth_url`). */
  async loginUrl(signal?: AbortSignal): Promise<string> {
    const gw = await this.gateway(signal);
    const url = new URL('login/sign_in', gw.authBase);
    const q = { country: gw.country, language: gw.language, svcCode: V1_SVC_CODE, authSvr: 'oauth2', client_id: V1_CLIENT_ID, division: 'ha', grant_type: 'password' };
    for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Takes the tokens of the OAuth callback URL and starts a session. */
  async completeLogin(callbackUrl: string, signal?: AbortSignal): Promise<V1Device[]> {
    this.#tokens = parseOAuthCallback(callbackUrl);
    this.#session = undefined;
    return this.startSession(signal);
  }

  /** Uses known tokens (e.g. a saved refresh token): discover, refresh, start a session (wideq `from_token`). */
  async loginWithRefreshToken(refreshToken: string, signal?: AbortSignal): Promise<V1Device[]> {
    if (typeof refreshToken !== 'string' || refreshToken === '') throw new TypeError('refreshToken must be a non-empty string');
    this.#tokens = { accessToken: '', refreshToken };
    await this.#refreshTokens(signal);
    return this.startSession(signal);
  }

  /** `member/login`: starts a session with the access token; returns the device list it carries. */
  async startSession(signal?: AbortSignal): Promise<V1Device[]> {
    if (!this.#tokens) throw new TypeError('not logged in: call completeLogin() first');
    const gw = await this.gateway(signal);
    this.#session = undefined;
    const root = await this.#lgedm(
      `${gw.apiRoot}/member/login`,
      { countryCode: gw.country, langCode: gw.language, loginType: 'EMP', token: this.#tokens.accessToken },
      true,
      false,
      signal,
    );
    this.#session = needString(root, 'jsessionId', 'member/login');
    this.#devices = asList(root.item).map((d) => parseDevice(d, this.#onWarning));
    return this.#devices;
  }

  async #refreshTokens(signal?: AbortSignal): Promise<void> {
    const tokens = this.#tokens;
    if (!tokens) throw new TypeError('not logged in: call completeLogin() first');
    const gw = await this.gateway(signal);
    const timestamp = formatLgDate(new Date(this.#clock.now()));
    const res = await this.#http.request<unknown>({
      method: 'POST',
      path: new URL('/oauth2/token', gw.oauthRoot).toString(),
      form: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
      headers: {
        'lgemp-x-app-key': V1_CLIENT_ID,
        'lgemp-x-signature': oauthSignature(refreshSignatureMessage(tokens.refreshToken, timestamp)),
        'lgemp-x-date': timestamp,
        accept: 'application/json',
      },
      auth: false,
      idempotent: true,
      // A refused refresh answers 4xx with `status != 1` (TokenError); 502/503/504 are retried.
      okStatus: (status) => status < 500,
      ...(signal ? { signal } : {}),
    });
    const body = res.body;
    if (!isRecord(body) || body.status !== 1 || typeof body.access_token !== 'string') throw new TokenError();
    this.#tokens = { accessToken: body.access_token, refreshToken: tokens.refreshToken };
  }

  /** Refreshes the access token (signed as the spec says) and starts a new session (wideq `Client.refresh`). */
  async refresh(signal?: AbortSignal): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        await this.#refreshTokens(signal);
        await this.startSession(signal);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** A session call: on `0102`/`9003` (not logged in) refresh once and retry once. */
  async #call(path: string, data: unknown, safe: boolean, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const gw = await this.gateway(signal);
    try {
      if (this.#session === undefined) await this.startSession(signal);
      return await this.#lgedm(`${gw.apiRoot}/${path}`, data, safe, true, signal);
    } catch (err) {
      if (!isNotLoggedInError(err)) throw err;
      this.#logger.info('thinq v1 session expired; refreshing', { code: err.code });
      await this.refresh(signal);
      return this.#lgedm(`${gw.apiRoot}/${path}`, data, safe, true, signal);
    }
  }

  /** `device/deviceList`. */
  async devices(signal?: AbortSignal): Promise<V1Device[]> {
    const root = await this.#call('device/deviceList', null, true, signal);
    this.#devices = asList(root.item).map((d) => parseDevice(d, this.#onWarning));
    return this.#devices;
  }

  /** A device by id, from the last device list (fetched if needed). */
  async device(deviceId: string, signal?: AbortSignal): Promise<V1Device> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    const list = this.#devices ?? (await this.devices(signal));
    const found = list.find((d) => d.deviceId === deviceId || d.alias === deviceId);
    if (!found) throw new RangeError(`deviceId: no device '${deviceId}' on this account`);
    return found;
  }

  /** The model JSON of a device (fetched once per URL, unauthenticated, and kept in the state). */
  async modelInfo(device: V1Device, signal?: AbortSignal): Promise<ModelInfo> {
    const url = device.modelJsonUrl;
    if (!url) throw new RangeError(`device: ${device.deviceId} has no modelJsonUrl`);
    if (!this.#models.has(url)) {
      const res = await this.#http.request<unknown>({ method: 'GET', path: url, auth: false, ...(signal ? { signal } : {}) });
      const model = new ModelInfo(res.body, { onWarning: this.#onWarning });
      this.#models.set(url, res.body);
      return model;
    }
    return new ModelInfo(this.#models.get(url), { onWarning: this.#onWarning });
  }

  /** `rti/rtiMon` Start: returns the work id to poll. */
  async monitorStart(deviceId: string, signal?: AbortSignal): Promise<string> {
    const root = await this.#call('rti/rtiMon', { cmd: 'Mon', cmdOpt: 'Start', deviceId, workId: randomUUID() }, false, signal);
    return needString(root, 'workId', 'rtiMon');
  }

  /** `rti/rtiResult`: null while warming up, the raw bytes of the frame otherwise. Throws MonitorError. */
  async monitorPoll(deviceId: string, workId: string, signal?: AbortSignal): Promise<Uint8Array | null> {
    const root = await this.#call('rti/rtiResult', { workList: [{ deviceId, workId }] }, true, signal);
    const work = asList(root.workList)[0];
    if (!isRecord(work) || !('returnCode' in work)) return null;
    if (work.returnCode !== '0000') throw new MonitorError(deviceId, String(work.returnCode));
    if (typeof work.returnData !== 'string' || work.returnData === '') return null;
    return Buffer.from(work.returnData, 'base64');
  }

  /** `rti/rtiMon` Stop. */
  async monitorStop(deviceId: string, workId: string, signal?: AbortSignal): Promise<void> {
    await this.#call('rti/rtiMon', { cmd: 'Mon', cmdOpt: 'Stop', deviceId, workId }, false, signal);
  }

  /** A monitor of one device (start, poll, stop; restarts once on a monitor error). */
  monitor(deviceId: string): V1Monitor {
    return new V1Monitor(this, deviceId, this.#clock);
  }

  /** `rti/rtiControl` Set of one key (wideq `set_device_controls`). */
  async setControl(deviceId: string, key: string, value: unknown, signal?: AbortSignal): Promise<void> {
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    await this.#call('rti/rtiControl', { cmd: 'Control', cmdOpt: 'Set', value: { [key]: value }, deviceId, workId: randomUUID(), data: '' }, false, signal);
  }

  /** Sends a prepared control command (e.g. `ModelInfo.controlCommand`, binary templates in Base64). */
  async sendControl(deviceId: string, command: ControlCommand, signal?: AbortSignal): Promise<void> {
    await this.#call('rti/rtiControl', { ...command, deviceId, workId: randomUUID() }, false, signal);
  }

  async #get(deviceId: string, category: 'Config' | 'Control', key: string, signal?: AbortSignal): Promise<string> {
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    const root = await this.#call('rti/rtiControl', { cmd: category, cmdOpt: 'Get', value: key, deviceId, workId: randomUUID(), data: '' }, true, signal);
    if (typeof root.returnData !== 'string') throw new MalformedResponseError(`${category} ${key}: no returnData`, root);
    return root.returnData;
  }

  /**
   * `Config` get: Base64 JSON; when it does not parse, one outer `{…}` pair is stripped and parsing
   * retried (wideq `_get_config`); else MalformedResponseError.
   */
  async getConfig(deviceId: string, key: string, signal?: AbortSignal): Promise<unknown> {
    const data = await this.#get(deviceId, 'Config', key, signal);
    const text = Buffer.from(data, 'base64').toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const trimmed = text.trim();
      if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
        try {
          return JSON.parse(trimmed.slice(1, -1)) as unknown;
        } catch (cause) {
          throw new MalformedResponseError(`config ${key} is not JSON`, text, { cause });
        }
      }
      throw new MalformedResponseError(`config ${key} is not JSON`, text);
    }
  }

  /** `Control` get: the answer `(key:value)` gives `value` (wideq `_get_control`). */
  async getControl(deviceId: string, key: string, signal?: AbortSignal): Promise<string> {
    const data = await this.#get(deviceId, 'Control', key, signal);
    const m = /^\(([^:]*):(.*)\)$/s.exec(data.trim());
    if (!m) throw new MalformedResponseError(`control ${key}: expected (key:value)`, data);
    return m[2] ?? '';
  }

  /** Closes the HTTP connections. */
  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** Options of `V1Monitor.watch`. */
export interface WatchOptions {
  /** Pause between polls. Default 1000 ms (wideq's example). */
  intervalInMs?: number;
  signal?: AbortSignal;
}

/** One decoded monitor frame. */
export interface MonitorFrame {
  raw: Uint8Array;
  data: MonitorData;
}

/** rti monitoring of one v1 device (wideq `Monitor`). */
export class V1Monitor {
  #workId: string | undefined;
  #restarted = false;
  constructor(
    private readonly client: V1Client,
    readonly deviceId: string,
    private readonly clock: Clock,
  ) {}

  /** The work id of the running monitor, if started. */
  get workId(): string | undefined {
    return this.#workId;
  }

  async start(signal?: AbortSignal): Promise<void> {
    this.#workId = await this.client.monitorStart(this.deviceId, signal);
  }

  /**
   * Polls once: null while warming up or when nothing is new. A monitor error stops and restarts the
   * monitor (new work id) and yields null; a second error before any successful poll is thrown.
   */
  async poll(signal?: AbortSignal): Promise<Uint8Array | null> {
    if (this.#workId === undefined) await this.start(signal);
    try {
      const frame = await this.client.monitorPoll(this.deviceId, this.#workId as string, signal);
      this.#restarted = false;
      return frame;
    } catch (err) {
      if (!isMonitorError(err) || this.#restarted) throw err;
      this.#restarted = true;
      await this.stop(signal).catch(() => undefined);
      await this.start(signal);
      return null;
    }
  }

  async stop(signal?: AbortSignal): Promise<void> {
    const workId = this.#workId;
    this.#workId = undefined;
    if (workId !== undefined) await this.client.monitorStop(this.deviceId, workId, signal);
  }

  /** Polls forever (until `signal` aborts), yielding every frame decoded with the device's model. */
  async *watch(model: ModelInfo, options: WatchOptions = {}): AsyncGenerator<MonitorFrame> {
    const interval = options.intervalInMs ?? 1000;
    if (!Number.isFinite(interval) || interval < 0) throw new RangeError('intervalInMs must be >= 0');
    const { signal } = options;
    try {
      while (!signal?.aborted) {
        const raw = await this.poll(signal);
        if (raw) yield { raw, data: model.decodeMonitor(raw) };
        // An abort during the pause ends the loop quietly.
        await sleep(interval, signal, this.clock).catch((err: unknown) => {
          if (!signal?.aborted) throw err;
        });
      }
    } finally {
      await this.stop().catch(() => undefined);
    }
  }
}
