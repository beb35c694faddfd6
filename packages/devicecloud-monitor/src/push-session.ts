/**
 * One TCP/TLS push session for one monitor: connect, authenticate, decode PublishMessages into typed
 * batches, deliver them through an async iterator or a handler, acknowledge after the consumer is
 * done, and reconnect with exponential backoff + jitter until `stop()` or a fatal error.
 */
import { EventEmitter } from 'node:events';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  PushAuthenticationError,
  PushConnectionError,
  PushHandlerError,
  PushProtocolError,
  isPushAuthenticationError,
  isPushConnectionError,
} from './errors.js';
import type { MonitorEvent } from './events.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  MessageType,
  PUSH_PLAIN_PORT,
  PUSH_TLS_PORT,
  STATUS_OK,
  encodeAck,
  encodeConnectionRequest,
  parseConnectionResponse,
  parsePublishMessage,
  type Compression,
  type Format,
} from './frame.js';
import { DEFAULT_MAX_INFLATED_BYTES, decodeDocument } from './payload.js';
import { createBackoff, type Backoff, type Logger } from '@x/http-core';

/** Reconnect delays: `min(initial · factor^(n−1), max)` with jitter. */
export interface ReconnectOptions {
  /** First delay before jitter (default 1000 ms). */
  initialDelayInMs?: number;
  /** Cap (default 60 000 ms). */
  maxDelayInMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** `full`: uniform [0, d); `equal`: d/2 + uniform [0, d/2); `none`: d (default `full`). */
  jitter?: 'full' | 'equal' | 'none';
}

/** One PublishMessage, decoded. */
export interface PushBatch {
  monitorId: number;
  /** Rotating u16 id; unique only together with `connection`. */
  blockId: number;
  /** Which connection (1, 2, …) of this session delivered the block. */
  connection: number;
  /** The count the server declared for the block (`events` can hold fewer with `replayUnacknowledged`). */
  count: number;
  compression: Compression;
  format: Format;
  events: MonitorEvent[];
  /** True when any event in the block is a replay. */
  replay: boolean;
}

export type PushHandler = (batch: PushBatch) => void | Promise<void>;

export interface PushSessionOptions {
  /** Push host (the REST host). */
  host: string;
  /** Default 3201 with TLS, 3200 without. */
  port?: number;
  /** TLS with certificate and host-name verification (default true). `false` is plain TCP, debugging only. */
  secure?: boolean;
  /** Trusted CA certificate(s) in PEM, replacing the system store (for private or test CAs). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** TLS server name (SNI and host-name check); default `host`. */
  servername?: string;
  username: string;
  password: string;
  monitorId: number;
  /** Send the 10-byte PublishMessageReceived once a batch was handled (default true; harmless for `off` monitors). */
  acknowledge?: boolean;
  /**
   * Set it when the monitor has `ackOption: 'explicit'` and `autoReplayOnConnect: true`: the server
   * then replays every block this session did not acknowledge. Batches still buffered from a lost
   * connection are dropped rather than delivered (they arrive once, flagged `replay`, after the
   * reconnect), and the replayed copies of a batch that was handled after its connection died are
   * removed (a block left empty is acknowledged without delivery), so nothing arrives twice.
   * Leave it off (default) for other monitors, or buffered batches are lost.
   */
  replayUnacknowledged?: boolean;
  /** Callback face: called for each batch in order; the ack is sent after its promise resolves. */
  handler?: PushHandler;
  /** Decoded batches buffered before the socket is paused (default 4). */
  highWaterMark?: number;
  /** Largest accepted frame (default 64 MiB). */
  maxFrameBytes?: number;
  /** Largest accepted (inflated) document (default 64 MiB). */
  maxInflatedBytes?: number;
  /** TCP connect + TLS handshake + ConnectionResponse (default 30 000 ms). */
  connectTimeoutInMs?: number;
  /** TCP keep-alive initial delay (default 60 000 ms). */
  keepAliveInitialDelayInMs?: number;
  /** Reconnect when nothing arrived for this long (default 0 = off; pair it with auto replay). */
  idleTimeoutInMs?: number;
  /** Reconnect backoff, or `false` to end the session on the first disconnect. */
  reconnect?: ReconnectOptions | false;
  /** Uniform [0, 1) source for the jitter (tests). */
  random?: () => number;
  /** Aborting stops the session (like `stop()`). */
  signal?: AbortSignal;
  /**
   * Hears about errors when nobody listens for `error`: non-fatal ones (skipped block, failed handler,
   * lost stream being re-established) at `warn`, the one that ends the session at `error`. Without a
   * logger, non-fatal errors become process warnings (`process.emitWarning`).
   */
  logger?: Logger;
}

