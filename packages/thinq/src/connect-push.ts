import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import { createBackoff, silentLogger, systemClock, type Backoff, type Clock, type Logger, type RandomSource } from '@x/http-core';
import type { ConnectClient } from './connect-client.js';
import { mergeState, type DeviceState } from './connect-profile.js';
import { MalformedResponseError, isConnectApiError } from './errors.js';
import { createCsr, generateClientKeyPair, type ClientKeyPair } from './x509.js';

/** A `DEVICE_STATUS` report, merged into the cached state of the device. */
export interface PushStatusEvent {
  type: 'status';
  deviceId: string;
  deviceType: string | undefined;
  /** The partial state that changed (`{resource: {property: value}}`). */
  report: Record<string, unknown>;
  /** The cached state after the merge (undefined when no state was known and none could be built). */
  state: DeviceState | undefined;
  raw: Record<string, unknown>;
}

/** A `DEVICE_PUSH` notification (e.g. `WASHING_IS_COMPLETE`). */
export interface PushNotificationEvent {
  type: 'notification';
  deviceId: string;
  deviceType: string | undefined;
  pushCode: string;
  raw: Record<string, unknown>;
}

/** Any other message (account events such as device registration). */
export interface PushOtherEvent {
  type: 'other';
  pushType: string | undefined;
  raw: Record<string, unknown>;
}

export type PushEvent = PushStatusEvent | PushNotificationEvent | PushOtherEvent;

