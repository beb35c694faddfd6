/**
 * The one base of every long-lived connection (push sessions, MQTT, websockets, monitors): a loop
 * of `connect()` → `run()` → `disconnect()` that reconnects with clock-driven backoff + jitter,
 * the lifecycle events of SessionEvents, a bounded async iterator with stated backpressure, and
 * an end that somebody always hears about. See SESSIONS.md.
 */
import { EventEmitter } from 'node:events';
import { createBackoff, type Backoff } from '../backoff.js';
import { AbortError, TimeoutError } from '../errors.js';
import type { ConnectAttempt, ConnectionContext } from './context.js';
import { DeliveryQueue, type QueueEntry } from './delivery-queue.js';
import { SessionError } from './errors.js';
import type { DisconnectReason, SessionEvents, SessionState, SessionStats } from './events.js';
import { isFatalByDefault } from './fatal.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './options.js';

interface Current<TConnection> {
  connection: TConnection;
  id: number;
  controller: AbortController;
  /** Re-arms the idle watchdog (a no-op when it is off or paused). */
  armIdle(): void;
  disarmIdle(): void;
}

/** What one try (connect and, when accepted, run) came to. */
interface Outcome {
  closed: boolean;
  error: Error | undefined;
  stable: boolean;
}

const noop = (): void => undefined;
const toError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

/**
 * Subclass it: implement `connect()` and `run()`, and `disconnect()`, `pause()`/`resume()`
 * (required with the default `overflow: 'pause'`), `acknowledge()` and `isFatal()` as the
 * protocol needs. Extra typed events (a vendor's `status`, `notification`) go in `TExtraEvents`.
 */
