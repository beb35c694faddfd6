/**
 * SeplConnector: a gateway on the SEPL platform. The long-lived websocket is a SeplSession (the
 * @x/http-core session base); this class adds the device operations, the command fan-out to
 * several iterators and `'command'` listeners, and the deprecated names of earlier releases.
 */
import { EventEmitter } from 'node:events';
import { AbortError, createHttpClient, layerLogger, validateCallOptions, type CallOptions, type ConnectedEvent, type ConnectingEvent, type DisconnectedEvent, type HttpClient, type ReconnectingEvent, type SessionState } from '@x/http-core';
import { normalizeParts, responsePayload, type ProtocolPartsInput, type SeplCommand } from './command.js';
import { CommandStream } from './command-stream.js';
import { tagStrings, validateDevice, type SeplDevice } from './device.js';
import { SeplNotConnectedError, SeplUnsupportedError, isSeplNotConnectedError, isSeplTimeoutError } from './errors.js';
import { g1EventMessage } from './g1-frames.js';
import { G3Backend } from './g3-backend.js';
import type { G3Connector } from './g3-connector.js';
import type { G3Session } from './g3-session.js';
import { Gateway } from './gateway.js';
import { resolveConnectorOptions, type ConnectorProtocol, type ResolvedOptions, type SeplConnectorOptions } from './options.js';
import { SeplSession, type ReadyInfo, type SeplLink } from './session.js';
import type { DeviceStore } from './store.js';
import { USER_AGENT } from './version.js';

export type { ReadyInfo, SeplProtocol } from './session.js';
export type { ConnectorProtocol, ReconnectOptions, SeplConnectorOptions, SeplG3Options } from './options.js';

export type ConnectorState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** @deprecated The session's ReconnectingEvent (same fields). */
export type ReconnectingInfo = ReconnectingEvent;

/** The session's DisconnectedEvent plus the websocket close code and reason where there was one. */
export interface SeplDisconnectedEvent extends DisconnectedEvent {
  /** Websocket close code (1006 when the connection was lost without a close frame). */
  code: number;
  /** The websocket close reason (may be empty). */
  closeReason: string;
}

export interface SeplConnectorEvents {
  connecting: [ConnectingEvent];
  connected: [ConnectedEvent];
  /** A connection finished its handshake and device sync. */
  ready: [ReadyInfo];
  command: [SeplCommand];
  reconnecting: [ReconnectingEvent];
  disconnected: [SeplDisconnectedEvent];
  error: [Error];
  /** Exactly once; `error` is the fatal error (a SeplAuthError), undefined after `close()`. */
  closed: [{ error: Error | undefined }];
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve = (): void => undefined;
  let reject = (_err: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // read through `done`; unobserved it is no unhandled rejection
  return { promise, resolve, reject };
}

const STATES: Record<SessionState, ConnectorState> = {
  idle: 'idle',
  connecting: 'connecting',
  connected: 'ready',
  reconnecting: 'reconnecting',
  closing: 'closed',
  closed: 'closed',
};

/**
 * A gateway on the SEPL platform. It connects, keeps the platform's view of the devices in
 * sync, delivers commands (async iterators and `'command'` events), sends events and responses,
 * and reconnects with backoff until `close()` or a credential rejection (then `done` rejects).
 */
export class SeplConnector extends EventEmitter<SeplConnectorEvents> implements AsyncDisposable {
  readonly protocol: ConnectorProtocol;
  readonly store: DeviceStore;
  readonly #options: ResolvedOptions;
  readonly #http: HttpClient;
  readonly #gateway: Gateway;
  readonly #session: SeplSession;
  /** `protocol: 'g3'`: the G3 gateway (the websocket session then stays idle). */
  readonly #g3: G3Backend | undefined;
  readonly #streams = new Set<CommandStream>();
  readonly #unclaimed: SeplCommand[] = [];
  #lastClose = { code: 1006, reason: '' };
  #relieved: (() => void) | undefined;
  #pump: Promise<void> | undefined;
  #fatal: Error | undefined;
  #closed = false;
  #first: ReadyInfo | undefined;
  /** G3: settles when the MQTT session closes (or on close() before start()). */
  readonly #g3Done = deferred();