/** Options of `ConnectPush`. */
export interface ConnectPushOptions {
  /** Devices to receive events and notifications for. Default: every device of the account. */
  deviceIds?: string[];
  /** Key pair for the client certificate (persist it to reuse); generated (RSA-2048) when absent. */
  keyPair?: ClientKeyPair;
  /** CA certificate(s) trusted for the broker. Default: Node's root store (LG's broker chains to Amazon Root CA 1). */
  caPem?: string | string[];
  /** Lifetime asked for event subscriptions, in hours. Default 4464 (LG's SDK). */
  eventSubscriptionHours?: number;
  /** How often event subscriptions are renewed; must be shorter than their lifetime. Default 24 h. */
  renewIntervalInMs?: number;
  /** Fetch each device's state on start so reports merge into a full state. Default true. */
  fetchInitialState?: boolean;
  /** Reconnect backoff. Default 1 s doubling to 60 s, full jitter. */
  reconnect?: { initialDelayInMs?: number; maxDelayInMs?: number };
  /** MQTT keep-alive. Default 60 s. */
  keepaliveInSeconds?: number;
  /** MQTT connect timeout. Default 30 s. */
  connectTimeoutInMs?: number;
  /** Events kept for a slow iterator before the oldest are dropped (with an 'error' event). Default 1000. */
  maxQueue?: number;
  /** Timers for reconnects and renewals (injectable for tests). */
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Connect error codes after which reconnecting cannot help (credentials or client refused). */
const FATAL_CODES = new Set(['1103', '1218', '1301', '1302', '1303', '1304', '1305', '1309']);

/** `mqtts://host:port` (or a bare host) → host and port (default 8883). */
export function parseMqttServer(server: string): { host: string; port: number } {
  const m = /^(?:(?:mqtts|ssl|tls):\/\/)?([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(server.trim());
  if (!m?.[1]) throw new MalformedResponseError('route: mqttServer is not a host[:port]', server);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 8883 };
}

/**
 * Real-time push of ThinQ Connect over MQTT with mutual TLS: route, client registration, RSA-2048 key
 * and CSR, certificate, push/event subscriptions, then `DEVICE_STATUS` reports merged into cached
 * state and `DEVICE_PUSH` notifications, as an async iterator and as events ('status',
 * 'notification', 'event', 'connected', 'reconnecting', 'renewed', 'error'). Reconnects with backoff
 * (asking for a fresh certificate each time) and renews event subscriptions before they expire.
 */
export class ConnectPush extends EventEmitter {
  readonly #client: ConnectClient;
  readonly #options: ConnectPushOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #backoff: Backoff;
  readonly #states = new Map<string, DeviceState>();
  readonly #queue: PushEvent[] = [];
  readonly #waiters: { resolve: (r: IteratorResult<PushEvent>) => void; reject: (e: unknown) => void }[] = [];
  readonly #renewMs: number;
  readonly #hours: number;
  #deviceIds: string[] = [];
  #keyPair: ClientKeyPair | undefined;
  #mqtt: MqttClient | undefined;
  #topics: string[] = [];
  #server: { host: string; port: number } | undefined;
  #reconnectTimer: unknown;
  #renewTimer: unknown;
  #closing = false;
  #started = false;
  #failure: Error | undefined;
  #done = false;

  constructor(client: ConnectClient, options: ConnectPushOptions = {}) {
    super();
    this.#client = client;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#hours = options.eventSubscriptionHours ?? 4464;
    this.#renewMs = options.renewIntervalInMs ?? 86_400_000;
    if (!Number.isInteger(this.#hours) || this.#hours < 1) throw new RangeError('eventSubscriptionHours must be a positive integer');
    const ids = options.deviceIds;
    if (ids !== undefined && (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== ''))) {
      throw new TypeError('deviceIds must be a list of non-empty strings');
    }
    const maxQueue = options.maxQueue ?? 1000;
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new RangeError('maxQueue must be a positive integer');
    if (!(this.#renewMs > 0) || this.#renewMs >= this.#hours * 3_600_000) {
      throw new RangeError('renewIntervalInMs must be positive and shorter than the event subscription lifetime');
    }
    this.#backoff = createBackoff({
      initialDelayInMs: options.reconnect?.initialDelayInMs ?? 1000,
      maxDelayInMs: options.reconnect?.maxDelayInMs ?? 60_000,
      jitter: 'full',
      ...(options.random ? { random: options.random } : {}),
    });
  }

  /** The cached state of a device (initial state merged with every report since). */
  state(deviceId: string): DeviceState | undefined {
    return this.#states.get(deviceId);
  }

  /** Whether the MQTT connection is up. */
  get connected(): boolean {
    return this.#mqtt?.connected === true;
  }

  /** The device ids this push receives for. */
  get deviceIds(): readonly string[] {
    return this.#deviceIds;
  }

  /** Sets everything up and connects. Rejects when any step fails (nothing keeps running then). */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('ConnectPush.start() was already called');
    this.#started = true;
    const opts = signal ? { signal } : {};
    let registered = false;
    try {
      this.#server = parseMqttServer((await this.#client.route(opts)).mqttServer);
      await this.#client.registerClient(opts);
      registered = true;
      this.#keyPair = this.#options.keyPair ?? (await generateClientKeyPair());
      this.#deviceIds = this.#options.deviceIds ?? (await this.#client.devices(opts)).map((d) => d.deviceId);
      for (const id of this.#deviceIds) {
        await this.#client.subscribePush(id, opts);
        await this.#client.subscribeEvents(id, { ...opts, hours: this.#hours });
        if (this.#options.fetchInitialState !== false) {
          try {
            this.#states.set(id, await this.#client.state(id, opts));
          } catch (err) {
            // An offline device (1222) or a device without state must not stop push for the others;
            // its reports will build the state.
            if (!isConnectApiError(err) || FATAL_CODES.has(err.code)) throw err;
            this.#emitError(err);
          }
        }
      }
      await this.#connect();
      this.#scheduleRenewal();
    } catch (err) {
      this.#closing = true;
      this.#done = true;
      this.#mqtt?.end(true);
      if (registered) await this.#client.unregisterClient().catch((e: unknown) => this.#emitError(e));
      throw err;
    }
  }

  async #connect(): Promise<void> {
    const keyPair = this.#keyPair as ClientKeyPair;
    const server = this.#server as { host: string; port: number };
    const cert = await this.#client.issueCertificate(await createCsr(keyPair));
    this.#topics = cert.subscriptions;
    const client = await mqtt.connectAsync({
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
      connectTimeout: this.#options.connectTimeoutInMs ?? 30_000,
      reconnectPeriod: 0,
    });
    if (this.#closing) {
      await client.endAsync(true);
      return;
    }
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    // Socket errors are followed by 'close', which reconnects (and says so with 'reconnecting').
    client.on('error', (err) => this.#logger.debug('thinq push: connection error', { error: err.message }));
    try {
      for (const topic of this.#topics) await client.subscribeAsync(topic, { qos: 1 });
    } catch (err) {
      // A half-set-up connection is dropped, never left behind (its client id would fight the next one).
      await client.endAsync(true).catch(() => undefined);
      throw err;
    }
    if (this.#closing) {
      await client.endAsync(true);
      return;
    }
    this.#mqtt = client;
    client.once('close', () => {
      if (this.#mqtt !== client) return;
      this.#mqtt = undefined;
      if (!this.#closing) this.#scheduleReconnect();
    });
    if (!client.connected) {
      // Closed while subscribing: the 'close' listener came too late to see it.
      this.#mqtt = undefined;
      throw new Error('the MQTT connection closed while subscribing');
    }
    this.#backoff.reset();
    this.emit('connected', { topics: [...this.#topics] });
  }

  #scheduleReconnect(): void {
    if (this.#closing || this.#reconnectTimer !== undefined) return;
    const delayInMs = this.#backoff.next();
    const attempt = this.#backoff.attempt;
    this.emit('reconnecting', { attempt, delayInMs });
    this.#logger.info('thinq push: reconnecting', { attempt, delayInMs });
    this.#reconnectTimer = this.#clock.setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#closing) return;
      this.#connect().catch((err: unknown) => {
        if (isConnectApiError(err) && FATAL_CODES.has(err.code)) {
          this.#fail(err);
          return;
        }
        this.#emitError(err);
        this.#scheduleReconnect();
      });
    }, delayInMs);
  }

  #scheduleRenewal(): void {
    this.#renewTimer = this.#clock.setTimeout(() => {
      this.#renewTimer = undefined;
      if (this.#closing) return;
      void this.#renew().finally(() => {
        if (!this.#closing) this.#scheduleRenewal();
      });
    }, this.#renewMs);
  }

  async #renew(): Promise<void> {
    const renewed: string[] = [];
    for (const id of this.#deviceIds) {
      try {
        await this.#client.subscribeEvents(id, { hours: this.#hours });
        renewed.push(id);
      } catch (err) {
        this.#emitError(err);
      }
    }
    this.emit('renewed', { deviceIds: renewed });
  }

