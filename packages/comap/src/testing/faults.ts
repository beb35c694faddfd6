/**
 * The simulator's fault shortcuts (`sim.faults.fail(3, 503)`), kept for tests written against
 * them. They add rules to the simulator's one fault plan, the same plan the control API's
 * `POST /control/faults` adds to, so rules from both fire in the order they were added.
 */
import { createFaultPlan, type FaultPlan, type FaultRule } from '@x/http-core/testing';

/** A part of the URL path (`'/command'`): the rule matches every path containing it. Default every path. */
export type FaultMatch = string;

/** What a rule does to a request (http-core's FaultRule: status, stall, drop). */
export type Fault = FaultRule;

/** The most requests one rule covers (the shared plan's limit). */
const MAX_TIMES = 1_000_000;

function count(times: number): number {
  if (!Number.isInteger(times) || times < 1 || times > MAX_TIMES) throw new RangeError(`times must be an integer from 1 to ${MAX_TIMES}, got ${String(times)}`);
  return times;
}

function pathPattern(match: FaultMatch | undefined): string {
  if (match === undefined) return '*';
  if (typeof match !== 'string' || match === '') throw new TypeError('match must be a non-empty part of the URL path');
  return `*${match}*`;
}

/**
 * Rules apply to the next `times` requests whose path contains `match` (default every request),
 * in the order they were added. A stall is followed by normal handling; a status answers
 * instead of the API (in ComAp's error shape); a drop destroys the socket unanswered.
 */
export class FaultInjector {
  /** The plan the rules go into (the control API's). */
  readonly plan: FaultPlan;

  constructor(plan: FaultPlan = createFaultPlan()) {
    this.plan = plan;
  }

  /** The next `times` matching requests answer `status` (e.g. a burst of 503s). */
  fail(times: number, status = 503, match?: FaultMatch): this {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`status must be an HTTP error status, got ${String(status)}`);
    this.plan.add({ kind: 'status', status, count: count(times), path: pathPattern(match) });
    return this;
  }

  /** The next `times` matching requests answer 429 with `Retry-After: retryAfterSeconds`. */
  throttle(times: number, retryAfterSeconds = 1, match?: FaultMatch): this {
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) throw new RangeError('retryAfterSeconds must be a non-negative integer');
    this.plan.add({ kind: 'status', status: 429, retryAfterSeconds, count: count(times), path: pathPattern(match) });
    return this;
  }

  /** The next `times` matching requests are answered only after `delayInMs` (a stall). */
  delay(times: number, delayInMs: number, match?: FaultMatch): this {
    if (typeof delayInMs !== 'number' || !Number.isInteger(delayInMs) || delayInMs < 0) throw new RangeError('delayInMs must be an integer >= 0');
    this.plan.add({ kind: 'stall', stallInMs: delayInMs, count: count(times), path: pathPattern(match) });
    return this;
  }

  /** The next `times` matching requests get their connection destroyed without an answer. */
  drop(times: number, match?: FaultMatch): this {
    this.plan.add({ kind: 'drop', count: count(times), path: pathPattern(match) });
    return this;
  }

  /** Drops every pending rule. */
  clear(): void {
    this.plan.clear();
  }

  /** Requests still covered by pending rules. */
  get pending(): number {
    return this.plan.list().reduce((n, rule) => n + rule.remaining, 0);
  }

  /** Takes the fault for one request, if any rule matches. */
  take(method: string, path: string): Fault | undefined {
    return this.plan.take(method, path);
  }
}