  constructor(options: SeplConnectorOptions) {
    super();
    const o = resolveConnectorOptions(options);
    this.#options = o;
    this.protocol = o.protocol;
    this.store = o.store;
    this.#http = createHttpClient({
      userAgent: options.userAgent ? `${options.userAgent} ${USER_AGENT}` : USER_AGENT,
      timeoutInMs: o.httpTimeoutInMs,
      // lookups (GET) are retried on 5xx/429/network errors; the registration POST is not idempotent
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      logger: layerLogger(o.logger, 'http'),
      clock: o.clock,
      redact: { bodyKeys: ['pw', 'password'] },
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
    this.#gateway = new Gateway(o, this.#http, (err) => this.#session.notify(err));
    this.#session = new SeplSession(
      {
        // G3 never starts this session (its MQTT session is the G3Backend's)
        protocol: o.protocol === 'g3' ? 'g2' : o.protocol,
        websocketUrl: (signal) => this.#gateway.websocketUrl(signal),
        socketOptions: {
          connectTimeoutInMs: o.handshakeTimeoutInMs,
          pingAfterInMs: o.pingAfterInMs,
          pongTimeoutInMs: o.pongTimeoutInMs,
          ...(options.tls ? { tls: options.tls } : {}),
        },
        handshake: (opening, signal) => this.#gateway.handshake(opening, signal),
      },
      {
        reconnect: o.reconnect,
        stableAfterInMs: o.stableAfterInMs,
        // the handshake has its own timeouts (socket, credentials, each sync request, lookups)
        connectTimeoutInMs: 0,
        highWaterMark: 1,
        clock: o.clock,
        random: o.random,
        logger: o.logger,
        name: 'websocket',
      },
    );
    this.#g3 = o.protocol === 'g3' ? new G3Backend(o, options, { session: (g3) => this.#wireG3(g3), ready: (info) => this.#ready(info) }) : undefined;
    if (!this.#g3) this.#wire(this.#session);
  }

