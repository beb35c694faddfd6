/** Options of every session, checked once with errors that name the option. */
import type { JitterMode } from '../backoff.js';
import { assertDuration, systemClock, type Clock, type RandomSource } from '../clock.js';
import type { Logger } from '../logger.js';

/** What happens when the consumer falls `highWaterMark` items behind. */
export type OverflowStrategy = 'pause' | 'drop-oldest';

/** Reconnect delays: `min(initialDelayInMs · factor^(n−1), maxDelayInMs)` with jitter. */
export interface SessionReconnectOptions {
  /** Default 1000 ms. */
  initialDelayInMs?: number;
  /** Default 60 000 ms. */
  maxDelayInMs?: number;
  /** Default 2. */
  factor?: number;
  /** Default `full`. */
  jitter?: JitterMode;
}

/** Options of a {@link Session} (and of {@link createSession}); every field is optional. */
export interface SessionOptions {
  /** Reconnect backoff, or `false` to end the session (with an error) when its connection is lost. */
  reconnect?: SessionReconnectOptions | false;
  /**
   * A connection that stays up this long counts as stable, as does one that delivered an item;
   * only a stable connection resets the backoff. Default 30 000 ms.
   */
  stableAfterInMs?: number;
  /** The longest a `connect()` may take before it is aborted and retried; 0 = no limit. Default 30 000 ms. */
  connectTimeoutInMs?: number;
  /** Drop and reconnect a connection that delivered nothing (and called no `alive()`) this long; 0 = off (default). */
  idleTimeoutInMs?: number;
  /** Items buffered for the iterator before `overflow` applies. Default 16. */
  highWaterMark?: number;
  /**
   * `pause` (default): at `highWaterMark` buffered items the session calls the `pause` hook (stop
   * reading the socket) and `resume` once the buffer is down to half; nothing is dropped.
   * `drop-oldest`: for sources that cannot pause, the oldest buffered item is dropped, counted in
   * `stats.dropped` and reported as an `error` (SessionOverflowError).
   */
  overflow?: OverflowStrategy;
  /** Aborting it closes the session. The session removes its listener when it ends. */
  signal?: AbortSignal;
  /** Timers and time (tests pass a fake clock). Default `systemClock`. */
  clock?: Clock;
  /** Uniform [0, 1) source for the jitter. Default `Math.random`. */
  random?: RandomSource;
  /** Hears reports nobody listens to (`error` event), connection changes at `info`. */
  logger?: Logger;
  /** Names the session in log lines, e.g. `devicecloud push 42`. Default `session`. */
  name?: string;
}

export interface ResolvedSessionOptions {
  reconnect: Required<SessionReconnectOptions> | false;
  stableAfterInMs: number;
  connectTimeoutInMs: number;
  idleTimeoutInMs: number;
  highWaterMark: number;
  overflow: OverflowStrategy;
  signal: AbortSignal | undefined;
  clock: Clock;
  random: RandomSource;
  logger: Logger | undefined;
  name: string;
}

function resolveReconnect(value: SessionOptions['reconnect']): ResolvedSessionOptions['reconnect'] {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError('reconnect must be an object or false');
  }
  const r = value ?? {};
  assertDuration('reconnect.initialDelayInMs', r.initialDelayInMs);
  assertDuration('reconnect.maxDelayInMs', r.maxDelayInMs);
  const factor = r.factor ?? 2;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw new RangeError(`reconnect.factor must be a finite number >= 1, got ${String(factor)}`);
  }
  const jitter = r.jitter ?? 'full';
  if (jitter !== 'full' && jitter !== 'equal' && jitter !== 'none') {
    throw new RangeError(`reconnect.jitter must be 'full', 'equal' or 'none', got ${String(jitter)}`);
  }
  return { initialDelayInMs: r.initialDelayInMs ?? 1000, maxDelayInMs: r.maxDelayInMs ?? 60_000, factor, jitter };
}

/** Checks every option and fills in the defaults. */
export function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  for (const name of ['stableAfterInMs', 'connectTimeoutInMs', 'idleTimeoutInMs'] as const) assertDuration(name, options[name]);
  const hwm = options.highWaterMark ?? 16;
  if (!Number.isInteger(hwm) || hwm < 1) throw new RangeError(`highWaterMark must be an integer >= 1, got ${String(hwm)}`);
  const overflow = options.overflow ?? 'pause';
  if (overflow !== 'pause' && overflow !== 'drop-oldest') {
    throw new RangeError(`overflow must be 'pause' or 'drop-oldest', got ${String(overflow)}`);
  }
  const { signal, clock, random, logger, name } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.setTimeout !== 'function')) {
    throw new TypeError('clock must be a Clock (now, setTimeout, clearTimeout)');
  }
  if (random !== undefined && typeof random !== 'function') throw new TypeError('random must be a function');
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function')) {
    throw new TypeError('logger must be a Logger');
  }
  if (name !== undefined && typeof name !== 'string') throw new TypeError('name must be a string');
  return {
    reconnect: resolveReconnect(options.reconnect),
    stableAfterInMs: options.stableAfterInMs ?? 30_000,
    connectTimeoutInMs: options.connectTimeoutInMs ?? 30_000,
    idleTimeoutInMs: options.idleTimeoutInMs ?? 0,
    highWaterMark: hwm,
    overflow,
    signal,
    clock: clock ?? systemClock,
    random: random ?? Math.random,
    logger,
    name: name ?? 'session',
  };
}
