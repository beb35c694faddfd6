import { randomUUID } from 'node:crypto';
import {
  AbortError,
  assertDuration,
  createHttpClient,
  isHttpError,
  namespacedLogger,
  silentLogger,
  systemClock,
  validateClientOptionsBase,
  type AuthProvider,
  type CallOptions,
  type ClientOptionsBase,
  type Clock,
  type HttpClient,
  type Logger,
} from '@x/http-core';
import { callOptions, type CallOptionsArg } from '../call-options.js';
import { asList, isRecord, needString, parseDevice, type V1Device } from './device-list.js';
import type { V1ClientOptions } from './options.js';
import { V1Monitor } from './session.js';
import { shareRefresh, type SharedRefresh } from './shared-refresh.js';
import { MalformedResponseError, isNotLoggedInError } from '../errors.js';
import { MonitorError, TokenError, v1Error } from './errors.js';
import { ModelInfo, type ControlCommand } from '../model.js';
import { formatLgDate, oauthSignature, refreshSignatureMessage } from '../signature.js';
import { USER_AGENT } from '../version.js';

/** LG's v1 gateway discovery endpoint. */
export const V1_GATEWAY_URL = 'https://kic.lgthinq.com:46030/api/common/gatewayUriList';
/** Public application constants of the v1 API (wideq `core.py`). */
export const V1_APP_KEY = 'wideq';
export const V1_SECURITY_KEY = 'nuts_securitykey';
export const V1_SVC_CODE = 'SVC202';
export const V1_CLIENT_ID = 'LGAO221A02';

/** v1 return codes that mean the access token or the session expired. */
const NOT_LOGGED_IN: ReadonlySet<string> = new Set(['0102', '9003']);

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
  /** The account's common lang pack (`langPackCommonUri`), when the gateway names one (not kept in the state file). */
  langPackCommonUri?: string;
}