export abstract class Session<TConnection, TItem, TExtraEvents extends Record<keyof TExtraEvents, unknown[]> = Record<never, never>>
  extends EventEmitter<SessionEvents & TExtraEvents>
  implements AsyncIterable<TItem>, AsyncDisposable
{
  readonly #options: ResolvedSessionOptions;
  readonly #backoff: Backoff | undefined;
  readonly #queue: DeliveryQueue<TItem>;
  readonly #done: Promise<void>;
  readonly #ended: Promise<void>;
  #resolveDone: () => void = noop;
  #rejectDone: (error: Error) => void = noop;
  #resolveEnded: () => void = noop;
  #state: SessionState = 'idle';
  #closing = false;
  #started: Promise<void> | undefined;
  #settleStart: { resolve(): void; reject(error: Error): void } | undefined;
  #connecting: AbortController | undefined;
  #current: Current<TConnection> | undefined;
  #wake: (() => void) | undefined;
  #iterating = false;
  #attempts = 0;
  #connections = 0;
  readonly #onAbort = (): void => void this.close();

  /** Opens the connection; throw (or reject) to have it retried, or fatal per `isFatal()`. */
  protected abstract connect(attempt: ConnectAttempt): Promise<TConnection>;

  /**
   * Reads the connection until it ends: return when the peer closed it normally, throw on an
   * error. Call `context.deliver(item)` for each item; honour `context.signal`.
   */
  protected abstract run(connection: TConnection, context: ConnectionContext<TItem>): Promise<void>;

  /** Releases a connection (close the socket). Called once per connection; must not wait for `run()`. */
  protected disconnect(_connection: TConnection, _reason: DisconnectReason): void | Promise<void> {
    return undefined;
  }

  /** Stop reading the connection (backpressure); required with `overflow: 'pause'`. */
  protected pause?(connection: TConnection): void;

  /** Read again after `pause()`. */
  protected resume?(connection: TConnection): void;

  /**
   * The consumer is done with an item (it asked for the next one). `connection` is the live
   * connection that delivered it, or undefined when that one is gone (the server will replay).
   */
  protected acknowledge?(item: TItem, connection: TConnection | undefined): void;

  /** Whether an error of `connect()`/`run()` ends the session instead of a reconnect. */
  protected isFatal(error: Error): boolean {
    return isFatalByDefault(error);
  }

  constructor(options: SessionOptions = {}) {
    super({ captureRejections: false });
    this.#options = resolveSessionOptions(options);
    if (this.#options.overflow === 'pause' && (typeof this.pause !== 'function' || typeof this.resume !== 'function')) {
      throw new TypeError("overflow 'pause' needs pause() and resume(); implement them or pass overflow: 'drop-oldest'");
    }
    const { reconnect, random } = this.#options;
    this.#backoff = reconnect === false ? undefined : createBackoff({ ...reconnect, random });
    this.#queue = new DeliveryQueue<TItem>(this.#options.highWaterMark, this.#options.overflow, {
      onPause: () => this.#withCurrent((c) => (c.disarmIdle(), this.pause?.(c.connection))),
      onResume: () => this.#withCurrent((c) => (this.resume?.(c.connection), c.armIdle())),
      onDrop: (_entry, first) => first && this.report(new SessionError('SESSION_OVERFLOW', 'the consumer fell behind: the oldest items are being dropped', { dropped: 1 })),
      onConsumed: (entry) => this.#acknowledge(entry),
    });
    this.#done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // Whoever awaits `done` hears the failure; an unobserved one must not crash the process.
    this.#done.catch(noop);
    this.#ended = new Promise<void>((resolve) => (this.#resolveEnded = resolve));
    const { signal } = this.#options;
    if (signal?.aborted) this.#finish(undefined);
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Resolves when the session ends by `close()` or its signal; rejects with the fatal error. */
  get done(): Promise<void> {
    return this.#done;
  }

  get stats(): SessionStats {
    const q = this.#queue;
    return {
      attempts: this.#attempts,
      connections: this.#connections,
      delivered: q.delivered,
      consumed: q.consumed,
      dropped: q.dropped,
      buffered: q.size,
      maxBuffered: q.maxBuffered,
    };
  }

  /**
   * Starts connecting (once; later calls return the same promise). Resolves at the first
   * `connected`; rejects with the fatal error, or an AbortError when closed before connecting.
   */
  start(): Promise<void> {
    if (this.#started) return this.#started;
    this.#started = new Promise<void>((resolve, reject) => (this.#settleStart = { resolve, reject }));
    this.#started.catch(noop);
    if (this.#state === 'closed') this.#rejectStart(undefined);
    else void this.#loop();
    return this.#started;
  }

  /**
   * Ends the session: no reconnect, the connection is released, items already buffered can still
   * be read from the iterator. Idempotent; safe from inside `run()` and any listener (it does not
   * wait for `run()` to return). Resolves once `closed` was emitted; never rejects.
   */
  close(): Promise<void> {
    if (this.#closing || this.#state === 'closed') return this.#ended;
    this.#closing = true;
    if (this.#state === 'idle') {
      this.#finish(undefined);
      return this.#ended;
    }
    this.#state = 'closing';
    const reason = new AbortError(undefined, 'the session was closed');
    this.#connecting?.abort(reason);
    this.#current?.controller.abort(reason);
    this.#wake?.();
    return this.#ended;
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The delivered items, for one consumer at a time; starts the session. Leaving the loop
   * (`break`, `return`, a throw) closes the session and does not acknowledge the item in hand.
   * After `close()` the buffered items are still yielded; after a fatal error, they are, then the
   * error is thrown.
   */
  [Symbol.asyncIterator](): AsyncIterator<TItem> {
    if (this.#iterating) throw new Error('a session can be iterated by one consumer at a time');
    this.#iterating = true;
    void this.start();
    const iterator: AsyncIterableIterator<TItem> = {
      next: () => this.#queue.next(),
      return: async () => {
        this.#queue.release();
        await this.close();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Reports a non-fatal problem: to `error` listeners, else the logger (`warn`), else a process
   * warning. Never throws, never ends the session.
   */
  protected report(error: unknown): void {
    const err = toError(error);
    if (this.#heard()) this.#emit('error', err);
    else if (this.#options.logger) this.#log('warn', 'error', err);
    else process.emitWarning(err);
  }

  // ---------------------------------------------------------------- the loop

  async #loop(): Promise<void> {
    let failure: Error | undefined;
    // Events start after start() returned, so that listeners attached right after it hear them all.
    await Promise.resolve();
    try {
      while (!this.#closing) {
        const outcome = await this.#try();
        if (outcome.closed || this.#closing) break;
        const { error } = outcome;
        if (error && this.#fatal(error)) {
          failure = error;
          break;
        }
        if (!this.#backoff) {
          failure = error ?? new SessionError('SESSION_CONNECTION_LOST', 'the connection ended and reconnect is off', { category: 'transient' });
          break;
        }
        if (outcome.stable) this.#backoff.reset();
        const delayInMs = this.#backoff.next();
        this.#state = 'reconnecting';
        this.#log('info', 'reconnecting', error, { attempt: this.#backoff.attempt, delayInMs });
        this.#emit('reconnecting', { attempt: this.#backoff.attempt, delayInMs, error });
        await this.#wait(delayInMs);
      }
    } catch (err) {
      // A hook or listener broke the loop itself: end loudly rather than hang.
      failure = toError(err);
    }
    this.#finish(failure);
  }

  async #try(): Promise<Outcome> {
    const attempt = (this.#backoff?.attempt ?? 0) + 1;
    this.#attempts += 1;
    this.#state = 'connecting';
    this.#emit('connecting', { attempt });
    let connection: TConnection;
    try {
      connection = await this.#connectOnce(attempt);
    } catch (err) {
      return { closed: this.#closing, error: toError(err), stable: false };
    }
    if (this.#closing) {
      await this.#release(connection, 'closed');
      return { closed: true, error: undefined, stable: false };
    }
    this.#connections += 1;
    const id = this.#connections;
    this.#state = 'connected';
    this.#log('info', 'connected', undefined, { attempt, connection: id });
    this.#emit('connected', { attempt, connection: id });
    if (this.#closing) {
      // A `connected` listener closed the session: the connection is not read at all.
      await this.#release(connection, 'closed');
      this.#emit('disconnected', { connection: id, reason: 'closed', error: undefined, stable: false });
      return { closed: true, error: undefined, stable: false };
    }
    const { reason, error, stable } = await this.#runOnce(connection, id);
    await this.#release(connection, reason);
    this.#emit('disconnected', { connection: id, reason, error, stable });
    return { closed: reason === 'closed', error, stable };
  }

  async #connectOnce(attempt: number): Promise<TConnection> {
    if (this.#closing) throw new AbortError(undefined, 'the session was closed');
    const controller = new AbortController();
    this.#connecting = controller;
    const { clock, connectTimeoutInMs } = this.#options;
    const timer =
      connectTimeoutInMs > 0
        ? clock.setTimeout(() => {
            controller.abort(new TimeoutError({ phase: 'connect', timeoutInMs: connectTimeoutInMs, message: `no connection within ${connectTimeoutInMs} ms` }));
          }, connectTimeoutInMs)
        : undefined;
    // Listen before connect() runs: it may close the session synchronously.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(toError(controller.signal.reason)), { once: true });
    });
    aborted.catch(noop);
    const pending = (async () => this.connect({ signal: controller.signal, attempt }))();
    try {
      return await Promise.race([pending, aborted]);
    } catch (err) {
      // A connect that ignored the signal may still succeed later: release what it brings.
      pending.then((late) => void this.#release(late, 'closed'), noop);
      throw err;
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      this.#connecting = undefined;
    }
  }

  async #runOnce(connection: TConnection, id: number): Promise<{ reason: DisconnectReason; error: Error | undefined; stable: boolean }> {
    const { clock, stableAfterInMs, idleTimeoutInMs } = this.#options;
    const controller = new AbortController();
    let stable = stableAfterInMs === 0;
    let stableTimer: unknown;
    let idleTimer: unknown;
    const markStable = (): void => {
      stable = true;
      if (stableTimer !== undefined) clock.clearTimeout(stableTimer);
      stableTimer = undefined;
    };
    const disarmIdle = (): void => {
      if (idleTimer !== undefined) clock.clearTimeout(idleTimer);
      idleTimer = undefined;
    };
    const armIdle = (): void => {
      disarmIdle();
      if (idleTimeoutInMs === 0 || controller.signal.aborted || this.#queue.paused) return;
      // Housekeeping: the connection itself holds the process, this watchdog must not.
      idleTimer = clock.setTimeout(
        () => controller.abort(new TimeoutError({ phase: 'body', timeoutInMs: idleTimeoutInMs, message: `nothing arrived for ${idleTimeoutInMs} ms` })),
        idleTimeoutInMs,
        { keepAlive: false },
      );
    };
    if (!stable) stableTimer = clock.setTimeout(markStable, stableAfterInMs, { keepAlive: false });
    this.#current = { connection, id, controller, armIdle, disarmIdle };
    armIdle();
    if (this.#queue.paused) this.pause?.(connection);
    const queue = this.#queue;
    const context: ConnectionContext<TItem> = {
      signal: controller.signal,
      connection: id,
      get paused() {
        return queue.paused;
      },
      deliver: (item) => {
        if (this.#state === 'closed') return false;
        markStable();
        armIdle();
        queue.push(item, id);
        return true;
      },
      alive: armIdle,
      stable: markStable,
      report: (error) => this.report(error),
    };
    const outcome = await this.#race(connection, context, controller);
    disarmIdle();
    if (stableTimer !== undefined) clock.clearTimeout(stableTimer);
    this.#current = undefined;
    return { reason: outcome.reason, error: outcome.error, stable };
  }

  /** `run()` against the connection's abort: the session never waits for a `run()` that ignores it. */
  async #race(
    connection: TConnection,
    context: ConnectionContext<TItem>,
    controller: AbortController,
  ): Promise<{ reason: DisconnectReason; error: Error | undefined }> {
    // Listen before run() starts: it may close the session synchronously.
    const aborted = new Promise<'aborted'>((resolve) => controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
    const running = (async () => this.run(connection, context))();
    running.catch(noop);
    try {
      const result = await Promise.race([running.then(() => 'ended' as const), aborted]);
      if (result === 'ended') return { reason: 'ended', error: undefined };
    } catch (err) {
      if (!controller.signal.aborted) return { reason: 'failed', error: toError(err) };
    }
    controller.abort();
    const reason = controller.signal.reason as unknown;
    if (this.#closing || !(reason instanceof TimeoutError)) return { reason: 'closed', error: undefined };
    return { reason: 'stalled', error: reason };
  }

  async #release(connection: TConnection, reason: DisconnectReason): Promise<void> {
    try {
      await this.disconnect(connection, reason);
    } catch (err) {
      this.report(err);
    }
  }

  #wait(delayInMs: number): Promise<void> {
    if (this.#closing) return Promise.resolve(); // a `reconnecting` listener closed the session
    return new Promise<void>((resolve) => {
      // Pending work: this timer keeps the process alive (the runtime rule).
      const handle = this.#options.clock.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, delayInMs);
      this.#wake = () => {
        this.#options.clock.clearTimeout(handle);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  // ---------------------------------------------------------------- the end

  #finish(failure: Error | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closing = true;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#wake?.();
    this.#queue.end(failure);
    this.#rejectStart(failure);
    if (failure) {
      this.#log('error', 'ended by a fatal error', failure);
      if (this.#heard()) this.#emit('error', failure);
      else if (!this.#options.logger) process.emitWarning(failure);
    } else {
      this.#log('info', 'closed', undefined);
    }
    this.#emit('closed', { error: failure });
    if (failure) this.#rejectDone(failure);
    else this.#resolveDone();
    this.#resolveEnded();
  }

  #rejectStart(failure: Error | undefined): void {
    const settle = this.#settleStart;
    this.#settleStart = undefined;
    settle?.reject(failure ?? new AbortError(undefined, 'the session was closed before it connected'));
  }

  #fatal(error: Error): boolean {
    try {
      return this.isFatal(error);
    } catch (err) {
      this.report(err);
      return false;
    }
  }

  #acknowledge(entry: QueueEntry<TItem>): void {
    if (!this.acknowledge) return;
    const current = this.#current;
    try {
      this.acknowledge(entry.item, current && current.id === entry.connection ? current.connection : undefined);
    } catch (err) {
      this.report(err);
    }
  }

  #withCurrent(action: (current: Current<TConnection>) => void): void {
    const current = this.#current;
    if (!current) return;
    try {
      action(current);
    } catch (err) {
      this.report(err);
    }
  }

  /** Emits a lifecycle event; a listener that throws is reported, never breaks the loop. */
  #emit<K extends keyof SessionEvents>(event: K, ...args: SessionEvents[K]): void {
    if (event === 'connected') this.#settleFirstConnect();
    try {
      (EventEmitter.prototype.emit as (this: unknown, e: K, ...a: SessionEvents[K]) => boolean).call(this, event, ...args);
    } catch (err) {
      if (event === 'error') this.#log('error', 'an error listener threw', toError(err));
      else this.report(err);
    }
  }

  /** Whether anyone listens for `error` (through the untyped face: the map may be extended). */
  #heard(): boolean {
    return EventEmitter.prototype.listenerCount.call(this, 'error') > 0;
  }

  #settleFirstConnect(): void {
    const settle = this.#settleStart;
    this.#settleStart = undefined;
    settle?.resolve();
  }

  /** Name, code and message only: never raw bytes or credentials. */
  #log(level: 'info' | 'warn' | 'error', message: string, error: Error | undefined, fields: Record<string, unknown> = {}): void {
    const logger = this.#options.logger;
    if (!logger) return;
    const code = (error as { code?: unknown } | undefined)?.code;
    logger[level](`${this.#options.name}: ${message}${error ? `: ${error.message}` : ''}`, {
      ...fields,
      ...(error ? { error: error.name, ...(typeof code === 'string' ? { code } : {}) } : {}),
    });
  }
}
