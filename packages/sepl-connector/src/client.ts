/**
 * SeplConnector: a gateway on the SEPL platform, one API over three protocols. G1 and G2 run on a
 * WebsocketBackend (the long-lived websocket is a SeplSession on the @x/http-core session base), G3 on
 * a G3Backend (OpenID, hub REST, MQTT); only the selected one is built. This class adds the
 * events, the command fan-out to several iterators and `'command'` listeners, and the deprecated
 * names of earlier releases.
 */
import { EventEmitter } from 'node:events';
import { AbortError, validateCallOptions, type CallOptions, type ConnectedEvent, type ConnectingEvent, type DisconnectedEvent, type ReconnectingEvent } from '@x/http-core';
import type { ProtocolPartsInput, SeplCommand } from './command.js';
import { CommandFanout } from './command-fanout.js';
import { connectorState, type ConnectorState } from './connector-state.js';
import { validateDevice, type SeplDevice } from './device.js';
import { SeplNotConnectedError, SeplUnsupportedError } from './errors.js';
import { G3Backend } from './g3-backend.js';
import type { G3Connector } from './g3-connector.js';
import type { G3Session } from './g3-session.js';
import { resolveConnectorOptions, type ConnectorProtocol, type ResolvedOptions, type SeplConnectorOptions } from './options.js';
import type { ReadyInfo, SeplSession } from './session.js';
import type { DeviceStore } from './store.js';
import { WebsocketBackend } from './websocket-backend.js';

export type { ReadyInfo, SeplProtocol } from './session.js';
export type { ConnectorProtocol, ReconnectOptions, SeplConnectorOptions, SeplG3Options } from './options.js';
export type { ConnectorState } from './connector-state.js';

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

function raceSignal<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new AbortError(signal.reason));
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new AbortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * A gateway on the SEPL platform. It connects, keeps the platform's view of the devices in
 * sync, delivers commands (async iterators and `'command'` events), sends events and responses,
 * and reconnects with backoff until `close()` or a credential rejection (then `done` rejects).
 */
export class SeplConnector extends EventEmitter<SeplConnectorEvents> implements AsyncDisposable {
  readonly protocol: ConnectorProtocol;
  readonly store: DeviceStore;
  readonly #options: ResolvedOptions;
  /** G1/G2 (undefined under `protocol: 'g3'`). */
  readonly #ws: WebsocketBackend | undefined;
  /** `protocol: 'g3'` (undefined otherwise). */
  readonly #g3: G3Backend | undefined;
  readonly #fanout: CommandFanout;
  #closed = false;
  #first: ReadyInfo | undefined;

