/**
 * The bounded buffer between a session's connections and its one consumer (the async iterator).
 *
 * Backpressure: with `pause`, reaching `highWaterMark` items calls `onPause` (the session asks
 * the connection to stop reading) and draining to `lowWaterMark` (half of it) calls `onResume`;
 * nothing is dropped, and the buffer only exceeds the mark by what the source sends before it
 * honours the pause. With `drop-oldest`, the buffer never holds more than `highWaterMark`: each
 * item over it evicts the oldest, which `onDrop` reports.
 */
import type { OverflowStrategy } from './options.js';

/** An item with the connection that delivered it (acknowledgements go to that connection only). */
export interface QueueEntry<T> {
  item: T;
  connection: number;
}

export interface DeliveryQueueHooks<T> {
  onPause(): void;
  onResume(): void;
  /** `firstOfRun`: the first drop since the buffer was last down to `lowWaterMark`. */
  onDrop(entry: QueueEntry<T>, firstOfRun: boolean): void;
  /** The consumer is done with an item (it asked for the next one). */
  onConsumed(entry: QueueEntry<T>): void;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

export class DeliveryQueue<T> {
  readonly #highWaterMark: number;
  readonly #lowWaterMark: number;
  readonly #overflow: OverflowStrategy;
  readonly #hooks: DeliveryQueueHooks<T>;
  #entries: QueueEntry<T>[] = [];
  #waiter: Waiter<T> | undefined;
  #outstanding: QueueEntry<T> | undefined;
  #paused = false;
  #dropping = false;
  #ended = false;
  #failure: Error | undefined;
  delivered = 0;
  consumed = 0;
  dropped = 0;
  maxBuffered = 0;

  constructor(highWaterMark: number, overflow: OverflowStrategy, hooks: DeliveryQueueHooks<T>) {
    this.#highWaterMark = highWaterMark;
    this.#lowWaterMark = Math.floor(highWaterMark / 2);
    this.#overflow = overflow;
    this.#hooks = hooks;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Whether the source was asked to pause and not resumed since. */
  get paused(): boolean {
    return this.#paused;
  }

  push(item: T, connection: number): void {
    if (this.#ended) return;
    this.delivered += 1;
    const entry = { item, connection };
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      this.#handOut(entry, waiter);
      return;
    }
    this.#entries.push(entry);
    if (this.#overflow === 'drop-oldest' && this.#entries.length > this.#highWaterMark) {
      const oldest = this.#entries.shift() as QueueEntry<T>;
      this.dropped += 1;
      const first = !this.#dropping;
      this.#dropping = true;
      this.#hooks.onDrop(oldest, first);
    }
    this.maxBuffered = Math.max(this.maxBuffered, this.#entries.length);
    if (this.#overflow === 'pause' && !this.#paused && this.#entries.length >= this.#highWaterMark) {
      this.#paused = true;
      this.#hooks.onPause();
    }
  }

  /** The iterator's `next()`: finishes the previous item, then hands out the next one or waits. */
  next(): Promise<IteratorResult<T>> {
    this.#finishOutstanding();
    if (this.#waiter) return Promise.reject(new Error('next() was called before the previous call settled'));
    const entry = this.#entries.shift();
    if (entry) {
      this.#maybeResume();
      return new Promise((resolve, reject) => this.#handOut(entry, { resolve, reject }));
    }
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The consumer left: the item it held is not acknowledged, buffered ones are discarded. */
  release(): void {
    this.#outstanding = undefined;
    this.#entries = [];
    this.end(undefined);
  }

  /**
   * No more items will come. Buffered items are still handed out, then the iterator ends (or
   * throws `failure`).
   */
  end(failure: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failure = failure;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (!waiter) return;
    if (failure) waiter.reject(failure);
    else waiter.resolve({ done: true, value: undefined });
  }

  #handOut(entry: QueueEntry<T>, waiter: Waiter<T>): void {
    this.consumed += 1;
    this.#outstanding = entry;
    waiter.resolve({ done: false, value: entry.item });
  }

  #finishOutstanding(): void {
    const entry = this.#outstanding;
    if (!entry) return;
    this.#outstanding = undefined;
    this.#hooks.onConsumed(entry);
  }

  #maybeResume(): void {
    if (this.#entries.length <= this.#lowWaterMark) this.#dropping = false;
    if (!this.#paused || this.#entries.length > this.#lowWaterMark) return;
    this.#paused = false;
    this.#hooks.onResume();
  }
}
