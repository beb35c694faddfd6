/** A rolling-window counter: at most `limit` hits in any `windowInMs` (the APIM rate-limit shape). */
export class RollingWindow {
  private readonly hits: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowInMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${String(limit)}`);
    if (typeof windowInMs !== 'number' || !(windowInMs > 0)) throw new RangeError(`windowInMs must be a number > 0, got ${String(windowInMs)}`);
  }

  private expire(now: number): void {
    while (this.hits.length > 0 && (this.hits[0] as number) <= now - this.windowInMs) this.hits.shift();
  }

  /** How long until the window has room (0: it has room now). Counts nothing. */
  waitInMs(now: number): number {
    this.expire(now);
    return this.hits.length < this.limit ? 0 : Math.max(1, (this.hits[0] as number) + this.windowInMs - now);
  }

  /** Counts a hit without checking (after `waitInMs` said 0). */
  add(now: number): void {
    this.hits.push(now);
  }

  /** Counts a hit if the window has room. */
  hit(now: number): { allowed: true; remaining: number } | { allowed: false; retryAfterInMs: number } {
    const wait = this.waitInMs(now);
    if (wait > 0) return { allowed: false, retryAfterInMs: wait };
    this.add(now);
    return { allowed: true, remaining: this.limit - this.hits.length };
  }

  remaining(now: number): number {
    this.expire(now);
    return this.limit - this.hits.length;
  }
}
