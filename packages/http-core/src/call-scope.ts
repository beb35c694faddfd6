import { TimeoutError } from './errors.js';

/**
 * Callbacks waiting for one caller signal, behind a single real 'abort' listener: many concurrent
 * calls can share a signal (say, a poller's stop signal) without piling up listeners on it and
 * tripping Node's MaxListenersExceededWarning.
 */
const waiting = new WeakMap<AbortSignal, { callbacks: Set<() => void>; listener: () => void }>();

/** Calls `callback` once when `signal` aborts; the returned function unsubscribes. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let entry = waiting.get(signal);
  if (entry === undefined) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      waiting.delete(signal);
      for (const fn of callbacks) fn();
    };
    entry = { callbacks, listener };
    waiting.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = entry;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0 || waiting.get(signal) !== entry) return;
    waiting.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

/**
 * The signal of one call in flight: the caller's signal and the overall deadline, combined into a
 * signal of the call's own (so undici, the limiter and the waits listen to it, not the caller's).
 */
export class CallScope {
  readonly signal: AbortSignal | undefined;
  deadlineHit = false;
  readonly userSignal: AbortSignal | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(userSignal: AbortSignal | undefined, deadlineInMs: number | undefined) {
    this.userSignal = userSignal;
    if (deadlineInMs === undefined && userSignal === undefined) return;
    const controller = new AbortController();
    this.signal = controller.signal;
    if (deadlineInMs !== undefined) {
      this.timer = setTimeout(() => {
        this.deadlineHit = true;
        controller.abort(new TimeoutError({ phase: 'deadline', timeoutInMs: deadlineInMs }));
      }, deadlineInMs);
    }
    if (userSignal) {
      if (userSignal.aborted) controller.abort(userSignal.reason);
      else this.unsubscribe = onAbort(userSignal, () => controller.abort(userSignal.reason));
    }
  }

  get userAborted(): boolean {
    return this.userSignal?.aborted === true;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unsubscribe?.();
    this.timer = undefined;
    this.unsubscribe = undefined;
  }
}
