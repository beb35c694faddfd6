import { type Clock, systemClock } from './clock.js';
import { AbortError } from './errors.js';

/** Options of {@link createRateLimiter}; `clock` (default the system clock) times the token refills. */
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

/** A token bucket plus a concurrency cap, shareable by several clients (see {@link getSharedRateLimiter}). */
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
 * The bucket, the concurrency count and the FIFO queue behind `createRateLimiter`. A token taken
 * by a call returns `intervalInMs` after that call finished.
 */
class BucketQueue {
  available: number;
  active = 0;
  readonly queue: Waiter[] = [];
  #pausedUntil = 0;
  /** Times at which used tokens come back, ascending. */
  readonly #cooling: number[] = [];
  #timer: unknown;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly capacity: number,
    readonly concurrency: number,
    readonly intervalInMs: number,
    readonly clock: Clock,
  ) {
    this.available = capacity;
  }

  refill(now: number): void {
    const cooling = this.#cooling;
    while (cooling.length > 0 && (cooling[0] as number) <= now) {
      cooling.shift();
      this.available += 1;
    }
  }

  /** Drains the queue again at `at` (one timer, the earliest asked for). */
  #wakeAt(at: number): void {
    if (at >= this.#timerAt) return;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.drain();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  #release(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      if (this.capacity !== Number.POSITIVE_INFINITY) this.#cooling.push(this.clock.now() + this.intervalInMs);
      this.drain();
    };
  }

  /** Hands tokens and slots to waiters in order while there are some. */
  drain(): void {
    const now = this.clock.now();
    this.refill(now);
    const queue = this.queue;
    if (now < this.#pausedUntil) {
      if (queue.length > 0) this.#wakeAt(this.#pausedUntil);
      return;
    }
    while (queue.length > 0 && this.available > 0 && this.active < this.concurrency) {
      const waiter = queue.shift() as Waiter;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.available -= 1;
      this.active += 1;
      waiter.resolve(this.#release());
    }
    if (queue.length > 0 && this.available === 0 && this.#cooling.length > 0) this.#wakeAt(this.#cooling[0] as number);
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index !== -1) this.queue.splice(index, 1);
          reject(new AbortError(signal.reason));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.drain();
    });
  }

  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.clock.now() + ms);
    if (this.queue.length > 0) this.#wakeAt(this.#pausedUntil);
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
  const state = new BucketQueue(tokensPerInterval ?? Number.POSITIVE_INFINITY, maxConcurrent ?? Number.POSITIVE_INFINITY, intervalInMs, options.clock ?? systemClock);
  const acquire = (signal?: AbortSignal): Promise<Release> => state.acquire(signal);
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
      state.pause(ms);
    },
    get pending() {
      return state.queue.length;
    },
    get active() {
      return state.active;
    },
    get available() {
      state.refill(state.clock.now());
      return state.available;
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