  constructor(options: SeplConnectorOptions) {
    super();
    const o = resolveConnectorOptions(options);
    this.#options = o;
    this.protocol = o.protocol;
    this.store = o.store;
    this.#fanout = new CommandFanout(o.maxBuffered, o.logger, {
      listened: () => this.listenerCount('command') > 0,
      emit: (command) => this.#emitGuarded('command', command),
      closed: () => this.#closed,
    });
    if (o.protocol === 'g3') {
      this.#g3 = new G3Backend(o, options, { session: (g3) => this.#wireG3(g3), ready: (info) => this.#ready(info) });
    } else {
      this.#ws = new WebsocketBackend(o, options);
      this.#wire(this.#ws.session);
    }
  }

  get state(): ConnectorState {
    if (this.#g3) return this.#g3.state;
    return connectorState((this.#ws as WebsocketBackend).session.state);
  }

  /** The G2 gateway id (G3: the hub id) of the current (or last) session. */
  get gatewayId(): string | undefined {
    return this.#g3 ? this.#g3.connector.hubId : this.#ws?.gateway.gatewayId;
  }

  /**
   * The underlying websocket session (events, stats, `done`); commands are read through the
   * connector. G3 has an MQTT session instead: `g3.session`.
   */
  get session(): SeplSession {
    if (!this.#ws) throw new RangeError("protocol 'g3' has no websocket session: use connector.g3.session");
    return this.#ws.session;
  }

  /** `protocol: 'g3'`: the G3Connector underneath (hub id, platform REST, MQTT session); else undefined. */
  get g3(): G3Connector | undefined {
    return this.#g3?.connector;
  }

  /** Resolves when the connector ends by `close()`; rejects with the fatal error (a SeplAuthError). */
  get done(): Promise<void> {
    if (this.#g3) return this.#g3.done.promise;
    return (this.#ws as WebsocketBackend).session.done;
  }

  /**
   * Connects and resolves on the first ready session. Rejects with SeplAuthError when the
   * credentials are rejected, or SeplNotConnectedError when `close()` (or `options.signal`) comes
   * first; the connector keeps retrying other failures. Calling it again returns the same promise.
   * G3 honours all of `options` (see G3Connector.start: each step, and the whole start).
   */
  async start(options?: CallOptions): Promise<ReadyInfo> {
    const call = validateCallOptions(options, 'start() options');
    const { signal } = call;
    if (this.#closed) throw new SeplNotConnectedError('the connector is closed');
    if (this.#g3) {
      const info = await this.#g3.start(call);
      return this.#first ?? info;
    }
    const ws = this.#ws as WebsocketBackend;
    this.#fanout.start(ws.session);
    return raceSignal(
      ws.start(() => this.#first),
      signal,
    );
  }

  /** Adds (or replaces) a device locally, then on the platform when connected. */
  async add(device: SeplDevice, options?: CallOptions): Promise<void> {
    validateDevice(device);
    const call = validateCallOptions(options, 'add() options');
    return (this.#g3 ?? (this.#ws as WebsocketBackend)).put(device, 'add', call);
  }

  /** Updates a device (name, type, tags) locally, then on the platform when connected. */
  async update(device: SeplDevice, options?: CallOptions): Promise<void> {
    validateDevice(device);
    const call = validateCallOptions(options, 'update() options');
    return (this.#g3 ?? (this.#ws as WebsocketBackend)).put(device, 'update', call);
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

  /**
   * Sends a reading of a device's service. G2 waits for the platform's acknowledgement, G3 for the
   * broker's (both at most `requestTimeoutInMs` unless `options` say otherwise).
   */
  async event(deviceId: string, serviceUri: string, parts: ProtocolPartsInput, options?: CallOptions): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    if (typeof serviceUri !== 'string' || serviceUri === '') throw new TypeError('serviceUri must be a non-empty string');
    const call = validateCallOptions(options, 'event() options');
    return (this.#g3 ?? (this.#ws as WebsocketBackend)).event(deviceId, serviceUri, parts, call);
  }

  /** Answers a command: the command echoed with `protocol_parts` replaced. */
  async respond(command: SeplCommand, parts: ProtocolPartsInput | null, options?: CallOptions): Promise<void> {
    const call = validateCallOptions(options, 'respond() options');
    return (this.#g3 ?? (this.#ws as WebsocketBackend)).respond(command, parts, call);
  }

  /**
   * Commands as an async iterator. Each iterator gets every command from its creation on (the
   * first one also gets commands that arrived while nobody listened). It ends on `close()` and
   * throws the fatal error when the connector stops on one. Creating one starts nothing: call `start()`.
   */
  commands(): AsyncIterableIterator<SeplCommand> {
    return this.#fanout.iterator();
  }

  /**
   * Stops reconnecting, closes the socket, rejects waiting requests and ends the iterators.
   * Safe from inside a `'command'` listener or an iterator loop (it does not wait for them).
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#g3) await this.#g3.close();
    else await (this.#ws as WebsocketBackend).session.close();
    await this.#fanout.settle();
    await this.#ws?.http.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ------------------------------------------------------------------ internals

  #wire(s: SeplSession): void {
    const ws = this.#ws as WebsocketBackend;
    this.#forward(s);
    s.on('ready', (info) => {
      ws.gateway.logReady(info);
      this.#ready(info);
    });
    s.on('disconnected', (e) => this.emit('disconnected', { ...e, code: ws.lastClose.code, closeReason: ws.lastClose.reason }));
    s.on('closed', ({ error }) => {
      this.#closed = true;
      if (error) this.#fail(error);
      this.emit('closed', { error });
    });
  }

  /** The MQTT session's events as the websocket session's (an MQTT connection has no close code: 1006). */
  #wireG3(s: G3Session): void {
    const g3 = this.#g3 as G3Backend;
    this.#forward(s);
    s.on('disconnected', (e) => this.emit('disconnected', { ...e, code: 1006, closeReason: '' }));
    s.on('closed', ({ error }) => {
      this.#closed = true;
      if (error) {
        this.#fail(error);
        g3.done.reject(error);
      } else {
        g3.done.resolve();
      }
      this.emit('closed', { error });
    });
    this.#fanout.start(g3.commands(s));
  }

  /** The session events both protocols pass on unchanged. */
  #forward(s: SeplSession | G3Session): void {
    const session = s as SeplSession;
    session.on('connecting', (e) => this.emit('connecting', e));
    session.on('connected', (e) => this.emit('connected', e));
    session.on('reconnecting', (e) => this.emit('reconnecting', e));
    session.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else this.#options.logger.warn('background error', { name: err.name, message: err.message });
    });
  }

  #ready(info: ReadyInfo): void {
    this.#first ??= info;
    this.#emitGuarded('ready', info);
  }

  #fail(error: Error): void {
    // the session reported it on 'error' right before 'closed'
    this.#options.logger.error('stopped', { name: error.name, message: error.message });
    this.#fanout.fail(error);
  }

  /** Emits to user listeners; one that throws is reported as an 'error' instead of breaking the session. */
  #emitGuarded<K extends 'command' | 'ready'>(event: K, ...args: SeplConnectorEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: SeplConnectorEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(`a '${event}' listener threw: ${String(err)}`);
      (this.#g3 ?? (this.#ws as WebsocketBackend).session).notify(error);
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
    return (this.#g3 ?? (this.#ws as WebsocketBackend)).unlink(deviceId, what, call);
  }
}