  #onMessage(topic: string, payload: Buffer): void {
    let msg: unknown;
    const text = payload.toString('utf8');
    try {
      msg = JSON.parse(text);
    } catch (cause) {
      this.#emitError(new MalformedResponseError(`push message on ${topic} is not JSON`, text, { cause }));
      return;
    }
    if (!isRecord(msg)) {
      this.#emitError(new MalformedResponseError(`push message on ${topic} is not an object`, text));
      return;
    }
    const deviceId = typeof msg.deviceId === 'string' ? msg.deviceId : undefined;
    const deviceType = typeof msg.deviceType === 'string' ? msg.deviceType : undefined;
    let event: PushEvent;
    if (msg.pushType === 'DEVICE_STATUS' && deviceId !== undefined && isRecord(msg.report)) {
      const state = mergeState(this.#states.get(deviceId), msg.report);
      this.#states.set(deviceId, state);
      event = { type: 'status', deviceId, deviceType, report: msg.report, state, raw: msg };
      this.emit('status', event);
    } else if (msg.pushType === 'DEVICE_PUSH' && deviceId !== undefined && typeof msg.pushCode === 'string') {
      event = { type: 'notification', deviceId, deviceType, pushCode: msg.pushCode, raw: msg };
      this.emit('notification', event);
    } else {
      event = { type: 'other', pushType: typeof msg.pushType === 'string' ? msg.pushType : undefined, raw: msg };
    }
    this.emit('event', event);
    this.#enqueue(event);
  }

  #enqueue(event: PushEvent): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve({ value: event, done: false });
      return;
    }
    this.#queue.push(event);
    const max = this.#options.maxQueue ?? 1000;
    if (this.#queue.length > max) {
      this.#queue.shift();
      this.#emitError(new RangeError(`push queue overflow: more than ${max} unread events, the oldest was dropped`));
    }
  }

  #emitError(err: unknown): void {
    this.#logger.warn('thinq push: error', { error: err instanceof Error ? err.message : String(err) });
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  #fail(err: unknown): void {
    this.#failure = err instanceof Error ? err : new Error(String(err));
    this.#emitError(err);
    void this.close();
  }

  /** Events as an async iterator; ends when `close()` is called, throws when the push failed for good. */
  [Symbol.asyncIterator](): AsyncIterator<PushEvent> {
    return {
      next: () => {
        const event = this.#queue.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.#failure !== undefined) return Promise.reject(this.#failure);
        if (this.#done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** Disconnects, unsubscribes push and events, unregisters the client, and ends the iterator. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#closing = true;
    this.#done = true;
    if (this.#reconnectTimer !== undefined) this.#clock.clearTimeout(this.#reconnectTimer);
    if (this.#renewTimer !== undefined) this.#clock.clearTimeout(this.#renewTimer);
    this.#reconnectTimer = undefined;
    this.#renewTimer = undefined;
    const client = this.#mqtt;
    this.#mqtt = undefined;
    if (client) await client.endAsync().catch(() => undefined);
    if (this.#started && this.#failure === undefined) {
      for (const id of this.#deviceIds) {
        await this.#client.unsubscribePush(id).catch((err: unknown) => this.#emitError(err));
        await this.#client.unsubscribeEvents(id).catch((err: unknown) => this.#emitError(err));
      }
      await this.#client.unregisterClient().catch((err: unknown) => this.#emitError(err));
    }
    for (const w of this.#waiters.splice(0)) {
      if (this.#failure !== undefined) w.reject(this.#failure);
      else w.resolve({ value: undefined, done: true });
    }
  }
}
