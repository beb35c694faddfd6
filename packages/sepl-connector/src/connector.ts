import { EventEmitter } from 'node:events';
import { createBackoff, createHttpClient, sleep, silentLogger, systemClock, type Backoff, type Clock, type HttpClient, type JitterMode, type Logger } from '@x/http-core';
import { normalizeParts, responsePayload, type ProtocolPartsInput, type SeplCommand } from './command.js';
import { CommandStream } from './command-stream.js';
import { checkHttpUrl, checkRegistrationPath, checkWebsocketUrl } from './config.js';
import { gatewayHash, tagStrings, validateDevice, type SeplDevice } from './device.js';
import { SeplAuthError, SeplNotConnectedError, SeplUnsupportedError, isSeplNotConnectedError, isSeplRequestError, isSeplTimeoutError, type SeplProtocolError } from './errors.js';
import { g1EventMessage, g1RegistrationBody } from './g1-frames.js';
import { G1Session } from './g1-session.js';
import { resolveHandlers, type HandlerNames } from './g2-frames.js';
import { G2Session } from './g2-session.js';
import { MemoryDeviceStore } from './memory-store.js';
import { HeartbeatSocket } from './socket.js';
import type { DeviceStore } from './store.js';
import { USER_AGENT } from './version.js';

export type SeplProtocol = 'g1' | 'g2';
export type ConnectorState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

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

export interface SeplConnectorOptions {
  protocol?: SeplProtocol;
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
  lookupRetryDelayInMs?: number;
  httpTimeoutInMs?: number;
  /**
   * Commands buffered per iterator (and for the first iterator, before anyone iterates) before
   * the connector stops reading the socket until the application takes some. Default 10 000.
   * Nothing is dropped. Reading goes on while a request (event, respond, device change) waits
   * for its answer, so the buffers can exceed the limit by what arrives meanwhile.
   */
  maxBufferedCommands?: number;
  logger?: Logger;
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Jitter source. */
  random?: () => number;
  /** Timers and time (an `@x/http-core` Clock; tests pass a fake one). */
  clock?: Clock;
}

export interface ReadyInfo {
  protocol: SeplProtocol;
  /** G2 gateway id (undefined for G1). */
  gatewayId: string | undefined;
  /** Gateway hash after the sync (G2) or of the registered devices (G1). */
  hash: string;
  /** True when the platform was reset (`clear` + `put` + `commit`) or the devices re-registered. */
  resynced: boolean;
  /** Websocket URL in use. */
  url: string;
}

export interface ReconnectingInfo {
  attempt: number;
  delayInMs: number;
  error: Error | undefined;
}

export interface SeplConnectorEvents {
  ready: [ReadyInfo];
  command: [SeplCommand];
  reconnecting: [ReconnectingInfo];
  disconnected: [{ code: number; reason: string }];
  error: [Error];
  closed: [];
}