  get state(): ConnectorState {
    if (this.#g3 && this.#closed) return 'closed';
    return STATES[(this.#g3?.session ?? this.#session).state];
  }

  /** The G2 gateway id (G3: the hub id) of the current (or last) session. */
  get gatewayId(): string | undefined {
    return this.#g3 ? this.#g3.connector.hubId : this.#gateway.gatewayId;
  }

  /**
   * The underlying websocket session (events, stats, `done`); commands are read through the
   * connector. G3 has an MQTT session instead: `g3.session`.
   */
  get session(): SeplSession {
    if (this.#g3) throw new RangeError("protocol 'g3' has no websocket session: use connector.g3.session");
    return this.#session;
  }

  /** `protocol: 'g3'`: the G3Connector underneath (hub id, platform REST, MQTT session); else undefined. */
  get g3(): G3Connector | undefined {
    return this.#g3?.connector;
  }

  /** Resolves when the connector ends by `close()`; rejects with the fatal error (a SeplAuthError). */
  get done(): Promise<void> {
    if (this.#g3) return this.#g3Done.promise;
    return this.#session.done;
  }

  /**
   * Connects and resolves on the first ready session. Rejects with SeplAuthError when the
   * credentials are rejected, or SeplNotConnectedError when `close()` (or `options.signal`) comes
   * first; the connector keeps retrying other failures. Calling it again returns the same promise.
   */
  async start(options?: CallOptions): Promise<ReadyInfo> {
    const { signal } = validateCallOptions(options, 'start() options');
    if (this.#closed) throw new SeplNotConnectedError('the connector is closed');
    if (this.#g3) return this.#startG3(signal);
    this.#startPump(this.#session);
    const started = this.#session.start().then(
      () => this.#first ?? (this.#session.link as SeplLink).info,
      (err: unknown) => {
        throw err instanceof AbortError ? new SeplNotConnectedError('the connector was closed before it was ready') : err;
      },
    );
    if (!signal) return started;
    signal.throwIfAborted();
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new AbortError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([started, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Adds (or replaces) a device locally, then on the platform when connected. */
  async add(device: SeplDevice, options?: CallOptions): Promise<void> {
    validateDevice(device);
    const call = validateCallOptions(options, 'add() options');
    if (this.#g3) return this.#g3Put(device, 'add', call);
    return this.#gateway.mutate(async () => {
      await this.store.add(device);
      await this.#gateway.unqueueDeletion(device.id);
      await this.#pushDevice(device, call);
    });
  }

  /** Updates a device (name, type, tags) locally, then on the platform when connected. */
  async update(device: SeplDevice, options?: CallOptions): Promise<void> {
    validateDevice(device);
    const call = validateCallOptions(options, 'update() options');
    if (this.#g3) return this.#g3Put(device, 'update', call);
    return this.#gateway.mutate(async () => {
      await this.store.update(device);
      await this.#gateway.unqueueDeletion(device.id);
      await this.#pushDevice(device, call);
    });
  }

  /** Stops command delivery for a device and forgets it locally (G2 `disconnect` + `commit`). */
  disconnect(deviceId: string, options?: CallOptions): Promise<void> {
    return this.#unlink(deviceId, 'disconnect', options);
  }

  /**
   * Deletes a device from the platform and forgets it locally (G2 `delete` + `commit`). Offline,
   * or when the platform's answer does not come, the deletion is queued (in the store when it
   * supports it) and sent after the next handshake, before the device sync.
   */
  delete(deviceId: string, options?: CallOptions): Promise<void> {
    return this.#unlink(deviceId, 'delete', options);
  }

  /** Sends a reading of a device's service. G2 waits for the platform's acknowledgement. */
  async event(deviceId: string, serviceUri: string, parts: ProtocolPartsInput, options?: CallOptions): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    if (typeof serviceUri !== 'string' || serviceUri === '') throw new TypeError('serviceUri must be a non-empty string');
    const call = validateCallOptions(options, 'event() options');
    if (this.#g3) return this.#g3Ready().event(deviceId, serviceUri, parts);
    const value = normalizeParts(parts) ?? [];
    const link = this.#requireReady();
    if (link.kind === 'g2') await this.#gateway.request(link.protocol, this.#options.handlers.event, { device_uri: deviceId, service_uri: serviceUri, value }, call);
    else await link.protocol.send(g1EventMessage(deviceId, serviceUri, value, this.#options.clock.now() / 1000));
  }

  /** Answers a command: the command echoed with `protocol_parts` replaced. */
  async respond(command: SeplCommand, parts: ProtocolPartsInput | null, options?: CallOptions): Promise<void> {
    if (this.#g3) {
      validateCallOptions(options, 'respond() options');
      return this.#g3Ready().respond(command, parts);
    }
    const payload = responsePayload(command, parts);
    const call = validateCallOptions(options, 'respond() options');
    const link = this.#requireReady();
    if (link.kind === 'g2') await this.#gateway.request(link.protocol, this.#options.handlers.response, payload, call);
    else await link.protocol.send(payload);
  }

  /**
   * Commands as an async iterator. Each iterator gets every command from its creation on (the
   * first one also gets commands that arrived while nobody listened). It ends on `close()` and
   * throws the fatal error when the connector stops on one. Creating one starts nothing: call `start()`.
   */
  commands(): AsyncIterableIterator<SeplCommand> {
    const stream = new CommandStream(
      this.#options.maxBuffered,
      (s) => {
        this.#streams.delete(s);
        this.#relieve();
      },
      () => this.#relieve(),
    );
    if (this.#fatal) {
      stream.fail(this.#fatal);
      return stream;
    }
    if (this.#closed) {
      stream.end();
      return stream;
    }
    this.#streams.add(stream);
    for (const command of this.#unclaimed.splice(0)) stream.push(command);
    this.#relieve();
    return stream;
  }

  /**
   * Stops reconnecting, closes the socket, rejects waiting requests and ends the iterators.
   * Safe from inside a `'command'` listener or an iterator loop (it does not wait for them).
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#g3) {
      await this.#g3.connector.close();
      this.#g3Done.resolve(); // no-op after the session's 'closed'
    } else {
      await this.#session.close();
    }
    this.#relieve();
    await this.#pump;
    // no pump when start() never ran (G3): the iterators end here
    if (!this.#pump) for (const stream of [...this.#streams]) stream.end();
    await this.#http.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ------------------------------------------------------------------ internals

  #wire(s: SeplSession): void {
    s.on('connecting', (e) => this.emit('connecting', e));
    s.on('connected', (e) => this.emit('connected', e));
    s.on('ready', (info) => {
      this.#gateway.logReady(info);
      this.#ready(info);
    });
    s.on('reconnecting', (e) => this.emit('reconnecting', e));
    s.on('disconnected', (e) => this.emit('disconnected', { ...e, code: this.#lastClose.code, closeReason: this.#lastClose.reason }));
    s.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else this.#options.logger.warn('background error', { name: err.name, message: err.message });
    });
    s.on('closed', ({ error }) => {
      this.#closed = true;
      if (error) this.#fail(error);
      this.emit('closed', { error });
    });
    this.#gateway.onSocketEnd = (end) => (this.#lastClose = { code: end.code, reason: end.reason });
  }

  #ready(info: ReadyInfo): void {
    this.#first ??= info;
    this.#emitGuarded('ready', info);
  }

  /** The MQTT session's events as the websocket session's (an MQTT connection has no close code: 1006). */
  #wireG3(s: G3Session): void {
    s.on('connecting', (e) => this.emit('connecting', e));
    s.on('connected', (e) => this.emit('connected', e));
    s.on('reconnecting', (e) => this.emit('reconnecting', e));
    s.on('disconnected', (e) => this.emit('disconnected', { ...e, code: 1006, closeReason: '' }));
    s.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else this.#options.logger.warn('background error', { name: err.name, message: err.message });
    });
    s.on('closed', ({ error }) => {
      this.#closed = true;
      if (error) {
        this.#fail(error);
        this.#g3Done.reject(error);
      } else {
        this.#g3Done.resolve();
      }
      this.emit('closed', { error });
    });
    this.#startPump((this.#g3 as G3Backend).commands(s));
  }

  async #startG3(signal: AbortSignal | undefined): Promise<ReadyInfo> {
    const info = await (this.#g3 as G3Backend).start(signal ? { signal } : {});
    return this.#first ?? info;
  }

  /** G3 before start(): only the store (start() brings the platform in line); after: store, device REST, hub. */
  async #g3Put(device: SeplDevice, what: 'add' | 'update', call: CallOptions): Promise<void> {
    const g3 = this.#g3 as G3Backend;
    if (g3.session === undefined) await (what === 'add' ? this.store.add(device) : this.store.update(device));
    else await g3.connector.add(device, call);
  }

  #g3Ready(): G3Backend {
    const g3 = this.#g3 as G3Backend;
    if (g3.session?.state !== 'connected') throw new SeplNotConnectedError(`the connector is ${this.state}, not ready`);
    return g3;
  }

  #fail(error: Error): void {
    this.#fatal = error;
    // the session reported it on 'error' right before 'closed'
    this.#options.logger.error('stopped', { name: error.name, message: error.message });
    for (const stream of [...this.#streams]) stream.fail(error);
  }

  /** Emits to user listeners; one that throws is reported as an 'error' instead of breaking the session. */
  #emitGuarded<K extends 'command' | 'ready'>(event: K, ...args: SeplConnectorEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: SeplConnectorEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#session.notify(err instanceof Error ? err : new Error(`a '${event}' listener threw: ${String(err)}`));
    }
  }

  #requireReady(): SeplLink {
    const link = this.#session.link;
    if (this.#session.state !== 'connected' || !link) throw new SeplNotConnectedError(`the connector is ${this.state}, not ready`);
    return link;
  }

  async #pushDevice(device: SeplDevice, call: CallOptions): Promise<void> {
    const link = this.#session.state === 'connected' ? this.#session.link : undefined;
    if (!link) return;
    if (link.kind === 'g2') {
      await this.#gateway.request(link.protocol, this.#options.handlers.put, { uri: device.id, name: device.name, iot_type: device.type, tags: tagStrings(device) }, call);
      await this.#gateway.commit(link.protocol, call);
    } else {
      await this.#gateway.register(link.protocol, link.url, [device], call.signal);
    }
  }

  #unlink(deviceId: string, what: 'disconnect' | 'delete', options: CallOptions | undefined): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '') return Promise.reject(new TypeError('deviceId must be a non-empty string'));
    let call: CallOptions;
    try {
      call = validateCallOptions(options, `${what}() options`);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new TypeError(String(err)));
    }
    if (this.protocol === 'g1') return Promise.reject(new SeplUnsupportedError(`${what} does not exist in the seed protocol (G1)`));
    if (this.#g3) return this.#g3Unlink(deviceId, what, call);
    return this.#gateway.mutate(async () => {
      await this.store.remove(deviceId);
      const link = this.#session.state === 'connected' ? this.#session.link : undefined;
      if (!link || link.kind !== 'g2') {
        // a disconnect needs no queue: the sync after the next handshake leaves the device out
        if (what === 'delete') await this.#gateway.queueDeletion(deviceId);
        return;
      }
      try {
        await this.#gateway.request(link.protocol, this.#options.handlers[what], deviceId, call);
      } catch (err) {
        if (what === 'delete' && (isSeplNotConnectedError(err) || isSeplTimeoutError(err))) await this.#gateway.queueDeletion(deviceId);
        throw err;
      }
      await this.#gateway.commit(link.protocol, call);
    });
  }

  /** G3 delete: store, MQTT subscription, device REST, hub. Disconnect (or before start()): store and subscription only. */
  async #g3Unlink(deviceId: string, what: 'disconnect' | 'delete', call: CallOptions): Promise<void> {
    const g3 = this.#g3 as G3Backend;
    if (what === 'delete' && g3.session !== undefined) return g3.connector.delete(deviceId, call);
    await this.store.remove(deviceId);
    await g3.session?.unsubscribe(deviceId);
  }