export type PushSessionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopping' | 'closed';

interface Connection {
  id: number;
  socket: Socket;
  decoder: FrameDecoder;
  handshake: boolean;
  paused: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  closeError: Error | undefined;
}

interface Waiter {
  resolve: (value: IteratorResult<PushBatch>) => void;
  reject: (err: unknown) => void;
}

const TLS_VERIFY_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** What identifies an event across a replay (everything but the `replay` flag). */
function eventKey(e: MonitorEvent): string {
  return JSON.stringify([e.type, e.topic, e.operation, e.timestamp, e.group, e.payload]);
}

function checkPositiveInt(value: number | undefined, name: string, min = 1): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new RangeError(`${name} must be an integer >= ${min}`);
}

/**
 * A push session. Use it as `for await (const batch of session)`, or pass `handler`; listen to
 * `connected`, `reconnecting`, `disconnected`, `error` and `close`.
 *
 * Errors never crash the process and a transient one never ends the session: a skipped block, a
 * failed handler or a lost stream go to `error` listeners, else to `logger.warn`, else become a
 * process warning, and the session keeps streaming (reconnecting when needed). Only a fatal error
 * (refused ConnectionResponse, TLS verification, `reconnect: false`) ends it: `start()` and `done`
 * reject with it, the iterator throws it, and `error` listeners (else `logger.error`) hear it.
 */