/** OAuth tokens of a v1 login. */
export interface V1Tokens {
  accessToken: string;
  refreshToken: string;
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
  readonly #httpSettings: ClientOptionsBase;
  #gateway: V1Gateway | undefined;
  #tokens: V1Tokens | undefined;
  #session: string | undefined;
  #devices: V1Device[] | undefined;
  readonly #models = new Map<string, unknown>();
  readonly #closed = new AbortController();
  readonly #refreshing: SharedRefresh = shareRefresh(async (own) => {
    await this.#refreshTokens({ signal: own });
    await this.startSession({ signal: own });
  }, this.#closed.signal);

  constructor(options: V1ClientOptions = {}) {
    validateClientOptionsBase(options, 'V1Client options');
    assertDuration('V1Client options.retryBaseDelayInMs', options.retryBaseDelayInMs);
    this.country = options.country ?? 'US';
    this.language = options.language ?? 'en-US';
    if (!/^[A-Z]{2,3}$/.test(this.country)) throw new RangeError('country must be 2-3 upper-case letters');
    if (!/^[a-z]{2,3}-[A-Z]{2,3}$/.test(this.language)) throw new RangeError('language must look like en-US');
    this.#gatewayUrl = options.gatewayUrl ?? V1_GATEWAY_URL;
    this.#logger = namespacedLogger(options.logger ?? silentLogger, 'thinq');
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
      // `0102`/`9003` (see isUnauthorized below): refresh the token and the session, replay once.
      onUnauthorized: async ({ signal }) => {
        if (!this.#tokens) return false;
        this.#logger.info('thinq v1 session expired; refreshing');
        await this.refresh(signal ? { signal } : {});
        return true;
      },
    };
    const { country: _c, language: _l, gatewayUrl: _g, http, maxRetries: _m, retryBaseDelayInMs: _r, onWarning: _w, retry: _retry, ...base } = options;
    this.#httpSettings = {
      ...base,
      ...(http?.tls ? { tls: http.tls } : {}),
      ...(http?.dispatcher ? { dispatcher: http.dispatcher } : {}),
      clock: this.#clock,
    };
    this.#http = createHttpClient({
      ...base,
      ...http,
      logger: this.#logger,
      clock: this.#clock,
      userAgent: options.userAgent ?? http?.userAgent ?? USER_AGENT,
      auth,
      // The v1 API says "not logged in" inside a 200 answer: the same refresh-and-replay as a 401.
      isUnauthorized: ({ body }) => isRecord(body) && isRecord(body.lgedmRoot) && NOT_LOGGED_IN.has(String(body.lgedmRoot.returnCd)),
      redact: { headers: ['x-thinq-token', 'x-thinq-jsessionid', 'lgemp-x-signature'], queryParams: ['access_token', 'refresh_token'], bodyKeys: ['token', 'refresh_token', 'access_token', 'jsessionId'], ...http?.redact },
      retry: {
        maxAttempts: maxRetries + 1,
        baseDelayInMs: options.retryBaseDelayInMs ?? 500,
        // wideq retries only 502/503/504 (and the caller decides which calls are safe).
        classify: (err) => (isHttpError(err) ? ([502, 503, 504].includes(err.status) ? 'transient' : 'client') : undefined),
        ...(typeof options.retry === 'object' ? options.retry : {}),
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
  /**
   * The @x/http-core settings this client was made with (TLS, dispatcher, timeouts, user agent,
   * logger, clock; not its auth or retry): give them to a `LangPackLoader` so the device's lang
   * packs are fetched as the API is (a simulator's CA, a proxy). A new object each time.
   */
  get httpSettings(): ClientOptionsBase {
    return { ...this.#httpSettings };
  }

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

  async #lgedm(url: string, data: unknown, safe: boolean, withAuth: boolean, call: CallOptions): Promise<Record<string, unknown>> {
    const res = await this.#http.request<unknown>({
      method: 'POST',
      path: url,
      json: { lgedmRoot: data },
      headers: this.#headers(),
      idempotent: safe,
      ...(withAuth ? {} : { auth: false as const }),
      ...call,
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
  async gateway(options?: CallOptionsArg): Promise<V1Gateway> {
    const call = callOptions(options, 'gateway() options');
    if (this.#gateway) return this.#gateway;
    const root = await this.#lgedm(this.#gatewayUrl, { countryCode: this.country, langCode: this.language }, true, false, call);
    this.#gateway = {
      authBase: needString(root, 'empUri', 'gateway'),
      apiRoot: needString(root, 'thinqUri', 'gateway'),
      oauthRoot: needString(root, 'oauthUri', 'gateway'),
      country: typeof root.countryCode === 'string' ? root.countryCode : this.country,
      language: typeof root.langCode === 'string' ? root.langCode : this.language,
      ...(typeof root.langPackCommonUri === 'string' && root.langPackCommonUri !== '' ? { langPackCommonUri: root.langPackCommonUri } : {}),
    };
    return this.#gateway;
  }

  /** The URL to open in a browser to log in (wideq `oauth_url`). */
  async loginUrl(options?: CallOptionsArg): Promise<string> {
    const call = callOptions(options, 'loginUrl() options');
    const gw = await this.gateway(call);
    const url = new URL('login/sign_in', gw.authBase);
    const q = { country: gw.country, language: gw.language, svcCode: V1_SVC_CODE, authSvr: 'oauth2', client_id: V1_CLIENT_ID, division: 'ha', grant_type: 'password' };
    for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Takes the tokens of the OAuth callback URL and starts a session. */
  async completeLogin(callbackUrl: string, options?: CallOptionsArg): Promise<V1Device[]> {
    const call = callOptions(options, 'completeLogin() options');
    this.#tokens = parseOAuthCallback(callbackUrl);
    this.#session = undefined;
    return this.startSession(call);
  }

  /** Uses known tokens (e.g. a saved refresh token): discover, refresh, start a session (wideq `from_token`). */
  async loginWithRefreshToken(refreshToken: string, options?: CallOptionsArg): Promise<V1Device[]> {
    const call = callOptions(options, 'loginWithRefreshToken() options');
    if (typeof refreshToken !== 'string' || refreshToken === '') throw new TypeError('refreshToken must be a non-empty string');
    this.#tokens = { accessToken: '', refreshToken };
    await this.#refreshTokens(call);
    return this.startSession(call);
  }

  /** `member/login`: starts a session with the access token; returns the device list it carries. */
  async startSession(options?: CallOptionsArg): Promise<V1Device[]> {
    const call = callOptions(options, 'startSession() options');
    if (!this.#tokens) throw new TypeError('not logged in: call completeLogin() first');
    const gw = await this.gateway(call);
    this.#session = undefined;
    const root = await this.#lgedm(
      `${gw.apiRoot}/member/login`,
      { countryCode: gw.country, langCode: gw.language, loginType: 'EMP', token: this.#tokens.accessToken },
      true,
      false,
      call,
    );
    this.#session = needString(root, 'jsessionId', 'member/login');
    this.#devices = asList(root.item).map((d) => parseDevice(d, this.#onWarning));
    return this.#devices;
  }

  async #refreshTokens(call: CallOptions): Promise<void> {
    const tokens = this.#tokens;
    if (!tokens) throw new TypeError('not logged in: call completeLogin() first');
    const gw = await this.gateway(call);
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
      ...call,
    });
    const body = res.body;
    if (!isRecord(body) || body.status !== 1 || typeof body.access_token !== 'string') throw new TokenError();
    this.#tokens = { accessToken: body.access_token, refreshToken: tokens.refreshToken };
  }

  /** Refreshes the access token (signed as the spec says) and starts a new session (wideq `Client.refresh`). */
  async refresh(options?: CallOptionsArg): Promise<void> {
    const { signal } = callOptions(options, 'refresh() options');
    // The shared refresh runs on the client's own signal and the client's time limits; each caller
    // waits with its own signal, so one caller giving up never fails the others.
    return this.#refreshing.run(signal);
  }

  /** A session call (a `0102`/`9003` answer refreshes and replays once: see `isUnauthorized`). */
  async #call(path: string, data: unknown, safe: boolean, call: CallOptions): Promise<Record<string, unknown>> {
    const gw = await this.gateway(call);
    if (this.#session === undefined) {
      // member/login itself answers 9003 for an expired access token: refresh (which logs in again).
      await this.startSession(call).catch(async (err: unknown) => {
        if (!isNotLoggedInError(err)) throw err;
        await this.refresh(call);
      });
    }
    return this.#lgedm(`${gw.apiRoot}/${path}`, data, safe, true, call);
  }

  /** `device/deviceList`. */
  async devices(options?: CallOptionsArg): Promise<V1Device[]> {
    const call = callOptions(options, 'devices() options');
    const root = await this.#call('device/deviceList', null, true, call);
    this.#devices = asList(root.item).map((d) => parseDevice(d, this.#onWarning));
    return this.#devices;
  }

  /** A device by id, from the last device list (fetched if needed). */
  async device(deviceId: string, options?: CallOptionsArg): Promise<V1Device> {
    const call = callOptions(options, 'device() options');
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    const list = this.#devices ?? (await this.devices(call));
    const found = list.find((d) => d.deviceId === deviceId || d.alias === deviceId);
    if (!found) throw new RangeError(`deviceId: no device '${deviceId}' on this account`);
    return found;
  }

  /** The model JSON of a device (fetched once per URL, unauthenticated, and kept in the state). */
  async modelInfo(device: V1Device, options?: CallOptionsArg): Promise<ModelInfo> {
    const call = callOptions(options, 'modelInfo() options');
    const url = device.modelJsonUrl;
    if (!url) throw new RangeError(`device: ${device.deviceId} has no modelJsonUrl`);
    if (!this.#models.has(url)) {
      const res = await this.#http.request<unknown>({ method: 'GET', path: url, auth: false, ...call });
      const model = new ModelInfo(res.body, { onWarning: this.#onWarning });
      this.#models.set(url, res.body);
      return model;
    }
    return new ModelInfo(this.#models.get(url), { onWarning: this.#onWarning });
  }

  /** `rti/rtiMon` Start: returns the work id to poll. */
  async monitorStart(deviceId: string, options?: CallOptionsArg): Promise<string> {
    const call = callOptions(options, 'monitorStart() options');
    const root = await this.#call('rti/rtiMon', { cmd: 'Mon', cmdOpt: 'Start', deviceId, workId: randomUUID() }, false, call);
    return needString(root, 'workId', 'rtiMon');
  }

  /** `rti/rtiResult`: null while warming up, the raw bytes of the frame otherwise. Throws MonitorError. */
  async monitorPoll(deviceId: string, workId: string, options?: CallOptionsArg): Promise<Uint8Array | null> {
    const call = callOptions(options, 'monitorPoll() options');
    const root = await this.#call('rti/rtiResult', { workList: [{ deviceId, workId }] }, true, call);
    const work = asList(root.workList)[0];
    if (!isRecord(work) || !('returnCode' in work)) return null;
    if (work.returnCode !== '0000') throw new MonitorError(deviceId, String(work.returnCode));
    if (typeof work.returnData !== 'string' || work.returnData === '') return null;
    return Buffer.from(work.returnData, 'base64');
  }

  /** `rti/rtiMon` Stop. */
  async monitorStop(deviceId: string, workId: string, options?: CallOptionsArg): Promise<void> {
    const call = callOptions(options, 'monitorStop() options');
    await this.#call('rti/rtiMon', { cmd: 'Mon', cmdOpt: 'Stop', deviceId, workId }, false, call);
  }

  /** A monitor of one device (start, poll, stop; restarts once on a monitor error). */
  monitor(deviceId: string): V1Monitor {
    return new V1Monitor(this, deviceId, this.#clock);
  }

  /** `rti/rtiControl` Set of one key (wideq `set_device_controls`). */
  async setControl(deviceId: string, key: string, value: unknown, options?: CallOptionsArg): Promise<void> {
    const call = callOptions(options, 'setControl() options');
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    await this.#call('rti/rtiControl', { cmd: 'Control', cmdOpt: 'Set', value: { [key]: value }, deviceId, workId: randomUUID(), data: '' }, false, call);
  }

  /** `rti/delControlPermission`: gives the device's control back (ollo69 releases it after commands). */
  async releaseControl(deviceId: string, options?: CallOptionsArg): Promise<void> {
    const call = callOptions(options, 'releaseControl() options');
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    await this.#call('rti/delControlPermission', { deviceId }, false, call);
  }

  /** Sends a prepared control command (e.g. `ModelInfo.controlCommand`, binary templates in Base64). */
  async sendControl(deviceId: string, command: ControlCommand, options?: CallOptionsArg): Promise<void> {
    const call = callOptions(options, 'sendControl() options');
    await this.#call('rti/rtiControl', { ...command, deviceId, workId: randomUUID() }, false, call);
  }

  async #get(deviceId: string, category: 'Config' | 'Control', key: string, call: CallOptions): Promise<string> {
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    const root = await this.#call('rti/rtiControl', { cmd: category, cmdOpt: 'Get', value: key, deviceId, workId: randomUUID(), data: '' }, true, call);
    if (typeof root.returnData !== 'string') throw new MalformedResponseError(`${category} ${key}: no returnData`, root);
    return root.returnData;
  }

  /**
   * `Config` get: Base64 JSON; when it does not parse, one outer `{…}` pair is stripped and parsing
   * retried (wideq `_get_config`); else MalformedResponseError.
   */
  async getConfig(deviceId: string, key: string, options?: CallOptionsArg): Promise<unknown> {
    const call = callOptions(options, 'getConfig() options');
    const data = await this.#get(deviceId, 'Config', key, call);
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
  async getControl(deviceId: string, key: string, options?: CallOptionsArg): Promise<string> {
    const call = callOptions(options, 'getControl() options');
    const data = await this.#get(deviceId, 'Control', key, call);
    const m = /^\(([^:]*):(.*)\)$/s.exec(data.trim());
    if (!m) throw new MalformedResponseError(`control ${key}: expected (key:value)`, data);
    return m[2] ?? '';
  }

  /** Closes the HTTP connections. */
  async close(): Promise<void> {
    this.#closed.abort(new AbortError(undefined, 'the client was closed'));
    await this.#http.close();
  }
}

