import { type Clock, systemClock } from './clock.js';
import { AbortError } from './errors.js';

/** An AbortError carrying the signal's reason. */
export function abortErrorFrom(signal: AbortSignal): AbortError {
  return new AbortError(signal.reason);
}

/**
 * Waits `ms` milliseconds on `clock`. Rejects with an `AbortError` (cause = the signal's reason)
 * as soon as `signal` aborts, also when it already has.
 */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) {
    return Promise.reject(new RangeError(`sleep: ms must be a number >= 0, got ${String(ms)}`));
  }
  if (signal?.aborted) return Promise.reject(abortErrorFrom(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortErrorFrom(signal as AbortSignal));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
