/**
 * The time source of every wait, deadline and token lifetime; injectable for tests.
 *
 * The runtime rule: pending work keeps the process alive, idleness does not. A timer that ends a
 * wait somebody awaits (retry backoff, rate-limit slot, reconnect delay, poll interval) is kept
 * alive; a timer that only tidies up (an idle session's housekeeping) asks for `keepAlive: false`.
 */
export interface TimerOptions {
  /** false: this timer alone does not keep the process running. Default true. */
  keepAlive?: boolean;
}

/** Time and timers, injectable: {@link systemClock} in production, a test clock in tests. */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number, options?: TimerOptions): unknown;
  /** Cancels a timer by the handle `setTimeout` returned; an unknown or fired handle is ignored. */
  clearTimeout(handle: unknown): void;
}

/** The longest delay a Node timer can hold; longer ones fire after 1 ms. */
export const MAX_TIMER_DELAY_IN_MS = 2 ** 31 - 1;

/**
 * Checks a duration option: a finite number from 0 to what a timer can hold. Throws a RangeError
 * naming the option (or a TypeError for a non-number). `undefined` passes: it means "the default".
 */
export function assertDuration(name: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number of milliseconds, got ${typeof value === 'number' ? 'NaN' : typeof value}`);
  }
  if (value < 0 || value > MAX_TIMER_DELAY_IN_MS) {
    throw new RangeError(`${name} must be from 0 to ${MAX_TIMER_DELAY_IN_MS} ms (about 24.8 days), got ${String(value)}`);
  }
}

/** The real clock: `Date.now()` and Node timers that keep the process alive unless told not to. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms, options) => {
    assertDuration('timer delay', ms);
    const handle = setTimeout(callback, ms);
    if (options?.keepAlive === false) handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A source of uniformly distributed numbers in [0, 1); injectable for tests. */
export type RandomSource = () => number;
