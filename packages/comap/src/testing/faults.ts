/** Fault injection for the simulator: 5xx bursts, 429 storms, slow responses, dropped connections. */

export type FaultMatch = string | RegExp | ((method: string, path: string) => boolean);

export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'delay'; delayInMs: number }
  | { kind: 'drop' };

interface Rule {
  fault: Fault;
  remaining: number;
  match: FaultMatch | undefined;
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (match === undefined) return true;
  if (typeof match === 'string') return path.includes(match);
  if (match instanceof RegExp) return match.test(path);
  return match(method, path);
}

function count(times: number): number {
  if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${String(times)}`);
  return times;
}

/**
 * Rules apply to the next `times` requests whose path matches (a substring, a RegExp or a
 * predicate; default every request), in the order they were added. A delay is followed by
 * normal handling; a status answers instead of the API; a drop destroys the socket unanswered.
 */
export class FaultInjector {
  private readonly rules: Rule[] = [];

  /** The next `times` matching requests answer `status` (e.g. a burst of 503s). */
  fail(times: number, status = 503, match?: FaultMatch): this {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`status must be an HTTP error status, got ${String(status)}`);
    this.rules.push({ fault: { kind: 'status', status }, remaining: count(times), match });
    return this;
  }

  /** The next `times` matching requests answer 429 with `Retry-After: retryAfterSeconds`. */
  throttle(times: number, retryAfterSeconds = 1, match?: FaultMatch): this {
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) throw new RangeError('retryAfterSeconds must be a non-negative integer');
    this.rules.push({ fault: { kind: 'status', status: 429, retryAfterSeconds }, remaining: count(times), match });
    return this;
  }

  /** The next `times` matching requests are answered only after `delayInMs`. */
  delay(times: number, delayInMs: number, match?: FaultMatch): this {
    if (typeof delayInMs !== 'number' || !(delayInMs >= 0)) throw new RangeError('delayInMs must be a number >= 0');
    this.rules.push({ fault: { kind: 'delay', delayInMs }, remaining: count(times), match });
    return this;
  }

  /** The next `times` matching requests get their connection destroyed without an answer. */
  drop(times: number, match?: FaultMatch): this {
    this.rules.push({ fault: { kind: 'drop' }, remaining: count(times), match });
    return this;
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** Rules still waiting to fire. */
  get pending(): number {
    return this.rules.reduce((n, r) => n + r.remaining, 0);
  }

  /** Takes the fault for one request, if any rule matches. */
  take(method: string, path: string): Fault | undefined {
    const index = this.rules.findIndex((r) => matches(r.match, method, path));
    if (index === -1) return undefined;
    const rule = this.rules[index] as Rule;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules.splice(index, 1);
    return rule.fault;
  }
}