export class PushSession extends EventEmitter implements AsyncIterable<PushBatch> {
  readonly monitorId: number;
  private readonly opts: Required<
    Pick<PushSessionOptions, 'host' | 'port' | 'secure' | 'acknowledge' | 'highWaterMark' | 'maxFrameBytes' | 'maxInflatedBytes' | 'connectTimeoutInMs' | 'keepAliveInitialDelayInMs' | 'idleTimeoutInMs'>
  > &
    PushSessionOptions;
  private readonly backoff: Backoff | undefined;
  private _state: PushSessionState = 'idle';
  private conn: Connection | undefined;
  private connections = 0;
  private readonly queue: PushBatch[] = [];
  private waiter: Waiter | undefined;
  /** Handed to the consumer, not yet finished (ack pending). */
  private outstanding: PushBatch | undefined;
  /** Events handled after their connection died, by identity, awaiting their replay (`replayUnacknowledged`). */
  private handledUnacked: Map<string, number> | undefined;
  private failure: Error | undefined;
  private iterating = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private wakeReconnect: (() => void) | undefined;
  private drainedWaiters: Array<() => void> = [];
  private started: Promise<void> | undefined;
  private readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: unknown) => void;
  private firstConnect: { resolve: () => void; reject: (err: unknown) => void } | undefined;

  constructor(options: PushSessionOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    if (typeof options.host !== 'string' || options.host === '') throw new TypeError('host must be a non-empty string');
    if (typeof options.username !== 'string') throw new TypeError('username must be a string');
    if (typeof options.password !== 'string') throw new TypeError('password must be a string');
    if (!Number.isInteger(options.monitorId) || options.monitorId < 0 || options.monitorId > 0xffffffff) {
      throw new RangeError('monitorId must be an integer 0..4294967295');
    }
    if (options.handler !== undefined && typeof options.handler !== 'function') throw new TypeError('handler must be a function');
    const secure = options.secure ?? true;
    checkPositiveInt(options.port, 'port');
    if (options.port !== undefined && options.port > 65535) throw new RangeError('port must be an integer 1..65535');
    checkPositiveInt(options.highWaterMark, 'highWaterMark');
    checkPositiveInt(options.maxFrameBytes, 'maxFrameBytes', 10);
    checkPositiveInt(options.maxInflatedBytes, 'maxInflatedBytes');
    checkPositiveInt(options.connectTimeoutInMs, 'connectTimeoutInMs');
    checkPositiveInt(options.keepAliveInitialDelayInMs, 'keepAliveInitialDelayInMs', 0);
    checkPositiveInt(options.idleTimeoutInMs, 'idleTimeoutInMs', 0);
    this.opts = {
      ...options,
      port: options.port ?? (secure ? PUSH_TLS_PORT : PUSH_PLAIN_PORT),
      secure,
      acknowledge: options.acknowledge ?? true,
      highWaterMark: options.highWaterMark ?? 4,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      maxInflatedBytes: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
      connectTimeoutInMs: options.connectTimeoutInMs ?? 30_000,
      keepAliveInitialDelayInMs: options.keepAliveInitialDelayInMs ?? 60_000,
      idleTimeoutInMs: options.idleTimeoutInMs ?? 0,
    };
    this.monitorId = options.monitorId;
    this.backoff =
      options.reconnect === false
        ? undefined
        : createBackoff({ initialDelayInMs: 1000, maxDelayInMs: 60_000, ...options.reconnect, random: options.random ?? Math.random });
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    // `done` is for whoever wants it; an unobserved rejection must not crash the process.
    this.finished.catch(() => undefined);
    if (options.signal) {
      if (options.signal.aborted) {
        this._state = 'closed';
        this.resolveFinished();
      } else options.signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
  }

  get state(): PushSessionState {
    return this._state;
  }

  /** Resolves when the session ends normally; rejects with the error that ended it. */
  get done(): Promise<void> {
    return this.finished;
  }

  /**
   * Connects (once). Resolves after the first accepted ConnectionResponse; rejects on a fatal error
   * (refused credentials, TLS verification) or when stopped first. Transient failures are retried.
   */
  start(): Promise<void> {
    if (this.started) return this.started;
    this.started = new Promise<void>((resolve, reject) => {
      this.firstConnect = { resolve, reject };
    });
    this.started.catch(() => undefined);
    if (this._state === 'closed') {
      this.firstConnect?.reject(new PushConnectionError('STOPPED', 'push session was stopped before it connected'));
      return this.started;
    }
    if (this.opts.handler) void this.pump(this.opts.handler);
    void this.run();
    return this.started;
  }

  /**
   * Graceful stop: no new blocks are read, buffered batches are still delivered and acknowledged,
   * then the socket is closed. After `timeoutInMs` (default 10 000) the rest is dropped.
   */
  async stop(options: { timeoutInMs?: number } = {}): Promise<void> {
    if (this._state === 'closed') return;
    if (this._state === 'stopping') return this.finished.catch(() => undefined);
    const started = this.started !== undefined;
    this._state = 'stopping';
    this.firstConnect?.reject(new PushConnectionError('STOPPED', 'push session was stopped before it connected'));
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.wakeReconnect?.();
    const conn = this.conn;
    if (conn) {
      this.clearIdle(conn);
      conn.socket.pause();
      conn.paused = true;
    }
    if (started) {
      const timeoutInMs = options.timeoutInMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.drained(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutInMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<PushBatch> {
    if (this.iterating) throw new Error('a push session can be iterated by one consumer at a time');
    if (this.opts.handler) throw new Error('this push session delivers to its handler; it cannot also be iterated');
    this.iterating = true;
    void this.start();
    return {
      next: () => {
        this.finishOutstanding(true);
        return this.pull();
      },
      return: async () => {
        // The consumer left the loop (break, return or a throw, which look alike here): the batch it
        // held is not acknowledged (a failed body must not confirm a block), nor is anything it did
        // not take; a persistent monitor replays them.
        this.finishOutstanding(false);
        this.queue.length = 0;
        await this.stop();
        return { done: true, value: undefined };
      },
    };
  }

  /** The events of every batch, one by one (a block is acknowledged once all its events were consumed). */
  async *events(): AsyncGenerator<MonitorEvent, void, undefined> {
    for await (const batch of this) yield* batch.events;
  }

  // ---------------------------------------------------------------- delivery

  private pull(): Promise<IteratorResult<PushBatch>> {
    for (let batch = this.queue.shift(); batch; batch = this.queue.shift()) {
      this.maybeResume();
      if (!this.withoutHandled(batch)) continue;
      this.outstanding = batch;
      return Promise.resolve({ done: false, value: batch });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this._state === 'closed' || (this._state === 'stopping' && !this.outstanding)) {
      this.notifyDrained();
      return Promise.resolve({ done: true, value: undefined });
    }
    this.notifyDrained();
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private deliver(batch: PushBatch): void {
    const waiter = this.waiter;
    if (waiter) {
      if (!this.withoutHandled(batch)) return;
      this.waiter = undefined;
      this.outstanding = batch;
      waiter.resolve({ done: false, value: batch });
    } else {
      this.queue.push(batch);
    }
  }

  /** The consumer is done with the outstanding batch: acknowledge it (or not). */
  private finishOutstanding(ok: boolean): void {
    const batch = this.outstanding;
    if (!batch) return;
    this.outstanding = undefined;
    if (ok) this.acknowledge(batch);
  }

  private acknowledge(batch: PushBatch): void {
    if (!this.opts.acknowledge) return;
    const conn = this.conn;
    // Only the connection that delivered a block may acknowledge it; after a reconnect the server replays.
    if (conn && conn.id === batch.connection && !conn.socket.destroyed && conn.socket.writable) {
      conn.socket.write(encodeAck(batch.blockId, STATUS_OK));
    } else if (this.opts.replayUnacknowledged) {
      // Handled, but its connection is gone: the server will replay these events; remember them once.
      const seen = (this.handledUnacked ??= new Map());
      for (const e of batch.events) seen.set(eventKey(e), (seen.get(eventKey(e)) ?? 0) + 1);
    }
  }

  /**
   * Drops replayed events that were already handled on a lost connection (see `replayUnacknowledged`).
   * Returns false when nothing is left: the block is then acknowledged without being delivered.
   */
  private withoutHandled(batch: PushBatch): boolean {
    const seen = this.handledUnacked;
    if (!seen) return true;
    if (!batch.replay) {
      this.handledUnacked = undefined; // replays come before live events: nothing more to match
      return true;
    }
    batch.events = batch.events.filter((e) => {
      const key = eventKey(e);
      const n = e.replay ? seen.get(key) : undefined;
      if (n === undefined) return true;
      if (n > 1) seen.set(key, n - 1);
      else seen.delete(key);
      return false;
    });
    if (seen.size === 0) this.handledUnacked = undefined;
    if (batch.events.length > 0) return true;
    this.acknowledge(batch);
    return false;
  }

  private async pump(handler: PushHandler): Promise<void> {
    for (;;) {
      let result: IteratorResult<PushBatch>;
      try {
        result = await this.pull();
      } catch {
        return; // the failure is reported through `done` and the error event
      }
      if (result.done) return;
      const batch = result.value;
      try {
        await handler(batch);
        this.finishOutstanding(true);
      } catch (err) {
        this.finishOutstanding(false);
        this.report(new PushHandlerError(batch.blockId, err));
      }
    }
  }

  private maybeResume(): void {
    const conn = this.conn;
    if (!conn || !conn.paused || this._state === 'stopping' || this.queue.length >= this.opts.highWaterMark) return;
    conn.paused = false;
    this.drainDecoder(conn);
    if (!conn.paused && !conn.socket.destroyed) {
      conn.socket.resume();
      this.armIdle(conn);
    }
  }

  /** Forgets the batches a lost connection buffered (the server replays them). */
  private dropBuffered(connection: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]?.connection === connection) this.queue.splice(i, 1);
    this.notifyDrained();
  }

  private drained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  private isDrained(): boolean {
    return this.queue.length === 0 && !this.outstanding;
  }

  private notifyDrained(): void {
    if (!this.isDrained()) return;
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const w of waiters) w();
  }

  // ---------------------------------------------------------------- errors

  /**
   * Reports an error that does not end the session: a long-running client must not die from a
   * transient error just because nobody listens for `error`.
   */
  private report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else if (this.opts.logger) this.log('warn', err);
    else process.emitWarning(err instanceof Error ? err : new Error(String(err)));
  }

  /** Ends the session with an error (also rejects `start()`/`done` and is thrown to the iterator). */
  private fail(err: unknown): void {
    if (this._state === 'closed') return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else if (this.opts.logger) this.log('error', err);
    this.firstConnect?.reject(err);
    this.close(err);
  }

  /** Name, code and message only (no raw bytes, never credentials). */
  private log(level: 'warn' | 'error', err: unknown): void {
    const e: Error & { code?: unknown } = err instanceof Error ? err : new Error(String(err));
    this.opts.logger?.[level](`push session of monitor ${this.monitorId}: ${e.message}`, {
      monitorId: this.monitorId,
      error: e.name,
      code: typeof e.code === 'string' ? e.code : undefined,
    });
  }

  private close(err?: unknown): void {
    if (this._state === 'closed') return;
    this._state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.wakeReconnect?.();
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      this.clearIdle(conn);
      conn.socket.destroySoon(); // flushes pending acks, then closes
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      if (err !== undefined) waiter.reject(err);
      else waiter.resolve({ done: true, value: undefined });
    }
    if (err === undefined) this.queue.length = 0;
    this.notifyDrained();
    for (const w of this.drainedWaiters.splice(0)) w();
    if (err !== undefined) this.rejectFinished(err);
    else this.resolveFinished();
    this.emit('close');
  }

  // ---------------------------------------------------------------- connection loop

  private async run(): Promise<void> {
    while (!this.ending()) {
      const error = await this.connectAndStream();
      if (this.ending()) return;
      if (isPushAuthenticationError(error) || (isPushConnectionError(error) && error.fatal)) {
        this.fail(error);
        return;
      }
      this.emit('disconnected', error);
      if (!this.backoff) {
        this.fail(error);
        return;
      }
      const delayInMs = this.backoff.next();
      this._state = 'reconnecting';
      this.emit('reconnecting', { attempt: this.backoff.attempt, delayInMs, error });
      await new Promise<void>((resolve) => {
        this.wakeReconnect = resolve;
        this.reconnectTimer = setTimeout(resolve, delayInMs);
      });
      this.wakeReconnect = undefined;
      this.reconnectTimer = undefined;
    }
  }

  private ending(): boolean {
    return this._state === 'closed' || this._state === 'stopping';
  }

  /** One connection: resolves with the error that ended it (never rejects). */
  private connectAndStream(): Promise<Error> {
    this._state = 'connecting';
    return new Promise<Error>((resolve) => {
      const { host, port, secure } = this.opts;
      const socket = secure
        ? tlsConnect({
            host,
            port,
            // SNI must not carry an IP address (RFC 6066); the certificate check still uses `host`.
            ...(this.opts.servername !== undefined || isIP(host) === 0 ? { servername: this.opts.servername ?? host } : {}),
            ca: this.opts.ca,
            rejectUnauthorized: true,
          })
        : netConnect({ host, port });
      const conn: Connection = {
        id: this.connections + 1,
        socket,
        decoder: new FrameDecoder({ maxFrameBytes: this.opts.maxFrameBytes }),
        handshake: true,
        paused: false,
        idleTimer: undefined,
        closeError: undefined,
      };
      this.conn = conn;
      const connectTimer = setTimeout(() => {
        conn.closeError ??= new PushConnectionError('CONNECT_TIMEOUT', `no ConnectionResponse within ${this.opts.connectTimeoutInMs} ms`);
        socket.destroy();
      }, this.opts.connectTimeoutInMs);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, this.opts.keepAliveInitialDelayInMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        socket.write(encodeConnectionRequest({ username: this.opts.username, password: this.opts.password, monitorId: this.monitorId }));
      });
      socket.on('data', (chunk: Buffer) => {
        if (conn.handshake === false) this.armIdle(conn);
        conn.decoder.push(chunk);
        this.drainDecoder(conn, () => {
          clearTimeout(connectTimer);
          this.connections = conn.id;
          this._state = 'connected';
          this.backoff?.reset();
          this.armIdle(conn);
          this.emit('connected', { connection: conn.id, monitorId: this.monitorId });
          this.firstConnect?.resolve();
          this.firstConnect = undefined;
        });
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? 'SOCKET_ERROR';
        conn.closeError ??= TLS_VERIFY_CODES.has(code)
          ? new PushConnectionError('TLS_VERIFICATION_FAILED', `TLS verification of ${host} failed (${code})`, { cause: err, fatal: true })
          : new PushConnectionError(code, `push connection to ${host}:${port} failed (${code})`, { cause: err });
      });
      socket.on('close', () => {
        clearTimeout(connectTimer);
        this.clearIdle(conn);
        if (this.conn === conn) this.conn = undefined;
        if (this.opts.replayUnacknowledged) this.dropBuffered(conn.id);
        resolve(conn.closeError ?? new PushConnectionError('CONNECTION_CLOSED', 'push server closed the connection'));
      });
    });
  }

  private drainDecoder(conn: Connection, onAccepted?: () => void): void {
    try {
      for (;;) {
        if (this._state === 'stopping' || this._state === 'closed') return;
        if (!conn.handshake && this.queue.length >= this.opts.highWaterMark) {
          // Backpressure: stop reading until the consumer catches up. A paused socket is not idle,
          // even when a chunk read before the pause re-armed the watchdog.
          this.clearIdle(conn);
          if (!conn.paused) {
            conn.paused = true;
            conn.socket.pause();
          }
          return;
        }
        const frame = conn.decoder.next();
        if (!frame) return;
        if (conn.handshake) {
          if (frame.type !== MessageType.ConnectionResponse) {
            throw new PushProtocolError('UNEXPECTED_MESSAGE', `expected ConnectionResponse, got message type ${frame.type}`, frame.payload);
          }
          const { status } = parseConnectionResponse(frame.payload);
          if (status !== STATUS_OK) {
            conn.closeError = new PushAuthenticationError(status, this.monitorId);
            conn.socket.destroy();
            return;
          }
          conn.handshake = false;
          onAccepted?.();
          continue;
        }
        if (frame.type !== MessageType.PublishMessage) continue; // unknown types are skipped by their length
        this.handlePublish(conn, frame.payload);
      }
    } catch (err) {
      // Framing is lost (or the handshake is wrong): drop the connection and let the loop reconnect.
      conn.closeError = err as Error;
      this.report(err);
      conn.socket.destroy();
    }
  }

  private handlePublish(conn: Connection, payload: Buffer): void {
    const msg = parsePublishMessage(payload);
    let events: MonitorEvent[];
    try {
      events = decodeDocument(msg.data, msg.compression, msg.format, this.opts.maxInflatedBytes);
    } catch (err) {
      // The frame boundary is intact: skip this block (not acknowledged) and keep the connection.
      this.report(err);
      return;
    }
    this.deliver({
      monitorId: this.monitorId,
      blockId: msg.blockId,
      connection: conn.id,
      count: msg.count,
      compression: msg.compression,
      format: msg.format,
      events,
      replay: events.some((e) => e.replay),
    });
  }

  private armIdle(conn: Connection): void {
    const ms = this.opts.idleTimeoutInMs;
    if (ms <= 0 || this._state === 'stopping' || this._state === 'closed') return;
    if (conn.idleTimer) conn.idleTimer.refresh();
    else {
      conn.idleTimer = setTimeout(() => {
        conn.closeError ??= new PushConnectionError('IDLE_TIMEOUT', `no data from the push server for ${ms} ms`);
        conn.socket.destroy();
      }, ms);
    }
  }

  private clearIdle(conn: Connection): void {
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    conn.idleTimer = undefined;
  }
}

/** Creates a session and starts it. */
export function createPushSession(options: PushSessionOptions): PushSession {
  const session = new PushSession(options);
  void session.start();
  return session;
}
