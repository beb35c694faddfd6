import { type Clock, systemClock } from './clock.js';
import { AbortError } from './errors.js';

export interface RateLimiterOptions {
  /** Tokens in the bucket (the burst size). Omit for a pure concurrency limiter. */
  tokensPerInterval?: number;
  /** A used token comes back this long after the call that used it has finished. Default 1000 ms. */
  intervalInMs?: number;
  /** At most this many calls at once. Default unlimited. */
  maxConcurrent?: number;
  clock?: Clock;
}

/** Releases what `acquire()` took; idempotent. */
export type Release = () => void;

export interface RateLimiter {
  /** Waits (FIFO) for a token and a concurrency slot; the returned function gives the slot back. */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Runs `fn` once a token and slot are available, releasing them when it settles. */
  schedule<T>(fn: () => T | Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Holds every caller back for `ms` from now (e.g. after a 429 with Retry-After). */
  pause(ms: number): void;
  /** Callers waiting in the queue. */
  readonly pending: number;
  /** Calls holding a slot. */
  readonly active: number;
  /** Tokens available right now. */
  readonly available: number;
}

interface Waiter {
  resolve: (release: Release) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

function checkPositive(name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0 || (integer && value !== Number.POSITIVE_INFINITY && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a ${integer ? 'positive integer' : 'number > 0'}, got ${String(value)}`);
  }
}

/**
 * A token bucket plus a concurrency cap with a FIFO queue: callers wait their turn instead of
 * running into 429s. A token taken by a call returns `intervalInMs` after that call finished, so
 * no `intervalInMs` window (measured at the server, by arrival) ever sees more than
 * `tokensPerInterval` calls — even when the first calls were slow to connect.
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { tokensPerInterval, maxConcurrent } = options;
  const intervalInMs = options.intervalInMs ?? 1000;
  checkPositive('tokensPerInterval', tokensPerInterval, true);
  checkPositive('intervalInMs', intervalInMs, false);
  checkPositive('maxConcurrent', maxConcurrent, true);
  const clock = options.clock ?? systemClock;
  const capacity = tokensPerInterval ?? Number.POSITIVE_INFINITY;
  const concurrency = maxConcurrent ?? Number.POSITIVE_INFINITY;

  let available = capacity;
  let active = 0;
  let pausedUntil = 0;
  /** Times at which used tokens come back, ascending. */
  const cooling: number[] = [];
  const queue: Waiter[] = [];
  let timer: unknown;
  let timerAt = Number.POSITIVE_INFINITY;

  const refill = (now: number): void => {
    while (cooling.length > 0 && (cooling[0] as number) <= now) {
      cooling.shift();
      available += 1;
    }
  };

  const schedule = (at: number): void => {
    if (at >= timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
        drain();
      },
      Math.max(0, at - clock.now()),
    );
  };

  const makeRelease = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active -= 1;
      if (capacity !== Number.POSITIVE_INFINITY) cooling.push(clock.now() + intervalInMs);
      drain();
    };
  };

  function drain(): void {
    const now = clock.now();
    refill(now);
    if (now < pausedUntil) {
      if (queue.length > 0) schedule(pausedUntil);
      return;
    }
    while (queue.length > 0 && available > 0 && active < concurrency) {
      const waiter = queue.shift() as Waiter;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      available -= 1;
      active += 1;
      waiter.resolve(makeRelease());
    }
    if (queue.length > 0 && available === 0 && cooling.length > 0) schedule(cooling[0] as number);
  }

  const acquire = (signal?: AbortSignal): Promise<Release> => {
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index !== -1) queue.splice(index, 1);
          reject(new AbortError(signal.reason));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      queue.push(waiter);
      drain();
    });
  };

  return {
    acquire,
    async schedule<T>(fn: () => T | Promise<T>, signal?: AbortSignal): Promise<T> {
      if (typeof fn !== 'function') throw new TypeError('fn must be a function');
      const release = await acquire(signal);
      try {
        return await fn();
      } finally {
        release();
      }
    },
    pause(ms: number) {
      if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw new RangeError(`ms must be a number >= 0, got ${String(ms)}`);
      pausedUntil = Math.max(pausedUntil, clock.now() + ms);
      if (queue.length > 0) schedule(pausedUntil);
    },
    get pending() {
      return queue.length;
    },
    get active() {
      return active;
    },
    get available() {
      refill(clock.now());
      return available;
    },
  };
}

const REGISTRY_KEY = Symbol.for('@x/http-core.sharedRateLimiters');

function registry(): Map<string, RateLimiter> {
  const holder = globalThis as unknown as Record<symbol, Map<string, RateLimiter> | undefined>;
  let map = holder[REGISTRY_KEY];
  if (!map) {
    map = new Map();
    holder[REGISTRY_KEY] = map;
  }
  return map;
}

/**
 * One limiter per `id` in the process (e.g. `'comap:' + apiKeyHash`), shared by every client
 * that asks for it; the options of the first call create it. Use an id that does not contain the
 * secret itself.
 */
export function getSharedRateLimiter(id: string, options: RateLimiterOptions = {}): RateLimiter {
  if (typeof id !== 'string' || id === '') throw new TypeError('id must be a non-empty string');
  const map = registry();
  let limiter = map.get(id);
  if (!limiter) {
    limiter = createRateLimiter(options);
    map.set(id, limiter);
  }
  return limiter;
}

/** Forgets a shared limiter (tests, or a key that was rotated). */
export function deleteSharedRateLimiter(id: string): boolean {
  return registry().delete(id);
}
