/** SeplConnector's options: the shared ClientOptionsBase plus the gateway's own, checked once. */
import { assertDuration, loggerNamespace, namespacedLogger, silentLogger, systemClock, validateClientOptionsBase, type Clock, type ClientOptionsBase, type JitterMode, type Logger, type SessionReconnectOptions } from '@x/http-core';
import { checkHttpUrl, checkRegistrationPath, checkWebsocketUrl } from './config.js';
import { resolveHandlers, type HandlerNames } from './g2-frames.js';
import { MemoryDeviceStore } from './memory-store.js';
import type { SeplProtocol } from './session.js';
import type { DeviceStore } from './store.js';

/** Reconnect backoff of `SeplConnector`: the delay starts at `initialDelayInMs` and grows by `factor` up to `maxDelayInMs`. */
export interface ReconnectOptions {
  /** Default 30 000 ms. */
  initialDelayInMs?: number;
  /** Default 300 000 ms. */
  maxDelayInMs?: number;
  /** Default 2. */
  factor?: number;
  /** Default `none` (the documented 30 s → 300 s sequence). */
  jitter?: JitterMode;
}

/** The protocol generations: G1 and G2 (SEPL websocket), G3 (SENERGY: OpenID, hub REST, MQTT). */
export type ConnectorProtocol = SeplProtocol | 'g3';

/** Where a G3 platform is (`protocol: 'g3'`); `configFromEnv` reads them from `CONNECTOR_G3_*`. */
export interface SeplG3Options {
  /** Keycloak token endpoint (`auth_endpt`). */
  tokenUrl: string;
  /** OpenID client id. */
  clientId: string;
  /** Hub REST (`hub_endpt`). */
  hubUrl: string;
  /** Device REST (`device_endpt`). */
  deviceUrl: string;
  /** `mqtts://host:port` of the connector broker. */
  mqttUrl: string;
  /** Name of a hub created on first start. Default `<user>-<ISO time>`. */
  hubName?: string;
  /** Extra CA (PEM) trusted for the broker; verification stays on. */
  ca?: string;
}

/** Options of `SeplConnector`: the @x/http-core client base plus the platform, the account and the gateway's behaviour. */
export interface SeplConnectorOptions extends ClientOptionsBase {
  /** Default `g2`. */
  protocol?: ConnectorProtocol;
  /** G3: the platform's endpoints (required with `protocol: 'g3'`). */
  g3?: SeplG3Options;
  /** G2: the websocket URL. Without it the URL is looked up at `lookupUrl`. */
  url?: string | URL;
  lookupUrl?: string | URL;
  registrationPath?: string;
  registrationBase?: 'websocket' | 'lookup';
  https?: boolean;
  user: string;
  password: string;
  store?: DeviceStore;
  handlers?: Partial<HandlerNames>;
  requestTimeoutInMs?: number;
  handshakeTimeoutInMs?: number;
  pingAfterInMs?: number;
  pongTimeoutInMs?: number;
  reconnect?: ReconnectOptions;
  /** A connection that stays up this long (or delivers a command) resets the backoff. Default 30 000 ms. */
  stableAfterInMs?: number;
  lookupRetryDelayInMs?: number;
  /** @deprecated Use `timeoutInMs` (the ClientOptionsBase name); lookup and registration requests. */
  httpTimeoutInMs?: number;
  /**
   * Commands buffered per iterator (and for the first iterator, before anyone iterates) before
   * the connector stops reading the socket until the application takes some. Default 10 000.
   */
  maxBufferedCommands?: number;
}

