// The background loop every polling/reconnecting connector runs: do a step, report the state,
// wait, and after a failure back off (with jitter) and try again, forever, until stopped. A
// failure never ends the loop; it shows as `degraded` or `unauthorised` with its reason.
import { createBackoff, isAbortError, isHttpError, sleep } from '@x/http-core';
import type { Logger } from '../log.js';
import type { ConnectorState } from '../model.js';
import type { StateTracker } from '../status.js';
import { describeError } from './connector.js';

/** Rejected credentials (401/403, or a vendor's own auth error) versus everything else. */
export function classifyFailure(err: unknown): Exclude<ConnectorState, 'disabled' | 'connecting' | 'connected'> {
  if (isHttpError(err) && (err.status === 401 || err.status === 403)) return 'unauthorised';
  if (err instanceof Error && /auth/i.test(err.name)) return 'unauthorised';
  return 'degraded';
}

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
    try {
      await o.step(o.signal);
      o.tracker.ok();
      backoff.reset();
      wait = o.intervalInMs;
    } catch (err) {
      if (o.signal.aborted || isAbortError(err)) break;
      const state = classifyFailure(err);
      wait = backoff.next();
      const reason = `${describeError(err)} (retrying in ${Math.max(1, Math.round(wait / 1000))} s)`;
      if (o.tracker.state !== state || backoff.attempt === 1) o.logger.warn(`${o.name}: ${state}`, { reason });
      o.tracker.set(state, reason);
    }
    try {
      await sleep(wait, o.signal);
    } catch {
      break;
    }
  }
}
