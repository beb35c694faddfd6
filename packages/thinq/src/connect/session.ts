/**
 * Real-time push of ThinQ Connect over MQTT with mutual TLS, on the http-core session base: the
 * first connect sets push up (route, client registration, RSA-2048 key, push/event subscriptions,
 * initial states); every connect asks for a fresh certificate, connects and subscribes. Reports
 * (`DEVICE_STATUS`, merged into cached state) and notifications (`DEVICE_PUSH`) arrive through the
 * async iterator and as `status`/`notification`/`event` events, next to the session's lifecycle
 * events (connecting, connected, reconnecting, disconnected, error, closed).
 */
import { X509Certificate } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import {
  MAX_TIMER_DELAY_IN_MS,
  Session,
  assertDuration,
  errorCategory,
  isFatalByDefault,
  namespacedLogger,
  systemClock,
  type ConnectAttempt,
  type ConnectionContext,
  type SessionOptions,
  type SessionReconnectOptions,
} from '@x/http-core';
import { MalformedResponseError, isConnectApiError } from '../errors.js';
import type { ConnectCertificate, ConnectClient } from './client.js';
import { connectMqtt, isCertificateRefusal } from './mqtt-connect.js';
import { parseMqttServer } from './mqtt-server.js';
import { mergeState } from './merge-state.js';
import type { DeviceState } from './profile.js';
import type { PushEvent, PushNotificationEvent, PushStatusEvent } from './push-events.js';
import { createCsr, generateClientKeyPair, type ClientKeyPair } from './x509.js';

/** Options of `ConnectPush`. */
export interface ConnectPushOptions extends Omit<SessionOptions, 'reconnect' | 'highWaterMark' | 'overflow' | 'connectTimeoutInMs'> {
  /** Devices to receive events and notifications for. Default: every device of the account. */
  deviceIds?: string[];
  /** Key pair for the client certificate (persist it to reuse); generated (RSA-2048) when absent. */
  keyPair?: ClientKeyPair;
  /** CA certificate(s) trusted for the broker. Default: Node's root store (LG's broker chains to Amazon Root CA 1). */
  caPem?: string | string[];
  /** Lifetime asked for event subscriptions, in hours. Default 4464 (LG's SDK). */
  eventSubscriptionHours?: number;
  /** How often event subscriptions are renewed; must be shorter than their lifetime (and at most ~24.8 days). Default 24 h. */
  renewIntervalInMs?: number;
  /** Fetch each device's state on start so reports merge into a full state. Default true. */
  fetchInitialState?: boolean;
  /** Reconnect backoff (grows under accept-then-drop). Default 1 s doubling to 60 s, full jitter. */
  reconnect?: SessionReconnectOptions | false;
  /** MQTT keep-alive. Default 60 s. */
  keepaliveInSeconds?: number;
  /** MQTT connect timeout. Default 30 s. */
  connectTimeoutInMs?: number;
  /** Events kept for a slow iterator before the oldest are dropped (reported as an `error`). Default 1000. */
  maxQueue?: number;
}

/** The vendor events of ConnectPush, besides the session's lifecycle events. */
export interface ConnectPushEvents {
  status: [PushStatusEvent];
  notification: [PushNotificationEvent];
  event: [PushEvent];
  renewed: [{ deviceIds: string[] }];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const noop = (): void => undefined;
const NOT_REGISTERED_SERVICE = '1203';
const FATAL_CATEGORIES: ReadonlySet<string> = new Set(['auth', 'input', 'not-found']);
/** A cached certificate is replaced this long before it expires. */
const CERT_MARGIN_MS = 3_600_000;
/** Codes with which LG refuses one device's subscription: that device is skipped, the others push. */
const DEVICE_REFUSED_CODES: ReadonlySet<string> = new Set(['1205', '1213', '1214', '1217', '1219', '1220', '1221', '1224']);

/** The end of a certificate's validity (ms since the epoch); an unreadable one counts as expired. */
function certificateNotAfter(pem: string): number {
  try {
    return Date.parse(new X509Certificate(pem).validTo);
  } catch {
    return 0;
  }
}

function checkOptions(options: ConnectPushOptions): { hours: number; renewMs: number; maxQueue: number } {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const hours = options.eventSubscriptionHours ?? 4464;
  if (!Number.isInteger(hours) || hours < 1) throw new RangeError('eventSubscriptionHours must be a positive integer');
  const ids = options.deviceIds;
  if (ids !== undefined && (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== ''))) {
    throw new TypeError('deviceIds must be a list of non-empty strings');
  }
  const maxQueue = options.maxQueue ?? 1000;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new RangeError('maxQueue must be a positive integer');
  assertDuration('renewIntervalInMs', options.renewIntervalInMs);
  assertDuration('connectTimeoutInMs', options.connectTimeoutInMs);
  const renewMs = options.renewIntervalInMs ?? 86_400_000;
  if (!(renewMs > 0) || renewMs >= hours * 3_600_000) {
    throw new RangeError('renewIntervalInMs must be positive and shorter than the event subscription lifetime');
  }
  const keepalive = options.keepaliveInSeconds ?? 60;
  if (!Number.isInteger(keepalive) || keepalive < 1 || keepalive > 65_535) throw new RangeError('keepaliveInSeconds must be an integer from 1 to 65535');
  return { hours, renewMs, maxQueue };
}

