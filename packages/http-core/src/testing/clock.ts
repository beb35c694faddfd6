import type { Clock } from '../clock.js';

/** Options of {@link createTestClock}. */
export interface TestClockOptions {
  /** Initial `now()`. Default 0. */
  start?: number;
  /**
   * true (default): every timer fires on the next macrotask, in due order, and `now()` jumps to
   * its due time, so waits take no real time. false: timers fire only through `advance()`.
   */
  auto?: boolean;
}

/** A {@link Clock} whose time only moves when timers fire or `advance()` is called. */
export interface TestClock extends Clock {
  /** Every delay passed to `setTimeout`, in order. */
  readonly delays: readonly number[];
  /** Timers not yet fired or cleared. */
  readonly pending: number;
  /** Moves time forward by `ms`, firing the timers that fall due. */
  advance(ms: number): void;
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** A controllable clock for retry, backoff, token and rate-limit tests. */
export function createTestClock(options: TestClockOptions = {}): TestClock {
  let now = options.start ?? 0;
  const auto = options.auto ?? true;
  const delays: number[] = [];
  let timers: Timer[] = [];
  let nextId = 1;
  let pumping = false;

  const fireDue = (limit: number): void => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const first = timers[0];
      if (!first || first.at > limit) return;
      timers = timers.slice(1);
      now = Math.max(now, first.at);
      first.callback();
    }
  };

  const pump = (): void => {
    if (pumping) return;
    pumping = true;
    setImmediate(() => {
      pumping = false;
      timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const first = timers[0];
      if (!first) return;
      timers = timers.slice(1);
      now = Math.max(now, first.at);
      first.callback();
      if (timers.length > 0) pump();
    });
  };

  return {
    now: () => now,
    setTimeout(callback, ms) {
      const delay = Math.max(0, ms);
      delays.push(delay);
      const timer: Timer = { id: nextId++, at: now + delay, callback };
      timers.push(timer);
      if (auto) pump();
      return timer.id;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
    advance(ms) {
      if (typeof ms !== 'number' || ms < 0) throw new RangeError('ms must be a number >= 0');
      const target = now + ms;
      fireDue(target);
      now = target;
    },
    get delays() {
      return delays;
    },
    get pending() {
      return timers.length;
    },
  };
}
