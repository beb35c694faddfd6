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

/** What undici accepts as a signal: an AbortSignal, or this much of an EventEmitter. */
export interface DispatchSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  on(event: 'abort', listener: () => void): unknown;
  once(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
}

/**
 * The overall deadlines of calls in flight, on one timer per distinct duration: scopes of one
 * duration expire in the order they started, so each bucket is a FIFO set whose head is next.
 * A per-call timer plus AbortController cost about a fifth of a fast call's time.
 */
class DeadlineWatch {
  readonly #buckets = new Map<number, { scopes: Set<CallScope>; timer: ReturnType<typeof setTimeout> | undefined }>();

  add(scope: CallScope, durationInMs: number): void {
    let bucket = this.#buckets.get(durationInMs);
    if (bucket === undefined) {
      bucket = { scopes: new Set(), timer: undefined };
      this.#buckets.set(durationInMs, bucket);
    }
    bucket.scopes.add(scope);
    if (bucket.timer === undefined) this.#arm(durationInMs, scope.deadlineAt - Date.now());
  }

  remove(scope: CallScope, durationInMs: number): void {
    this.#buckets.get(durationInMs)?.scopes.delete(scope);
  }

  #arm(durationInMs: number, delay: number): void {
    const bucket = this.#buckets.get(durationInMs);
    if (bucket === undefined) return;
    // Housekeeping only: the call's own socket or wait keeps the process alive.
    bucket.timer = setTimeout(() => this.#fire(durationInMs), Math.max(0, delay));
    bucket.timer.unref();
  }

  #fire(durationInMs: number): void {
    const bucket = this.#buckets.get(durationInMs);
    if (bucket === undefined) return;
    bucket.timer = undefined;
    const now = Date.now();
    for (const scope of bucket.scopes) {
      if (scope.deadlineAt > now) {
        this.#arm(durationInMs, scope.deadlineAt - now);
        return;
      }
      bucket.scopes.delete(scope);
      scope.expire(durationInMs);
    }
    this.#buckets.delete(durationInMs);
  }
}

const deadlines = new DeadlineWatch();

/**
 * The signal of one call in flight: the caller's signal and the overall deadline, combined into a
 * signal of the call's own (so undici, the limiter and the waits listen to it, not the caller's).
 * The AbortSignal is only made when a step asks for it; undici gets a light emitter otherwise.
 */
export class CallScope implements DispatchSignal {
  deadlineHit = false;
  readonly userSignal: AbortSignal | undefined;
  /** Date.now() based; Infinity without a deadline. */
  readonly deadlineAt: number;
  readonly #deadlineInMs: number | undefined;
  readonly #abortable: boolean;
  #controller: AbortController | undefined;
  #listeners: (() => void)[] | undefined;
  #aborted = false;
  #reason: unknown;
  #unsubscribe: (() => void) | undefined;

  constructor(userSignal: AbortSignal | undefined, deadlineInMs: number | undefined) {
    this.userSignal = userSignal;
    this.#deadlineInMs = deadlineInMs;
    this.#abortable = deadlineInMs !== undefined || userSignal !== undefined;
    this.deadlineAt = deadlineInMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + deadlineInMs;
    if (userSignal) {
      if (userSignal.aborted) this.#abort(userSignal.reason);
      else this.#unsubscribe = onAbort(userSignal, () => this.#abort(userSignal.reason));
    }
    if (deadlineInMs !== undefined && !this.#aborted) deadlines.add(this, deadlineInMs);
  }

  /** An AbortSignal following the scope (undefined when nothing can abort the call). */
  get signal(): AbortSignal | undefined {
    if (!this.#abortable) return undefined;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** What to hand undici: the AbortSignal if one was made, else the scope itself. */
  get dispatchSignal(): DispatchSignal | AbortSignal | undefined {
    if (!this.#abortable) return undefined;
    return this.#controller?.signal ?? this;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  on(_event: 'abort', listener: () => void): this {
    (this.#listeners ??= []).push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const index = this.#listeners?.indexOf(listener) ?? -1;
    if (index !== -1) this.#listeners?.splice(index, 1);
    return this;
  }

  get userAborted(): boolean {
    return this.userSignal?.aborted === true;
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
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  dispose(): void {
    if (this.#deadlineInMs !== undefined) deadlines.remove(this, this.#deadlineInMs);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
