/**
 * A clock for tests that share time between a client and the simulator: it runs in real time
 * (real timers) from a chosen start, and `advance(ms)` jumps it forward, e.g. to an hour later to
 * expire a token without waiting for it.
 */
export interface JumpClock {
  /** Current clock time (ms since the epoch). */
  now: () => number;
  /** A real timer (unref'd, so it does not keep the process alive); returns its handle. */
  setTimeout: (callback: () => void, ms: number) => unknown;
  /** Cancels a timer made by `setTimeout`. */
  clearTimeout: (handle: unknown) => void;
  /** Moves the clock forward by `ms`. */
  advance: (ms: number) => void;
}

/**
 * A JumpClock starting at `startAt` (ms since the epoch; default now).
 * Throws TypeError unless `startAt` is a finite number; `advance()` throws RangeError for a negative or non-number `ms`.
 */
export function createJumpClock(startAt: number = Date.now()): JumpClock {
  if (typeof startAt !== 'number' || !Number.isFinite(startAt)) throw new TypeError('startAt must be a finite number of milliseconds');
  const realStart = Date.now();
  let skew = 0;
  return {
    now: () => startAt + (Date.now() - realStart) + skew,
    setTimeout: (callback, ms) => {
      const handle = setTimeout(callback, ms);
      handle.unref();
      return handle;
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    advance: (ms) => {
      if (typeof ms !== 'number' || !(ms >= 0)) throw new RangeError('ms must be a number >= 0');
      skew += ms;
    },
  };
}