/** One MQTT connection, with what arrived before `run()` listened (the broker replays right after CONNACK). */
interface PushConnection {
  client: MqttClient;
  early: [topic: string, payload: Buffer][] | undefined;
}

/**
 * ThinQ Connect push as a session: `start()` resolves at the first connection (rejects when push
 * cannot be set up for good, e.g. a refused PAT); iterate it for `PushEvent`s.
 */

export class ConnectPush extends Session<PushConnection, PushEvent, ConnectPushEvents> {
  readonly #client: ConnectClient;
  readonly #options: ConnectPushOptions;
  readonly #hours: number;
  readonly #renewMs: number;
  readonly #states = new Map<string, DeviceState>();
  #deviceIds: string[] = [];
  #server: { host: string; port: number } | undefined;
  #registered = false;
  #keyPair: ClientKeyPair | undefined;
  #subscribed = false;
  #renewTimer: unknown;
  #teardown: Promise<void> | undefined;
  readonly #connectTimeoutMs: number;
  /** The client certificate, reused across reconnects until it expires or the broker refuses it. */
  #cert: (ConnectCertificate & { notAfter: number }) | undefined;
  #closedBeforeConnack = 0;

  constructor(client: ConnectClient, options: ConnectPushOptions = {}) {
    const { hours, renewMs, maxQueue } = checkOptions(options);
    const { deviceIds: _d, keyPair: _k, caPem: _c, eventSubscriptionHours: _h, renewIntervalInMs: _r, fetchInitialState: _f, keepaliveInSeconds: _ka, connectTimeoutInMs: _ct, maxQueue: _m, logger, ...session } = options;
    super({
      name: 'connect push',
      ...session,
      ...(logger ? { logger: namespacedLogger(logger, 'thinq') } : {}),
      // The whole step (set-up HTTP calls, key generation, MQTT) is bounded by its parts' own timeouts.
      connectTimeoutInMs: 0,
      // An MQTT client cannot stop reading; the oldest unread events give way (reported as errors).
      overflow: 'drop-oldest',
      highWaterMark: maxQueue,
    });
    this.#client = client;
    this.#options = options;
    this.#hours = hours;
    this.#renewMs = renewMs;
    this.#connectTimeoutMs = options.connectTimeoutInMs ?? 30_000;
    this.once('closed', ({ error }) => {
      this.#teardown = this.#release(error);
    });
  }

