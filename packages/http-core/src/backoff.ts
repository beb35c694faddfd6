import type { RandomSource } from './clock.js';

/** How randomness is applied to an exponential delay `d`. */
export type JitterMode = 'full' | 'equal' | 'none';

/** Options of {@link createBackoff}; `random` (default `Math.random`) returns a number in [0, 1). */
export interface BackoffOptions {
  /** Delay before the first retry/reconnect (before jitter). Default 200 ms. */
  initialDelayInMs?: number;
  /** Cap of the exponential delay. Default 20 000 ms. */
  maxDelayInMs?: number;
  /** Growth factor per attempt. Default 2. */
  factor?: number;
  /** `full`: uniform in [0, d); `equal`: d/2 + uniform in [0, d/2); `none`: d. Default `full`. */
  jitter?: JitterMode;
  random?: RandomSource;
}

/** A stateful exponential delay sequence, made by {@link createBackoff}. */
export interface Backoff {
  /** The delay to wait before the next attempt; advances `attempt`. */
  next(): number;
  /** Back to the first delay (after a success). */
  reset(): void;
  /** How many delays `next()` has handed out since the last reset. */
  readonly attempt: number;
}

function checkNonNegative(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** Exponential delay for retry number `attempt` (1-based), capped, with jitter applied. */
export function backoffDelay(
  attempt: number,
  baseDelayInMs: number,
  maxDelayInMs: number,
  random: RandomSource,
  jitter: JitterMode = 'full',
  factor = 2,
): number {
  const exp = Math.min(maxDelayInMs, baseDelayInMs * factor ** Math.max(0, attempt - 1));
  switch (jitter) {
    case 'full':
      return Math.floor(random() * exp);
    case 'equal':
      return Math.floor(exp / 2 + random() * (exp / 2));
    case 'none':
      return Math.floor(exp);
  }
}

/** A stateful exponential backoff for reconnect loops. */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const initial = options.initialDelayInMs ?? 200;
  const max = options.maxDelayInMs ?? 20_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 'full';
  const random = options.random ?? Math.random;
  checkNonNegative('initialDelayInMs', initial);
  checkNonNegative('maxDelayInMs', max);
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw new RangeError(`factor must be a finite number >= 1, got ${String(factor)}`);
  }
  if (jitter !== 'full' && jitter !== 'equal' && jitter !== 'none') {
    throw new RangeError(`jitter must be 'full', 'equal' or 'none', got ${String(jitter)}`);
  }
  let attempt = 0;
  return {
    next() {
      attempt += 1;
      return backoffDelay(attempt, initial, max, random, jitter, factor);
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}
