/**
 * Runs tasks concurrently up to a limit while keeping tasks of the same key in submission order
 * (per-key ordering): a task starts only after the previous task of its key settled. `submit()`
 * resolves once the task holds a slot, so a producer that awaits it never runs ahead by more
 * than `concurrency` tasks (backpressure).
 */
export class KeyedDispatcher {
  readonly concurrency: number;
  /** The last task of each key (removed once it settled and no later one chained on it). */
  readonly #tails = new Map<string, Promise<void>>();
  readonly #running = new Set<Promise<void>>();

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${String(concurrency)}`);
    this.concurrency = concurrency;
  }

  /** Tasks submitted and not settled yet. */
  get pending(): number {
    return this.#running.size;
  }

  /** Waits for a free slot, then chains `task` after the previous task of `key`. `task` must not reject. */
  async submit(key: string, task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.concurrency) await Promise.race(this.#running);
    const previous = this.#tails.get(key);
    const run = previous ? previous.then(task) : task();
    this.#tails.set(key, run);
    this.#running.add(run);
    void run.finally(() => {
      this.#running.delete(run);
      if (this.#tails.get(key) === run) this.#tails.delete(key);
    });
  }

  /** Resolves once every submitted task settled. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running);
  }
}
