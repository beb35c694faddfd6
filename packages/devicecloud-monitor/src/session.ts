/**
 * The TCP/TLS push session of one monitor, on the @x/http-core session base: connect and
 * authenticate, decode PublishMessages into typed batches, deliver them through the async iterator
 * or a handler, acknowledge once the consumer is done, reconnect with backoff that only a stable
 * connection resets, end with an error on refused credentials or a failed certificate check.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Session, assertDuration, isFatalByDefault, systemClock, type ConnectAttempt, type ConnectionContext, type DisconnectReason } from '@x/http-core';
import { DedupeWindow } from './dedupe-window.js';
import { PushConnectionError, PushHandlerError, isPushConnectionError } from './errors.js';
import { eventKey } from './event-key.js';
import { KeyedDispatcher } from './keyed-dispatcher.js';
import type { MonitorEvent } from './events.js';
import { MessageType, STATUS_OK, encodeAck, parsePublishMessage } from './frame.js';
import { decodeDocument } from './payload.js';
import { openPushConnection, type PushConnection } from './push-connection.js';
import { ReplayFilter } from './replay-filter.js';
import { resolvePushOptions, type PushBatch, type PushHandler, type PushSessionOptions, type ResolvedPushOptions } from './session-options.js';

/** Extra events: `close` is the deprecated name of `closed` (emitted right after it). */
export interface PushSessionExtraEvents {
  /** @deprecated Listen to `closed`. */
  close: [];
}

/** Which session's handler is running (so that `stop()` from inside it does not wait for itself). */
const handlerScope = new AsyncLocalStorage<DeviceCloudPushSession>();

/**
 * A push session. Use it as `for await (const batch of session)`, or pass `handler`; listen to
 * `connecting`, `connected`, `reconnecting`, `disconnected`, `error` and `closed`.
 *
 * A transient error never ends it: a skipped block, a failed handler or a lost stream go to
 * `error` listeners, else `logger.warn`, else a process warning. A fatal error (refused
 * ConnectionResponse, TLS verification, a disconnect with `reconnect: false`) ends it: `start()` and
 * `done` reject with it, the iterator throws it, `error` listeners (else `logger.error`) hear it.
 */
export class DeviceCloudPushSession extends Session<PushConnection, PushBatch, PushSessionExtraEvents> {
  readonly monitorId: number;
  readonly #opts: ResolvedPushOptions;
  readonly #replay: ReplayFilter;
  /** Keys of handled events, when `dedupeWindow` is on. */
  readonly #dedupe: DedupeWindow | undefined;
  /** Batches that must not be acknowledged (failed handler, `nack()`, dropped from a lost connection). */
  readonly #noAck = new WeakSet<PushBatch>();
  /** Batches acknowledged early by `ack()`. */
  readonly #acked = new WeakSet<PushBatch>();
  #live: { id: number; connection: PushConnection } | undefined;
  #closeRequested = false;
  /** Deprecated graceful `stop()`: deliver what is buffered, read nothing more. */
  #draining = false;
  /** Handlers running now (more than one with `concurrency`). */
  #handlersRunning = 0;
  /** Batches handled concurrently: acknowledged when their handler is done, not when the next one is taken. */
  readonly #deferred = new WeakSet<PushBatch>();
  #onHandlerIdle: (() => void) | undefined;
  #pumping = false;

  constructor(options: PushSessionOptions) {
    const opts = resolvePushOptions(options);
    super(opts.base);
    this.#opts = opts;
    this.monitorId = opts.endpoint.monitorId;
    this.#replay = new ReplayFilter(this.monitorId);
    this.#dedupe = opts.dedupeWindow > 0 ? new DedupeWindow(opts.dedupeWindow) : undefined;
    this.on('closed', () => this.emit('close'));
  }

  /** The push host. */
  get host(): string {
    return this.#opts.endpoint.host;
  }

  get port(): number {
    return this.#opts.endpoint.port;
  }

  /** Whether the connection uses (verified) TLS. */
  get secure(): boolean {
    return this.#opts.endpoint.secure;
  }