  /** Starts (once) and resolves at the first connection. `signal` (deprecated: use the `signal` option) closes the push. */
  override start(signal?: AbortSignal): Promise<void> {
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
      if (signal.aborted) void this.close();
      else signal.addEventListener('abort', () => void this.close(), { once: true });
    }
    return super.start();
  }

  /** Closes the connection, then unsubscribes push and events and unregisters the client. Never rejects. */
  override async close(): Promise<void> {
    await super.close();
    await this.#teardown;
  }

  /** The cached state of a device (initial state merged with every report since). */
  deviceState(deviceId: string): DeviceState | undefined {
    return this.#states.get(deviceId);
  }

  /** Whether the MQTT connection is up. */
  get connected(): boolean {
    return this.state === 'connected';
  }

  /** The device ids this push receives for (known after the first connect). */
  get deviceIds(): readonly string[] {
    return this.#deviceIds;
  }

  protected override isFatal(error: Error): boolean {
    if (isConnectApiError(error)) {
      // The server forgot this client (1203): the next connect registers it again.
      if (error.code === NOT_REGISTERED_SERVICE) return false;
      // Refused credentials, a bad request, an unknown device: retrying cannot help.
      return FATAL_CATEGORIES.has(errorCategory(error) ?? 'protocol');
    }
    return isFatalByDefault(error);
  }

  protected override async connect({ signal }: ConnectAttempt): Promise<PushConnection> {
    await this.#setUp(signal);
    const keyPair = this.#keyPair as ClientKeyPair;
    const server = this.#server as { host: string; port: number };
    const cert = await this.#certificate(keyPair, signal);
    let client: MqttClient;
    try {
      client = await connectMqtt(
        {
          protocol: 'mqtts',
          host: server.host,
          port: server.port,
          clientId: this.#client.clientId,
          key: keyPair.privateKeyPem,
          cert: cert.certificatePem,
          ...(this.#options.caPem === undefined ? {} : { ca: this.#options.caPem }),
          rejectUnauthorized: true,
          clean: false,
          keepalive: this.#options.keepaliveInSeconds ?? 60,
          // Our limit runs on the session's clock; mqtt.js's own timer is only a far backstop.
          connectTimeout: this.#connectTimeoutMs === 0 ? MAX_TIMER_DELAY_IN_MS : Math.min(this.#connectTimeoutMs + 60_000, MAX_TIMER_DELAY_IN_MS),
        },
        { signal, clock: this.#clock(), timeoutInMs: this.#connectTimeoutMs, url: `mqtts://${server.host}:${server.port}` },
      );
    } catch (err) {
      this.#onConnectFailure(err);
      throw err;
    }
    this.#closedBeforeConnack = 0;
    // An MQTT client without an 'error' listener would throw; run() reports what matters.
    client.on('error', noop);
    // A persistent session replays right after CONNACK: keep what comes before run() listens.
    const connection: PushConnection = { client, early: [] };
    client.on('message', (topic, payload) => connection.early?.push([topic, payload]));
    try {
      for (const topic of cert.subscriptions) await client.subscribeAsync(topic, { qos: 1 });
    } catch (err) {
      // A half-set-up connection is dropped, never left behind (its client id would fight the next one).
      await client.endAsync(true).catch(noop);
      throw err;
    }
    return connection;
  }

  protected override run(connection: PushConnection, context: ConnectionContext<PushEvent>): Promise<void> {
    const { client } = connection;
    return new Promise<void>((resolve, reject) => {
      let lastError: Error | undefined;
      const early = connection.early ?? [];
      connection.early = undefined;
      client.removeAllListeners('message');
      client.on('message', (topic, payload) => this.#onMessage(topic, payload, context));
      for (const [topic, payload] of early) this.#onMessage(topic, payload, context);
      client.on('error', (err) => {
        lastError = err;
      });
      client.once('close', () => reject(lastError ?? new Error('the MQTT connection closed')));
      context.signal.addEventListener('abort', () => resolve(), { once: true });
      if (!client.connected) reject(new Error('the MQTT connection closed while subscribing'));
    });
  }

  protected override async disconnect({ client }: PushConnection): Promise<void> {
    client.removeAllListeners('message');
    await client.endAsync(true).catch(noop);
  }

  /** The cached certificate while it has an hour left, else a new one (LG warns against excessive client creation). */
  async #certificate(keyPair: ClientKeyPair, signal: AbortSignal): Promise<ConnectCertificate> {
    if (this.#cert !== undefined && this.#cert.notAfter - this.#clock().now() > CERT_MARGIN_MS) return this.#cert;
    const cert = await this.#client.issueCertificate(await createCsr(keyPair), { signal }).catch((err: unknown) => {
      if (isConnectApiError(err) && err.code === NOT_REGISTERED_SERVICE) this.#registered = false;
      throw err;
    });
    this.#cert = { ...cert, notAfter: certificateNotAfter(cert.certificatePem) };
    return this.#cert;
  }

  /** A refused certificate is replaced; so is one after which the broker closed twice in a row before CONNACK. */
  #onConnectFailure(err: unknown): void {
    if (isCertificateRefusal(err)) {
      this.#cert = undefined;
      return;
    }
    if ((err as { code?: unknown }).code === 'MQTT_CLOSED' && ++this.#closedBeforeConnack >= 2) {
      this.#cert = undefined;
      this.#closedBeforeConnack = 0;
    }
  }

  /** The one-time set-up, step by step: a retried connect resumes where the last one failed. */
  async #setUp(signal: AbortSignal): Promise<void> {
    const opts = { signal };
    this.#server ??= parseMqttServer((await this.#client.route(opts)).mqttServer);
    if (!this.#registered) {
      await this.#client.registerClient(opts);
      this.#registered = true;
    }
    this.#keyPair ??= this.#options.keyPair ?? (await generateClientKeyPair());
    if (this.#subscribed) return;
    if (this.#deviceIds.length === 0) this.#deviceIds = this.#options.deviceIds ?? (await this.#client.devices(opts)).map((d) => d.deviceId);
    const accepted: string[] = [];
    const refusals: Error[] = [];
    for (const id of this.#deviceIds) {
      try {
        await this.#client.subscribePush(id, opts);
        await this.#client.subscribeEvents(id, { ...opts, hours: this.#hours });
      } catch (err) {
        // One device LG refuses (1224 and kin) is reported and skipped; the others still push.
        if (!isConnectApiError(err) || !DEVICE_REFUSED_CODES.has(err.code)) throw err;
        refusals.push(err);
        continue;
      }
      accepted.push(id);
      if (this.#options.fetchInitialState !== false && !this.#states.has(id)) await this.#fetchState(id, signal);
    }
    // Push for no device at all is no push: the refusal ends it.
    if (accepted.length === 0 && refusals[0] !== undefined) throw refusals[0];
    for (const err of refusals) this.report(err);
    this.#deviceIds = accepted;
    this.#subscribed = true;
    this.#scheduleRenewal();
  }

  async #fetchState(deviceId: string, signal: AbortSignal): Promise<void> {
    try {
      this.#states.set(deviceId, await this.#client.state(deviceId, { signal }));
    } catch (err) {
      // An offline device (1222) or one without state must not stop push for the others; its reports build the state.
      if (!isConnectApiError(err) || errorCategory(err) === 'auth') throw err;
      this.report(err);
    }
  }

  #scheduleRenewal(): void {
    // Housekeeping next to a live connection (which holds the process): the timer does not.
    this.#renewTimer = this.#clock().setTimeout(
      () => {
        this.#renewTimer = undefined;
        void this.#renew().finally(() => {
          if (this.state !== 'closed' && this.state !== 'closing') this.#scheduleRenewal();
        });
      },
      this.#renewMs,
      { keepAlive: false },
    );
  }

  #clock(): NonNullable<SessionOptions['clock']> {
    return this.#options.clock ?? systemClock;
  }

  async #renew(): Promise<void> {
    const renewed: string[] = [];
    for (const id of this.#deviceIds) {
      try {
        await this.#client.subscribeEvents(id, { hours: this.#hours });
        renewed.push(id);
      } catch (err) {
        this.report(err);
      }
    }
    this.emit('renewed', { deviceIds: renewed });
  }

  #onMessage(topic: string, payload: Buffer, context: ConnectionContext<PushEvent>): void {
    const text = payload.toString('utf8');
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (cause) {
      context.report(new MalformedResponseError(`push message on ${topic} is not JSON`, text, { cause }));
      return;
    }
    if (!isRecord(msg)) {
      context.report(new MalformedResponseError(`push message on ${topic} is not an object`, text));
      return;
    }
    const event = this.#decode(msg);
    try {
      if (event.type === 'status') this.emit('status', event);
      else if (event.type === 'notification') this.emit('notification', event);
      this.emit('event', event);
    } catch (err) {
      context.report(err);
    }
    context.deliver(event);
  }

  #decode(msg: Record<string, unknown>): PushEvent {
    const deviceId = typeof msg.deviceId === 'string' ? msg.deviceId : undefined;
    const deviceType = typeof msg.deviceType === 'string' ? msg.deviceType : undefined;
    if (msg.pushType === 'DEVICE_STATUS' && deviceId !== undefined && isRecord(msg.report)) {
      const state = mergeState(this.#states.get(deviceId), msg.report);
      this.#states.set(deviceId, state);
      return { type: 'status', deviceId, deviceType, report: msg.report, state, raw: msg };
    }
    if (msg.pushType === 'DEVICE_PUSH' && deviceId !== undefined && typeof msg.pushCode === 'string') {
      return { type: 'notification', deviceId, deviceType, pushCode: msg.pushCode, raw: msg };
    }
    return { type: 'other', pushType: typeof msg.pushType === 'string' ? msg.pushType : undefined, raw: msg };
  }

  /** After the end: stop renewing; unless the credentials were refused, undo the subscriptions and the registration. */
  async #release(error: Error | undefined): Promise<void> {
    if (this.#renewTimer !== undefined) this.#clock().clearTimeout(this.#renewTimer);
    this.#renewTimer = undefined;
    if (!this.#registered || (error !== undefined && errorCategory(error) === 'auth')) return;
    const report = (err: unknown): void => this.report(err);
    if (this.#subscribed) {
      for (const id of this.#deviceIds) {
        await this.#client.unsubscribePush(id).catch(report);
        await this.#client.unsubscribeEvents(id).catch(report);
      }
    }
    await this.#client.unregisterClient().catch(report);
  }
}
