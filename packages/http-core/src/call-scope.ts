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

/** What a scope stops when it aborts: the attempt in flight (one at a time). */
export interface InFlight {
  abort(reason: unknown): void;
}

/** The scopes of one deadline duration, in start order (so also in expiry order). */
interface Bucket {
  head: CallScope | undefined;
  tail: CallScope | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The overall deadlines of calls in flight, on one timer per distinct duration: scopes of one
 * duration expire in the order they started, so each bucket is a FIFO list whose head is next.
 * The list is threaded through the scopes themselves: adding and removing allocates nothing.
 * A per-call timer plus AbortController cost about a fifth of a fast call's time.
 */
class DeadlineWatch {
  readonly #buckets = new Map<number, Bucket>();
  #last: Bucket | undefined;
  #lastDuration = Number.NaN;

  #bucket(durationInMs: number): Bucket {
    if (durationInMs === this.#lastDuration && this.#last !== undefined) return this.#last;
    let bucket = this.#buckets.get(durationInMs);
    if (bucket === undefined) {
      bucket = { head: undefined, tail: undefined, timer: undefined };
      this.#buckets.set(durationInMs, bucket);
    }
    this.#last = bucket;
    this.#lastDuration = durationInMs;
    return bucket;
  }

  add(scope: CallScope, durationInMs: number): void {
    const bucket = this.#bucket(durationInMs);
    scope.watchPrev = bucket.tail;
    scope.watchNext = undefined;
    if (bucket.tail === undefined) bucket.head = scope;
    else bucket.tail.watchNext = scope;
    bucket.tail = scope;
    scope.watched = true;
    if (bucket.timer === undefined) this.#arm(bucket, durationInMs, scope.deadlineAt - Date.now());
  }

  remove(scope: CallScope, durationInMs: number): void {
    if (!scope.watched) return;
    const bucket = this.#bucket(durationInMs);
    const { watchPrev: prev, watchNext: next } = scope;
    if (prev === undefined) bucket.head = next;
    else prev.watchNext = next;
    if (next === undefined) bucket.tail = prev;
    else next.watchPrev = prev;
    scope.watchPrev = undefined;
    scope.watchNext = undefined;
    scope.watched = false;
  }

  #arm(bucket: Bucket, durationInMs: number, delay: number): void {
    // One timer per bucket, even when an expiring call starts another of the same duration.
    if (bucket.timer !== undefined) clearTimeout(bucket.timer);
    // Housekeeping only: the call's own socket or wait keeps the process alive.
    bucket.timer = setTimeout(() => this.#fire(bucket, durationInMs), Math.max(0, delay));
    bucket.timer.unref();
  }

  #fire(bucket: Bucket, durationInMs: number): void {
    bucket.timer = undefined;
    const now = Date.now();
    for (let scope = bucket.head; scope !== undefined; scope = bucket.head) {
      if (scope.deadlineAt > now) {
        this.#arm(bucket, durationInMs, scope.deadlineAt - now);
        return;
      }
      this.remove(scope, durationInMs);
      scope.expire(durationInMs);
    }
    // Empty: forget the duration (calls may use many distinct ones over time).
    this.#buckets.delete(durationInMs);
    if (this.#last === bucket) {
      this.#last = undefined;
      this.#lastDuration = Number.NaN;
    }
  }
}

const deadlines = new DeadlineWatch();

/**
 * The signal of one call in flight: the caller's signal and the overall deadline, combined into a
 * scope of the call's own. The attempt in flight is attached to it and aborted directly (no
 * listener per call); the AbortSignal is only made when a step asks for it (limiter, waits, auth).
 */
export class CallScope {
  deadlineHit = false;
  /** Links of the deadline watch's list (internal). */
  watchPrev: CallScope | undefined = undefined;
  watchNext: CallScope | undefined = undefined;
  watched = false;
  readonly userSignal: AbortSignal | undefined;
  /** Date.now() based; Infinity without a deadline. */
  readonly deadlineAt: number;
  /** Something can abort the call (a caller signal or a deadline). */
  readonly abortable: boolean;
  readonly #deadlineInMs: number | undefined;
  #controller: AbortController | undefined;
  #inFlight: InFlight | undefined;
  #aborted = false;
  #reason: unknown;
  #unsubscribe: (() => void) | undefined;

  constructor(userSignal: AbortSignal | undefined, deadlineInMs: number | undefined) {
    this.userSignal = userSignal;
    this.#deadlineInMs = deadlineInMs;
    this.abortable = deadlineInMs !== undefined || userSignal !== undefined;
    this.deadlineAt = deadlineInMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + deadlineInMs;
    if (userSignal) {
      if (userSignal.aborted) this.#abort(userSignal.reason);
      else this.#unsubscribe = onAbort(userSignal, () => this.#abort(userSignal.reason));
    }
    if (deadlineInMs !== undefined && !this.#aborted) deadlines.add(this, deadlineInMs);
  }

  /** An AbortSignal following the scope (undefined when nothing can abort the call). */
  get signal(): AbortSignal | undefined {
    if (!this.abortable) return undefined;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get userAborted(): boolean {
    return this.userSignal?.aborted === true;
  }

  /** Makes `target` the attempt in flight: aborted with the scope (at once if it already is). */
  attach(target: InFlight): void {
    if (this.#aborted) target.abort(this.#reason);
    else this.#inFlight = target;
  }

  detach(target: InFlight): void {
    if (this.#inFlight === target) this.#inFlight = undefined;
  }

  /** Called by the deadline watch. */
  expire(deadlineInMs: number): void {
    this.deadlineHit = true;
    this.#abort(new TimeoutError({ phase: 'deadline', timeoutInMs: deadlineInMs }));
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    inFlight?.abort(reason);
  }

  dispose(): void {
    if (this.#deadlineInMs !== undefined) deadlines.remove(this, this.#deadlineInMs);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