  override start(): Promise<void> {
    const handler = this.#opts.handler;
    if (handler && !this.#pumping) {
      this.#pumping = true;
      void this.#pump(handler);
    }
    return super.start();
  }

  override close(): Promise<void> {
    this.#closeRequested = true;
    return super.close();
  }

  /**
   * @deprecated Use `close()`. Graceful stop of the handler face: reads nothing more, lets the
   * handler finish the buffered batches (acknowledged) for up to `timeoutInMs` (default 10 000),
   * then closes. Called from inside the handler, or without a handler, it is `close()`.
   */
  async stop(options: { timeoutInMs?: number } = {}): Promise<void> {
    assertDuration('stop() options.timeoutInMs', options.timeoutInMs);
    if (this.state === 'closed' || this.state === 'idle' || !this.#opts.handler || handlerScope.getStore() === this) return this.close();
    this.#draining = true;
    this.#live?.connection.socket.pause();
    const clock = this.#opts.base.clock ?? systemClock;
    let timer: unknown;
    await Promise.race([
      this.#drained(),
      new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, options.timeoutInMs ?? 10_000))),
    ]);
    clock.clearTimeout(timer);
    await this.close();
  }

  /** Events dropped by the dedupe window so far (0 when it is off). */
  get duplicatesDropped(): number {
    return this.#dedupe?.dropped ?? 0;
  }

  /**
   * Acknowledges a batch now instead of when the consumer asks for the next one (explicit-ack
   * monitors; nothing is sent with `ackOption: 'off'`). A batch whose connection is gone cannot be
   * acknowledged: the server replays it, and its handled events are then dropped.
   */
  ack(batch: PushBatch): void {
    checkBatch(batch, 'ack()');
    if (this.#acked.has(batch) || this.#noAck.has(batch)) return;
    this.#acked.add(batch);
    this.#handled(batch, this.#live?.id === batch.connection ? this.#live.connection : undefined);
  }

  /**
   * Marks a batch as not handled: it is never acknowledged, and for an explicit-ack monitor the
   * session reconnects (when the batch's connection is still up) so that the server replays it.
   */
  nack(batch: PushBatch): void {
    checkBatch(batch, 'nack()');
    if (this.#acked.has(batch) || this.#noAck.has(batch)) return;
    this.#noAck.add(batch);
    this.#redeliver(batch);
  }

  /**
   * The pushed batches, in order; asking for the next batch acknowledges the previous one.
   * Throws an Error when the session was created with a `handler`.
   */
  override [Symbol.asyncIterator](): AsyncIterator<PushBatch> {
    if (this.#opts.handler) throw new Error('this push session delivers to its handler; it cannot also be iterated');
    return this.#iterate();
  }

  /** The events of every batch, one by one (a block is acknowledged once all its events were consumed). */
  async *events(): AsyncGenerator<MonitorEvent, void, undefined> {
    for await (const batch of this) yield* batch.events;
  }

  // ---------------------------------------------------------------- the base's steps

  protected override connect({ signal }: ConnectAttempt): Promise<PushConnection> {
    return openPushConnection(this.#opts.endpoint, signal);
  }

  protected override run(connection: PushConnection, context: ConnectionContext<PushBatch>): Promise<void> {
    this.#live = { id: context.connection, connection };
    const { socket } = connection;
    return new Promise<void>((resolve, reject) => {
      connection.drain = () => this.#drainFrames(connection, context);
      socket.on('data', (chunk: Buffer) => {
        context.alive();
        connection.decoder.push(chunk);
        connection.drain();
      });
      socket.once('close', () => {
        if (this.#live?.connection === connection) this.#live = undefined;
        reject(connection.error ?? new PushConnectionError('CONNECTION_CLOSED', 'push server closed the connection'));
      });
      context.signal.addEventListener('abort', () => resolve(), { once: true });
      // Frames that came with the ConnectionResponse.
      connection.drain();
      if (!connection.paused && !this.#draining) socket.resume();
    });
  }

  protected override disconnect(connection: PushConnection, reason: DisconnectReason): void {
    if (this.#live?.connection === connection) this.#live = undefined;
    // On close, pending acks are flushed first; otherwise the stream is unusable anyway.
    if (reason === 'closed') connection.socket.destroySoon();
    else connection.socket.destroy();
  }

  protected override pause(connection: PushConnection): void {
    connection.paused = true;
    connection.socket.pause();
  }

  protected override resume(connection: PushConnection): void {
    connection.paused = false;
    connection.drain();
    if (!connection.paused && !connection.socket.destroyed && !this.#draining) connection.socket.resume();
  }

  protected override acknowledge(batch: PushBatch, connection: PushConnection | undefined): void {
    if (this.#noAck.has(batch) || this.#acked.has(batch) || this.#deferred.has(batch)) return;
    this.#handled(batch, connection);
  }

  /** A batch was handled: remember its keys, send its ack (explicit-ack monitors). */
  #handled(batch: PushBatch, connection: PushConnection | undefined): void {
    if (this.#dedupe) for (const e of batch.events) this.#dedupe.remember(eventKey(e, this.monitorId));
    if (!this.#opts.acknowledge) return;
    if (connection && !connection.socket.destroyed && connection.socket.writable) {
      connection.socket.write(encodeAck(batch.blockId, STATUS_OK));
    } else if (this.#opts.replayUnacknowledged) {
      // Handled, but its connection is gone: the server replays these events; their copies are removed.
      this.#replay.remember(batch.events);
    }
  }

  protected override isFatal(error: Error): boolean {
    return (isPushConnectionError(error) && error.fatal) || isFatalByDefault(error);
  }

  // ---------------------------------------------------------------- reading

  /** Decodes buffered frames until the buffer is empty or the consumer fell behind. */
  #drainFrames(connection: PushConnection, context: ConnectionContext<PushBatch>): void {
    try {
      while (!connection.paused && !this.#draining && !context.signal.aborted) {
        const frame = connection.decoder.next();
        if (!frame) return;
        // Unknown message types are skipped by their length.
        if (frame.type === MessageType.PublishMessage) this.#publish(frame.payload, context, connection);
      }
    } catch (err) {
      // Framing is lost: report it, drop the connection; the loop reconnects (with growing backoff).
      connection.error ??= err as Error;
      context.report(err);
      connection.socket.destroy();
    }
  }

  #publish(payload: Buffer, context: ConnectionContext<PushBatch>, connection: PushConnection): void {
    let msg: ReturnType<typeof parsePublishMessage>;
    let events: MonitorEvent[];
    try {
      msg = parsePublishMessage(payload);
      events = decodeDocument(msg.data, msg.compression, msg.format, this.#opts.maxInflatedBytes, { longs: this.#opts.longs });
    } catch (err) {
      // The frame boundary is intact: skip this block (reported, with its bytes), keep the
      // connection. It is acknowledged so an explicit-ack monitor neither replays it forever nor
      // counts it against its window of unacknowledged blocks.
      context.report(err);
      if (this.#opts.acknowledge && payload.length >= 2 && connection.socket.writable) connection.socket.write(encodeAck(payload.readUInt16BE(0), STATUS_OK));
      return;
    }
    context.deliver({
      monitorId: this.monitorId,
      blockId: msg.blockId,
      connection: context.connection,
      count: msg.count,
      compression: msg.compression,
      format: msg.format,
      events,
      replay: events.some((e) => e.replay),
    });
  }

  // ---------------------------------------------------------------- consuming

  /** The base's iterator, minus what `replayUnacknowledged` must not deliver. */
  #iterate(): AsyncIterator<PushBatch> {
    const inner = super[Symbol.asyncIterator]();
    const iterator: AsyncIterableIterator<PushBatch> = {
      next: async () => {
        for (;;) {
          // Asking for the next item acknowledges the previous one (or a skipped one).
          const result = await inner.next();
          if (result.done || this.#keep(result.value)) return result;
        }
      },
      return: async () => (inner.return ? inner.return() : { done: true, value: undefined }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #keep(batch: PushBatch): boolean {
    const dedupe = this.#dedupe;
    if (!this.#opts.replayUnacknowledged && !dedupe) return true;
    // Keys are fixed before the consumer sees (and may edit) the events.
    for (const e of batch.events) eventKey(e, this.monitorId);
    if (this.#opts.replayUnacknowledged) {
      if (this.#live?.id !== batch.connection) {
        // Buffered from a lost connection: the server replays it, so it is dropped, not acknowledged.
        this.#noAck.add(batch);
        return false;
      }
      batch.events = this.#replay.filter(batch.events, batch.replay);
    }
    if (dedupe) batch.events = batch.events.filter((e) => !dedupe.isDuplicate(eventKey(e, this.monitorId)));
    // A block that only repeated handled events is acknowledged without delivery.
    return batch.events.length > 0;
  }

  /** An explicit-ack monitor's unhandled block: drop its (still live) connection so the server replays it. */
  #redeliver(batch: PushBatch): void {
    const live = this.#live;
    if (!this.#opts.acknowledge || this.#closeRequested || live?.id !== batch.connection) return;
    // Batches still buffered from this connection are replayed too: `replayUnacknowledged` drops them.
    this.#live = undefined;
    live.connection.error ??= new PushConnectionError('REDELIVER', `data block ${batch.blockId} was not handled; reconnecting so that the server replays it`);
    live.connection.socket.destroy();
  }

  async #pump(handler: PushHandler): Promise<void> {
    const iterator = this.#iterate();
    const { concurrency, orderingKey } = this.#opts;
    const dispatcher = concurrency > 1 ? new KeyedDispatcher(concurrency) : undefined;
    for (;;) {
      let result: IteratorResult<PushBatch>;
      try {
        result = await iterator.next();
      } catch {
        return; // the fatal error is reported through `done`, `start()` and the `error` event
      }
      if (result.done) return;
      if (this.#closeRequested) {
        // Closed: what is still buffered is not handed out (nor acknowledged).
        await iterator.return?.();
        return;
      }
      const batch = result.value;
      if (!dispatcher) {
        await this.#handle(handler, batch);
        continue;
      }
      this.#deferred.add(batch);
      await dispatcher.submit(orderingKey(batch), async () => {
        await this.#handle(handler, batch);
        if (!this.#noAck.has(batch)) this.ack(batch);
      });
    }
  }

  async #handle(handler: PushHandler, batch: PushBatch): Promise<void> {
    this.#handlersRunning += 1;
    try {
      let failure: PushHandlerError | undefined;
      try {
        const handled = await handlerScope.run(this, () => handler(batch));
        if (handled === false) failure = new PushHandlerError(batch.blockId, undefined, { notHandled: true });
      } catch (err) {
        failure = new PushHandlerError(batch.blockId, err);
      }
      if (failure && !this.#acked.has(batch)) {
        this.#noAck.add(batch);
        this.report(failure);
        this.#redeliver(batch);
      }
    } finally {
      this.#handlersRunning -= 1;
      this.#onHandlerIdle?.();
    }
  }

  /** Resolves once the handler is idle with nothing buffered. */
  #drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.#handlersRunning > 0 || this.stats.buffered > 0) return;
        this.#onHandlerIdle = undefined;
        resolve();
      };
      this.#onHandlerIdle = () => queueMicrotask(check);
      check();
    });
  }
}

function checkBatch(batch: PushBatch, where: string): void {
  if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.events) || !Number.isInteger(batch.blockId)) {
    throw new TypeError(`${where} batch must be a PushBatch of this session`);
  }
}

/** @deprecated The old name of DeviceCloudPushSession. */
export const PushSession = DeviceCloudPushSession;
/** @deprecated The old name of DeviceCloudPushSession. */
export type PushSession = DeviceCloudPushSession;

/** @deprecated Use PushSessionState = SessionState of @x/http-core (`stopping` is now `closing`). */
export type PushSessionState = DeviceCloudPushSession['state'];

/** Creates a session and starts it. */
export function createPushSession(options: PushSessionOptions): DeviceCloudPushSession {
  const session = new DeviceCloudPushSession(options);
  void session.start();
  return session;
}

export type { PushBatch, PushHandler, PushSessionOptions, ReconnectOptions } from './session-options.js';