  /**
   * Reads the session's iterator and fans each command out to the listeners and iterators; never
   * drops one. While a buffer holds `maxBufferedCommands`, it stops taking from the session,
   * whose buffer then pauses the socket (backpressure) until the application takes commands.
   */
  #startPump(source: AsyncIterable<SeplCommand>): void {
    this.#pump ??= (async () => {
      try {
        for await (const command of source) {
          this.#deliver(command);
          if (this.#congested()) await this.#untilRelieved();
        }
        for (const stream of [...this.#streams]) stream.end();
      } catch {
        // the fatal error already went to the streams and listeners (closed event)
      }
    })();
  }

  #deliver(command: SeplCommand): void {
    const listened = this.listenerCount('command') > 0;
    if (listened) this.#emitGuarded('command', command);
    if (this.#streams.size === 0) {
      if (!listened) this.#unclaimed.push(command);
    } else {
      for (const stream of this.#streams) stream.push(command);
    }
  }

  #congested(): boolean {
    if (this.#unclaimed.length >= this.#options.maxBuffered) return true;
    for (const stream of this.#streams) if (stream.full) return true;
    return false;
  }

  #untilRelieved(): Promise<void> {
    this.#options.logger.warn('command buffer full; reading paused until the application takes commands', { limit: this.#options.maxBuffered });
    return new Promise((resolve) => (this.#relieved = resolve));
  }

  /** Lets the pump go on once no buffer is full any more (or the connector closes). */
  #relieve(): void {
    if (!this.#relieved || (this.#congested() && !this.#closed)) return;
    const relieved = this.#relieved;
    this.#relieved = undefined;
    this.#options.logger.info('reading resumed');
    relieved();
  }
}