export interface ResolvedOptions {
  protocol: ConnectorProtocol;
  g3: SeplG3Options | undefined;
  user: string;
  password: string;
  url: URL | undefined;
  lookupUrl: URL | undefined;
  registrationPath: string;
  registrationBase: 'websocket' | 'lookup';
  https: boolean;
  handlers: HandlerNames;
  requestTimeoutInMs: number;
  handshakeTimeoutInMs: number;
  pingAfterInMs: number;
  pongTimeoutInMs: number;
  lookupRetryDelayInMs: number;
  httpTimeoutInMs: number;
  stableAfterInMs: number;
  maxBuffered: number;
  reconnect: Required<SessionReconnectOptions>;
  store: DeviceStore;
  logger: Logger;
  clock: Clock;
  random: () => number;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0`);
  assertDuration(name, value);
  return value;
}

function resolveReconnect(reconnect: ReconnectOptions | undefined): Required<SessionReconnectOptions> {
  const r = reconnect ?? {};
  const factor = r.factor ?? 2;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) throw new RangeError('options.reconnect.factor must be a number >= 1');
  const jitter = r.jitter ?? 'none';
  if (jitter !== 'none' && jitter !== 'full' && jitter !== 'equal') throw new RangeError("options.reconnect.jitter must be 'none', 'full' or 'equal'");
  return {
    initialDelayInMs: positive(r.initialDelayInMs, 30_000, 'options.reconnect.initialDelayInMs'),
    maxDelayInMs: positive(r.maxDelayInMs, 300_000, 'options.reconnect.maxDelayInMs'),
    factor,
    jitter,
  };
}

const G3_KEYS = ['tokenUrl', 'clientId', 'hubUrl', 'deviceUrl', 'mqttUrl'] as const;

function resolveG3(g3: SeplG3Options | undefined): SeplG3Options {
  if (typeof g3 !== 'object' || g3 === null) throw new TypeError("options.g3 ({ tokenUrl, clientId, hubUrl, deviceUrl, mqttUrl }) is required with protocol 'g3'");
  for (const key of G3_KEYS) {
    if (typeof g3[key] !== 'string' || g3[key] === '') throw new TypeError(`options.g3.${key} must be a non-empty string`);
  }
  for (const key of ['hubName', 'ca'] as const) {
    if (g3[key] !== undefined && (typeof g3[key] !== 'string' || g3[key] === '')) throw new TypeError(`options.g3.${key} must be a non-empty string`);
  }
  return { ...g3 };
}

function resolveTarget(options: SeplConnectorOptions, protocol: ConnectorProtocol) {
  if (protocol === 'g3') return { url: undefined, lookupUrl: undefined, registrationBase: 'websocket' as const, https: false, registrationPath: 'discovery' };
  const url = options.url === undefined ? undefined : checkWebsocketUrl(options.url, 'options.url');
  const lookupUrl = options.lookupUrl === undefined ? undefined : checkHttpUrl(options.lookupUrl, 'options.lookupUrl');
  if (url === undefined && lookupUrl === undefined) throw new TypeError('options.url or options.lookupUrl (CONNECTOR_LOOKUP_URL) is required');
  if (protocol === 'g1' && lookupUrl === undefined && options.registrationBase === 'lookup') {
    throw new TypeError("options.lookupUrl is required with registrationBase 'lookup'");
  }
  const registrationBase = options.registrationBase ?? 'websocket';
  if (registrationBase !== 'websocket' && registrationBase !== 'lookup') throw new RangeError("options.registrationBase must be 'websocket' or 'lookup'");
  const https = options.https ?? false;
  if (typeof https !== 'boolean') throw new TypeError('options.https must be a boolean');
  return { url, lookupUrl, registrationBase, https, registrationPath: checkRegistrationPath(options.registrationPath ?? 'discovery', 'options.registrationPath') };
}

/** The logger with this package's namespace (kept when it already has it, e.g. from `loggerFor`). */
function ownLogger(logger: Logger): Logger {
  const namespace = loggerNamespace(logger);
  if (namespace === 'sepl-connector' || namespace?.startsWith('sepl-connector:') === true) return logger;
  return namespacedLogger(logger, 'sepl-connector');
}

/** Validates `options` (TypeError/RangeError naming the option) and fills in the defaults. */
export function resolveConnectorOptions(options: SeplConnectorOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  validateClientOptionsBase(options, 'options');
  const protocol = options.protocol ?? 'g2';
  if (protocol !== 'g1' && protocol !== 'g2' && protocol !== 'g3') throw new RangeError("options.protocol must be 'g1', 'g2' or 'g3'");
  if (typeof options.user !== 'string' || options.user === '') throw new TypeError('options.user must be a non-empty string');
  if (typeof options.password !== 'string') throw new TypeError('options.password must be a string');
  const maxBuffered = positive(options.maxBufferedCommands, 10_000, 'options.maxBufferedCommands');
  if (!Number.isInteger(maxBuffered)) throw new RangeError('options.maxBufferedCommands must be a whole number > 0');
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError('options.random must be a function');
  return {
    protocol,
    g3: protocol === 'g3' ? resolveG3(options.g3) : undefined,
    user: options.user,
    password: options.password,
    ...resolveTarget(options, protocol),
    handlers: resolveHandlers(options.handlers),
    requestTimeoutInMs: positive(options.requestTimeoutInMs, 10_000, 'options.requestTimeoutInMs'),
    handshakeTimeoutInMs: positive(options.handshakeTimeoutInMs, 20_000, 'options.handshakeTimeoutInMs'),
    pingAfterInMs: positive(options.pingAfterInMs, 15_000, 'options.pingAfterInMs'),
    pongTimeoutInMs: positive(options.pongTimeoutInMs, 15_000, 'options.pongTimeoutInMs'),
    lookupRetryDelayInMs: positive(options.lookupRetryDelayInMs, 10_000, 'options.lookupRetryDelayInMs'),
    httpTimeoutInMs: positive(options.timeoutInMs ?? options.httpTimeoutInMs, 10_000, 'options.timeoutInMs'),
    stableAfterInMs: positive(options.stableAfterInMs, 30_000, 'options.stableAfterInMs'),
    maxBuffered,
    reconnect: resolveReconnect(options.reconnect),
    store: options.store ?? new MemoryDeviceStore(),
    logger: ownLogger(options.logger ?? silentLogger),
    clock: options.clock ?? systemClock,
    random,
  };
}
