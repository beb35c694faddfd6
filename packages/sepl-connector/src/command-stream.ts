import type { SeplCommand } from './command.js';

/**
 * An async iterator of commands with a soft-bounded buffer. `push` never drops a command; it
 * returns false once the buffer holds `limit` or more, and the caller then stops reading the
 * socket (backpressure) until `onRead` reports that a read made room. `end` finishes the
 * iteration after the buffered commands; `fail` makes the next read throw after them.
 */
export class CommandStream implements AsyncIterableIterator<SeplCommand> {
  readonly #buffer: SeplCommand[] = [];
  readonly #waiters: Array<{ resolve(r: IteratorResult<SeplCommand>): void; reject(err: unknown): void }> = [];
  readonly #limit: number;
  readonly #onDone: (stream: CommandStream) => void;
  readonly #onRead: () => void;
  #done = false;
  #error: unknown;

  constructor(limit: number, onDone: (stream: CommandStream) => void, onRead: () => void = () => undefined) {
    this.#limit = limit;
    this.#onDone = onDone;
    this.#onRead = onRead;
  }

  /** True while the buffer holds `limit` commands or more. */
  get full(): boolean {
    return this.#buffer.length >= this.#limit;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  push(command: SeplCommand): boolean {
    if (this.#done) return true;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve({ value: command, done: false });
      return true;
    }
    this.#buffer.push(command);
    return !this.full;
  }

  end(): void {
    this.#finish(undefined);
  }

  fail(error: unknown): void {
    this.#finish(error);
  }

  #finish(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    this.#onDone(this);
    const waiters = this.#waiters.splice(0);
    // a waiting reader receives the error; otherwise the next read does
    if (waiters.length > 0) this.#error = undefined;
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(error);
    }
  }

  next(): Promise<IteratorResult<SeplCommand>> {
    const value = this.#buffer.shift();
    if (value !== undefined) {
      this.#onRead();
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) {
      if (this.#error !== undefined) {
        const error = this.#error;
        this.#error = undefined;
        return Promise.reject(error instanceof Error ? error : new Error('command stream failed', { cause: error }));
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<SeplCommand>> {
    this.#buffer.length = 0;
    this.#finish(undefined);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
