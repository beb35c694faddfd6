// The background loop every polling/reconnecting connector runs: do a step, report the state,
// wait, and after a failure back off (with jitter) and try again, forever, until stopped. A
// failure never ends the loop; it shows as `degraded` or `unauthorised` (by its error category,
// failure.ts) with its reason.
import { createBackoff, isAbortError, sleep } from '@x/http-core';
import type { Logger } from '../log.js';
import type { StateTracker } from '../status.js';
import { describeError } from './connector.js';
import type { LoopWake } from './loop-wake.js';
import { failureState } from './failure.js';

export interface LoopOptions {
  name: string;
  tracker: StateTracker;
  logger: Logger;
  signal: AbortSignal;
  /** Wait after a successful step. */
  intervalInMs: number;
  /** Backoff after failures (defaults: 1 s doubling to 60 s). */
  retry?: { initialDelayInMs?: number; maxDelayInMs?: number };
  step(signal: AbortSignal): Promise<void>;
  /** Ends the wait after a successful step early (never a backoff wait). */
  wake?: LoopWake;
}

/** Runs until `signal` aborts; resolves then. */
export async function runLoop(o: LoopOptions): Promise<void> {
  const backoff = createBackoff({
    initialDelayInMs: o.retry?.initialDelayInMs ?? 1000,
    maxDelayInMs: o.retry?.maxDelayInMs ?? 60_000,
    jitter: 'equal',
  });
  while (!o.signal.aborted) {
    let wait: number;
    let ok = false;
    try {
      await o.step(o.signal);
      o.tracker.ok();
      backoff.reset();
      wait = o.intervalInMs;
      ok = true;
    } catch (err) {
      if (o.signal.aborted || isAbortError(err)) break;
      const state = failureState(err);
      wait = backoff.next();
      const reason = `${describeError(err)} (retrying in ${Math.max(1, Math.round(wait / 1000))} s)`;
      if (o.tracker.state !== state || backoff.attempt === 1) o.logger.warn(`${o.name}: ${state}`, { reason });
      o.tracker.set(state, reason);
    }
    try {
      await (ok && o.wake ? o.wake.wait(wait, o.signal) : sleep(wait, o.signal));
    } catch {
      break;
    }
  }
}
