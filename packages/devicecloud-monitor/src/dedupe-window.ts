/**
 * A bounded memory of handled event keys, for at-least-once delivery: an event whose key is
 * remembered was handled already (a replay after a lost ack) and can be dropped. The oldest keys
 * are forgotten first, so memory stays flat; size it above the events a monitor can replay.
 */
export class DedupeWindow {
  readonly maxKeys: number;
  readonly #keys = new Set<string>();
  #dropped = 0;

  constructor(maxKeys: number) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${String(maxKeys)}`);
    this.maxKeys = maxKeys;
  }

  /** Keys remembered now. */
  get size(): number {
    return this.#keys.size;
  }

  /** Events dropped as duplicates so far (counted by `isDuplicate`). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether `key` was handled already (then it is counted as a dropped duplicate). */
  isDuplicate(key: string): boolean {
    if (!this.#keys.has(key)) return false;
    this.#dropped += 1;
    return true;
  }

  /** Remembers a handled key, forgetting the oldest beyond `maxKeys`. */
  remember(key: string): void {
    if (typeof key !== 'string') throw new TypeError('key must be a string');
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.maxKeys) {
      const oldest = this.#keys.values().next().value as string;
      this.#keys.delete(oldest);
    }
  }

  /** Forgets every remembered key (the `dropped` count is kept). */
  clear(): void {
    this.#keys.clear();
  }
}