type Session = { kind: 'g1'; session: G1Session; url: URL } | { kind: 'g2'; session: G2Session; url: URL };

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0`);
  return value;
}

/**
 * A gateway on the SEPL platform. It connects, keeps the platform's view of the devices in
 * sync, delivers commands (async iterator and `'command'` event), sends events and responses,
 * and reconnects with backoff until `close()` or a credential rejection.
 */
export class SeplConnector extends EventEmitter<SeplConnectorEvents> {
  readonly protocol: SeplProtocol;
  readonly store: DeviceStore;
  readonly #user: string;
  readonly #password: string;
  readonly #url: URL | undefined;
  readonly #lookupUrl: URL | undefined;
  readonly #registrationPath: string;
  readonly #registrationBase: 'websocket' | 'lookup';
  readonly #https: boolean;
  readonly #handlers: HandlerNames;
  readonly #requestTimeoutInMs: number;
  readonly #handshakeTimeoutInMs: number;
  readonly #pingAfterInMs: number;
  readonly #pongTimeoutInMs: number;
  readonly #lookupRetryDelayInMs: number;
  readonly #maxBuffered: number;
  readonly #backoff: Backoff;
  readonly #http: HttpClient;
  readonly #logger: Logger;
  readonly #tls: SeplConnectorOptions['tls'];
  readonly #clock: Clock;
  readonly #streams = new Set<CommandStream>();
  readonly #unclaimed: SeplCommand[] = [];
  readonly #closing = new AbortController();
  #state: ConnectorState = 'idle';
  #session: Session | undefined;
  #ready: Session | undefined;
  #gatewayId: string | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #started: Promise<ReadyInfo> | undefined;
  #settleStart: { resolve(info: ReadyInfo): void; reject(err: Error): void } | undefined;
  #loop: Promise<void> | undefined;
  #fatal: Error | undefined;
  /** Devices deleted while offline, their platform `delete` not confirmed yet (loaded from the store). */
  #pendingDeletions: string[] | undefined;

  constructor(options: SeplConnectorOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    this.protocol = options.protocol ?? 'g2';
    if (this.protocol !== 'g1' && this.protocol !== 'g2') throw new RangeError("options.protocol must be 'g1' or 'g2'");
    if (typeof options.user !== 'string' || options.user === '') throw new TypeError('options.user must be a non-empty string');
    if (typeof options.password !== 'string') throw new TypeError('options.password must be a string');
    this.#user = options.user;
    this.#password = options.password;
    this.#https = options.https ?? false;
    if (typeof this.#https !== 'boolean') throw new TypeError('options.https must be a boolean');
    if (options.url !== undefined) this.#url = checkWebsocketUrl(options.url, 'options.url');
    if (options.lookupUrl !== undefined) this.#lookupUrl = checkHttpUrl(options.lookupUrl, 'options.lookupUrl');
    if (this.#url === undefined && this.#lookupUrl === undefined) {
      throw new TypeError('options.url or options.lookupUrl (CONNECTOR_LOOKUP_URL) is required');
    }
    if (this.protocol === 'g1' && this.#lookupUrl === undefined && options.registrationBase === 'lookup') {
      throw new TypeError("options.lookupUrl is required with registrationBase 'lookup'");
    }
    this.#registrationPath = checkRegistrationPath(options.registrationPath ?? 'discovery', 'options.registrationPath');
    this.#registrationBase = options.registrationBase ?? 'websocket';
    if (this.#registrationBase !== 'websocket' && this.#registrationBase !== 'lookup') {
      throw new RangeError("options.registrationBase must be 'websocket' or 'lookup'");
    }
    this.#handlers = resolveHandlers(options.handlers);
    this.#requestTimeoutInMs = positive(options.requestTimeoutInMs, 10_000, 'options.requestTimeoutInMs');
    this.#handshakeTimeoutInMs = positive(options.handshakeTimeoutInMs, 20_000, 'options.handshakeTimeoutInMs');
    this.#pingAfterInMs = positive(options.pingAfterInMs, 15_000, 'options.pingAfterInMs');
    this.#pongTimeoutInMs = positive(options.pongTimeoutInMs, 15_000, 'options.pongTimeoutInMs');
    this.#lookupRetryDelayInMs = positive(options.lookupRetryDelayInMs, 10_000, 'options.lookupRetryDelayInMs');
    this.#maxBuffered = positive(options.maxBufferedCommands, 10_000, 'options.maxBufferedCommands');
    if (!Number.isInteger(this.#maxBuffered)) throw new RangeError('options.maxBufferedCommands must be a whole number > 0');
    const reconnect = options.reconnect ?? {};
    const factor = reconnect.factor ?? 2;
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) throw new RangeError('options.reconnect.factor must be a number >= 1');
    const jitter = reconnect.jitter ?? 'none';
    if (jitter !== 'none' && jitter !== 'full' && jitter !== 'equal') throw new RangeError("options.reconnect.jitter must be 'none', 'full' or 'equal'");
    const random = options.random ?? Math.random;
    if (typeof random !== 'function') throw new TypeError('options.random must be a function');
    this.#backoff = createBackoff({
      initialDelayInMs: positive(reconnect.initialDelayInMs, 30_000, 'options.reconnect.initialDelayInMs'),
      maxDelayInMs: positive(reconnect.maxDelayInMs, 300_000, 'options.reconnect.maxDelayInMs'),
      factor,
      jitter,
      random,
    });
    this.store = options.store ?? new MemoryDeviceStore();
    this.#logger = options.logger ?? silentLogger;
    this.#tls = options.tls;
    this.#clock = options.clock ?? systemClock;
    this.#http = createHttpClient({
      userAgent: USER_AGENT,
      timeoutInMs: positive(options.httpTimeoutInMs, 10_000, 'options.httpTimeoutInMs'),
      retry: false,
      logger: this.#logger,
      redact: { bodyKeys: ['pw', 'password'] },
      ...(options.tls ? { tls: options.tls } : {}),
    });
  }

  get state(): ConnectorState {
    return this.#state;
  }

  /** The G2 gateway id of the current (or last) session. */
  get gatewayId(): string | undefined {
    return this.#gatewayId;
  }

  /**
   * Connects and resolves on the first ready session. Rejects with SeplAuthError when the
   * credentials are rejected, or SeplNotConnectedError when `close()` comes first. Calling it
   * again returns the same promise.
   */
  start(): Promise<ReadyInfo> {
    if (this.#started) return this.#started;
    if (this.#state === 'closed') return Promise.reject(new SeplNotConnectedError('the connector is closed'));
    this.#started = new Promise((resolve, reject) => {
      this.#settleStart = { resolve, reject };
    });
    this.#loop = this.#run();
    return this.#started;
  }

  /** Adds (or replaces) a device locally, then on the platform when connected. */
  async add(device: SeplDevice): Promise<void> {
    validateDevice(device);
    return this.#mutate(async () => {
      await this.store.add(device);
      await this.#unqueueDeletion(device.id);
      await this.#pushDevice(device);
    });
  }

  /** Updates a device (name, type, tags) locally, then on the platform when connected. */
  async update(device: SeplDevice): Promise<void> {
    validateDevice(device);
    return this.#mutate(async () => {
      await this.store.update(device);
      await this.#unqueueDeletion(device.id);
      await this.#pushDevice(device);
    });
  }

  /** Stops command delivery for a device and forgets it locally (G2 `disconnect` + `commit`). */
  disconnect(deviceId: string): Promise<void> {
    return this.#unlink(deviceId, 'disconnect');
  }

  /**
   * Deletes a device from the platform and forgets it locally (G2 `delete` + `commit`). Offline,
   * or when the platform's answer does not come, the deletion is queued (in the store when it
   * supports it) and sent after the next handshake, before the device sync.
   */
  delete(deviceId: string): Promise<void> {
    return this.#unlink(deviceId, 'delete');
  }

  /** Sends a reading of a device's service. G2 waits for the platform's acknowledgement. */
  async event(deviceId: string, serviceUri: string, parts: ProtocolPartsInput): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    if (typeof serviceUri !== 'string' || serviceUri === '') throw new TypeError('serviceUri must be a non-empty string');
    const value = normalizeParts(parts) ?? [];
    const ready = this.#requireReady();
    if (ready.kind === 'g2') {
      await ready.session.request(this.#handlers.event, { device_uri: deviceId, service_uri: serviceUri, value }, this.#requestTimeoutInMs);
    } else {
      await ready.session.send(g1EventMessage(deviceId, serviceUri, value, this.#clock.now() / 1000));
    }
  }

  /** Answers a command: the command echoed with `protocol_parts` replaced. */
  async respond(command: SeplCommand, parts: ProtocolPartsInput | null): Promise<void> {
    const payload = responsePayload(command, parts);
    const ready = this.#requireReady();
    if (ready.kind === 'g2') await ready.session.request(this.#handlers.response, payload, this.#requestTimeoutInMs);
    else await ready.session.send(payload);
  }

  /**
   * Commands as an async iterator. Each iterator gets every command from its creation on (the
   * first one also gets commands that arrived while nobody listened). It ends on `close()` and
   * throws the fatal error when the connector stops on one.
   */
  commands(): AsyncIterableIterator<SeplCommand> {
    const stream = new CommandStream(
      this.#maxBuffered,
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
    if (this.#state === 'closed') {
      stream.end();
      return stream;
    }
    this.#streams.add(stream);
    for (const command of this.#unclaimed.splice(0)) stream.push(command);
    this.#relieve();
    return stream;
  }

  /** Stops reconnecting, closes the socket, rejects waiting requests and ends the iterators. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#closing.abort(new SeplNotConnectedError('the connector was closed'));
    this.#settleStart?.reject(new SeplNotConnectedError('the connector was closed before it was ready'));
    this.#started?.catch(() => undefined);
    const current = this.#session;
    if (current) await current.session.socket.close(1000, 'closing');
    await this.#loop;
    const late = this.#session;
    if (late) await late.session.socket.close(1000, 'closing');
    for (const stream of [...this.#streams]) stream.end();
    await this.#http.close();
    this.emit('closed');
  }

  // ------------------------------------------------------------------ internals

  #setState(state: ConnectorState): void {
    this.#state = state;
  }

  #reportError(err: Error): void {
    this.#logger.warn('sepl-connector: background error', { name: err.name, message: err.message });
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Emits to user listeners; one that throws is reported as an 'error' instead of breaking the session. */
  #emitGuarded<K extends 'command' | 'ready'>(event: K, ...args: SeplConnectorEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: SeplConnectorEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#reportError(err instanceof Error ? err : new Error(`a '${event}' listener threw: ${String(err)}`));
    }
  }

  #requireReady(): Session {
    if (this.#state !== 'ready' || !this.#ready) throw new SeplNotConnectedError(`the connector is ${this.#state}, not ready`);
    return this.#ready;
  }

  /** Serialises changes of the device set with each other and with the sync after a handshake. */
  #mutate<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work, work);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #pushDevice(device: SeplDevice): Promise<void> {
    const ready = this.#state === 'ready' ? this.#ready : undefined;
    if (!ready) return;
    if (ready.kind === 'g2') {
      await ready.session.request(this.#handlers.put, { uri: device.id, name: device.name, iot_type: device.type, tags: tagStrings(device) }, this.#requestTimeoutInMs);
      await this.#commit(ready.session);
    } else {
      await this.#register(ready.session, ready.url, [device]);
    }
  }

  async #commit(session: G2Session): Promise<string> {
    const hash = gatewayHash(await this.store.list());
    await session.request(this.#handlers.commit, hash, this.#requestTimeoutInMs);
    return hash;
  }

  #unlink(deviceId: string, what: 'disconnect' | 'delete'): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '') return Promise.reject(new TypeError('deviceId must be a non-empty string'));
    if (this.protocol === 'g1') return Promise.reject(new SeplUnsupportedError(`${what} does not exist in the seed protocol (G1)`));
    return this.#mutate(async () => {
      await this.store.remove(deviceId);
      const ready = this.#state === 'ready' ? this.#ready : undefined;
      if (!ready || ready.kind !== 'g2') {
        // a disconnect needs no queue: the sync after the next handshake leaves the device out
        if (what === 'delete') await this.#queueDeletion(deviceId);
        return;
      }
      try {
        await ready.session.request(this.#handlers[what], deviceId, this.#requestTimeoutInMs);
      } catch (err) {
        if (what === 'delete' && (isSeplNotConnectedError(err) || isSeplTimeoutError(err))) await this.#queueDeletion(deviceId);
        throw err;
      }
      await this.#commit(ready.session);
    });
  }

  async #pendingDeletionIds(): Promise<string[]> {
    this.#pendingDeletions ??= [...((await this.store.getPendingDeletions?.()) ?? [])];
    return this.#pendingDeletions;
  }

  async #setPendingDeletions(ids: string[]): Promise<void> {
    this.#pendingDeletions = ids;
    await this.store.setPendingDeletions?.([...ids]);
  }

  async #queueDeletion(deviceId: string): Promise<void> {
    const ids = await this.#pendingDeletionIds();
    if (!ids.includes(deviceId)) await this.#setPendingDeletions([...ids, deviceId]);
    this.#logger.info('sepl-connector: deletion queued until the next handshake', { device: deviceId });
  }

  async #unqueueDeletion(deviceId: string): Promise<void> {
    const ids = await this.#pendingDeletionIds();
    if (ids.includes(deviceId)) await this.#setPendingDeletions(ids.filter((id) => id !== deviceId));
  }

  /**
   * Sends the queued deletions right after the handshake, while the platform still knows the
   * devices of the last commit. A 400 answer means the platform does not know the device (gone
   * already); another status is reported as an 'error'; both end the deletion's retries. No
   * answer fails the session and keeps the deletion queued.
   */
  async #replayDeletions(session: G2Session): Promise<void> {
    for (const id of [...(await this.#pendingDeletionIds())]) {
      try {
        await session.request(this.#handlers.delete, id, this.#requestTimeoutInMs);
      } catch (err) {
        if (!isSeplRequestError(err)) throw err;
        if (err.status === 400) this.#logger.info('sepl-connector: queued deletion of a device the platform does not know', { device: id });
        else this.#reportError(err);
      }
      await this.#unqueueDeletion(id);
    }
  }

  /**
   * Hands a command to the listeners and iterators; never drops one. When a buffer reaches
   * `maxBufferedCommands`, the socket stops being read (backpressure) until the buffers have room,
   * except while a request of ours waits for its answer (which comes on the same socket).
   */
  #deliver(command: SeplCommand, socket: HeartbeatSocket): void {
    const listened = this.listenerCount('command') > 0;
    if (listened) this.#emitGuarded('command', command);
    if (this.#streams.size === 0) {
      if (!listened) this.#unclaimed.push(command);
    } else {
      for (const stream of this.#streams) stream.push(command);
    }
    if (this.#congested() && !socket.pauseRequested) {
      socket.pause();
      this.#logger.warn('sepl-connector: command buffer full; reading paused until the application takes commands', { limit: this.#maxBuffered });
    }
  }

  #congested(): boolean {
    if (this.#unclaimed.length >= this.#maxBuffered) return true;
    for (const stream of this.#streams) if (stream.full) return true;
    return false;
  }

  /** Resumes reading once no buffer is full any more. */
  #relieve(): void {
    const socket = this.#session?.session.socket;
    if (!socket?.pauseRequested || this.#congested()) return;
    socket.resume();
    this.#logger.info('sepl-connector: reading resumed');
  }

  #hooks(socket: HeartbeatSocket) {
    return {
      onCommand: (command: SeplCommand) => this.#deliver(command, socket),
      onProtocolError: (err: SeplProtocolError) => this.#reportError(err),
    };
  }

  async #websocketUrl(): Promise<URL> {
    if (this.#url) return this.#applyHttps(this.#url);
    const lookup = this.#lookupUrl as URL;
    for (;;) {
      try {
        const res = await this.#http.request<string>({ method: 'GET', path: lookup.href, responseType: 'text', signal: this.#closing.signal });
        return this.#applyHttps(checkWebsocketUrl(res.body.trim(), 'the lookup answer'));
      } catch (err) {
        if (this.#closing.signal.aborted) throw err;
        this.#logger.warn('sepl-connector: lookup failed', { message: (err as Error).message });
        this.#reportError(err as Error);
        await sleep(this.#lookupRetryDelayInMs, this.#closing.signal, this.#clock);
      }
    }
  }

  #applyHttps(url: URL): URL {
    const copy = new URL(url.href);
    if (this.#https && copy.protocol === 'ws:') copy.protocol = 'wss:';
    return copy;
  }

  #registrationUrl(websocketUrl: URL): URL {
    const base = new URL(this.#registrationBase === 'lookup' && this.#lookupUrl ? this.#lookupUrl.href : websocketUrl.href);
    const secure = this.#https || base.protocol === 'wss:' || base.protocol === 'https:';
    return new URL(`${secure ? 'https' : 'http'}://${base.host}/${this.#registrationPath}`);
  }

  async #register(session: G1Session, websocketUrl: URL, devices: readonly SeplDevice[]): Promise<void> {
    const res = await this.#http.request({
      method: 'POST',
      path: this.#registrationUrl(websocketUrl).href,
      json: g1RegistrationBody(this.#user, this.#password, devices),
      responseType: 'text',
      okStatus: (status) => status < 300 || status === 401 || status === 403,
      signal: this.#closing.signal,
    });
    if (res.status === 401 || res.status === 403) throw new SeplAuthError(`credentials rejected by the registration endpoint (status ${res.status})`, res.status);
    await session.sendUpdate();
  }

  /** A method, so that TypeScript does not narrow the state across awaits. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #throwIfClosing(): void {
    if (this.#closing.signal.aborted) throw new SeplNotConnectedError('the connector was closed');
  }

  /** Opens one session up to ready. */
  async #open(): Promise<ReadyInfo> {
    const url = await this.#websocketUrl();
    const socket = await HeartbeatSocket.open(url.href, {
      connectTimeoutInMs: this.#handshakeTimeoutInMs,
      pingAfterInMs: this.#pingAfterInMs,
      pongTimeoutInMs: this.#pongTimeoutInMs,
      clock: this.#clock,
      ...(this.#tls ? { tls: this.#tls } : {}),
    }, this.#closing.signal);
    try {
      this.#throwIfClosing();
      if (this.protocol === 'g2') {
        const session = new G2Session(socket, this.#hooks(socket), this.#clock);
        this.#session = { kind: 'g2', session, url };
        const stored = await this.store.getGatewayId();
        const hello = await session.handshake(this.#user, this.#password, stored, this.#handshakeTimeoutInMs);
        this.#gatewayId = hello.gatewayId;
        if (stored !== hello.gatewayId) await this.store.setGatewayId(hello.gatewayId);
        return await this.#mutate(async () => {
          await this.#replayDeletions(session);
          const devices = await this.store.list();
          const local = gatewayHash(devices);
          let resynced = false;
          if (local !== hello.hash || stored !== hello.gatewayId) {
            await session.request(this.#handlers.clear, null, this.#requestTimeoutInMs);
            for (const d of devices) {
              await session.request(this.#handlers.put, { uri: d.id, name: d.name, iot_type: d.type, tags: tagStrings(d) }, this.#requestTimeoutInMs);
            }
            await session.request(this.#handlers.commit, local, this.#requestTimeoutInMs);
            resynced = true;
          }
          this.#throwIfClosing();
          this.#ready = this.#session;
          this.#setState('ready');
          return { protocol: 'g2' as const, gatewayId: hello.gatewayId, hash: local, resynced, url: url.href };
        });
      }
      const session = new G1Session(socket, this.#hooks(socket));
      this.#session = { kind: 'g1', session, url };
      await session.sendCredentials(this.#user, this.#password);
      return await this.#mutate(async () => {
        const devices = await this.store.list();
        // the POST also checks the credentials (G1 never answers the credentials frame)
        await this.#register(session, url, devices);
        this.#throwIfClosing();
        this.#ready = this.#session;
        this.#setState('ready');
        return { protocol: 'g1' as const, gatewayId: undefined, hash: gatewayHash(devices), resynced: true, url: url.href };
      });
    } catch (err) {
      socket.fail(err as Error);
      await socket.ended;
      throw err;
    }
  }

  async #run(): Promise<void> {
    let lastError: Error | undefined;
    while (!this.#isClosed()) {
      this.#setState(this.#backoff.attempt === 0 && !lastError ? 'connecting' : 'reconnecting');
      try {
        const info = await this.#open();
        this.#backoff.reset();
        lastError = undefined;
        this.#logger.info('sepl-connector: ready', { protocol: info.protocol, gatewayId: info.gatewayId, resynced: info.resynced });
        this.#settleStart?.resolve(info);
        this.#emitGuarded('ready', info);
        const end = await (this.#session as Session).session.socket.ended;
        this.#ready = undefined;
        this.#session = undefined;
        if (this.#isClosed()) break;
        this.#setState('reconnecting');
        this.emit('disconnected', { code: end.code, reason: end.reason });
        lastError = end.error ?? new SeplNotConnectedError(`connection closed (${end.code}${end.reason ? ` ${end.reason}` : ''})`);
        if (end.code === 1008) {
          this.#stop(new SeplAuthError(`credentials rejected by the platform${end.reason ? `: ${end.reason.slice(0, 200)}` : ''}`));
          break;
        }
      } catch (err) {
        this.#ready = undefined;
        this.#session = undefined;
        if (this.#isClosed()) break;
        const error = err instanceof Error ? err : new Error(String(err));
        if (error.name === 'SeplAuthError') {
          this.#stop(error);
          break;
        }
        lastError = error;
        this.#reportError(error);
      }
      const delayInMs = this.#backoff.next();
      this.#setState('reconnecting');
      this.#logger.info('sepl-connector: reconnecting', { attempt: this.#backoff.attempt, delayInMs });
      this.emit('reconnecting', { attempt: this.#backoff.attempt, delayInMs, error: lastError });
      try {
        await sleep(delayInMs, this.#closing.signal, this.#clock);
      } catch {
        break;
      }
    }
  }

  /** Stops for good on a fatal error (rejected credentials). */
  #stop(error: Error): void {
    this.#fatal = error;
    this.#setState('closed');
    this.#logger.error('sepl-connector: stopped', { message: error.message });
    this.#settleStart?.reject(error);
    this.#started?.catch(() => undefined);
    this.#reportError(error);
    for (const stream of [...this.#streams]) stream.fail(error);
    this.#closing.abort(error);
    void this.#http.close().catch(() => undefined);
    this.emit('closed');
  }
}
