/**
 * Faults a simulator applies to its own traffic, set at run time (by tests, or over the control
 * API): the next `count` requests matching a method and path pattern are dropped, stalled, or
 * answered with an error status (429/5xx with Retry-After). Rules fire in the order they were added.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type TestHandler, sendJson } from '../server.js';
import { waitUnlessClosed } from '../wait-unless-closed.js';

/**
 * What a fault does to one request: answer with `status` (and optional Retry-After in seconds and
 * JSON `body`), stall `stallInMs` before going on, or drop the connection without an answer.
 */
export type FaultRule =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: unknown }
  | { kind: 'stall'; stallInMs: number }
  | { kind: 'drop' };

/** A fault rule to add; `status`, `retryAfterSeconds` and `body` go with `kind: 'status'`, `stallInMs` with `'stall'`. */
export interface FaultRuleInput {
  kind: FaultRule['kind'];
  /** `*` matches any characters (slashes included); default every path. */
  path?: string;
  /** Default any method. */
  method?: string;
  /** How many matching requests it applies to. Default 1. */
  count?: number;
  status?: number;
  retryAfterSeconds?: number;
  body?: unknown;
  stallInMs?: number;
}

/** A stored fault rule; `remaining` is how many more matching requests it applies to. */
export interface ActiveFault {
  id: number;
  kind: FaultRule['kind'];
  path: string;
  method: string;
  remaining: number;
  status?: number;
  retryAfterSeconds?: number;
  stallInMs?: number;
}

/** The fault rules of one simulator, in the order they were added. */
export interface FaultPlan {
  /** Adds a rule (validated: RangeError/TypeError naming the field) and returns it. */
  add(input: FaultRuleInput): ActiveFault;
  /** Removes every rule; returns how many were pending. */
  clear(): number;
  /** The pending rules (copies). */
  list(): ActiveFault[];
  /** Takes the fault for one request (counting it down), if a rule matches. */
  take(method: string, path: string): FaultRule | undefined;
  /**
   * Applies a fault to an HTTP exchange: true when the request was answered or dropped (the
   * simulator must not answer it), false when it should go on (no fault, or after a stall).
   */
  apply(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** `handler` behind the faults. */
  wrap(handler: TestHandler): TestHandler;
}

const MAX_STALL_IN_MS = 10 * 60_000;

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function validated(input: FaultRuleInput): { rule: FaultRule; path: string; method: string; count: number } {
  if (typeof input !== 'object' || input === null) throw new TypeError('fault must be an object');
  const path = input.path ?? '*';
  if (typeof path !== 'string' || !(path.startsWith('/') || path.startsWith('*'))) throw new TypeError(`path must be a string starting with "/" or "*", got ${JSON.stringify(path)}`);
  const method = input.method ?? '*';
  if (typeof method !== 'string' || !/^(\*|[A-Za-z]+)$/.test(method)) throw new TypeError(`method must be an HTTP method or "*", got ${JSON.stringify(method)}`);
  const count = input.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1_000_000) throw new RangeError(`count must be an integer from 1 to 1000000, got ${JSON.stringify(count)}`);
  return { rule: ruleOf(input), path, method: method.toUpperCase(), count };
}

function ruleOf(input: FaultRuleInput): FaultRule {
  switch (input.kind) {
    case 'drop':
      return { kind: 'drop' };
    case 'stall': {
      const ms = input.stallInMs;
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_STALL_IN_MS) throw new RangeError(`stallInMs must be an integer from 0 to ${MAX_STALL_IN_MS}, got ${JSON.stringify(ms)}`);
      return { kind: 'stall', stallInMs: ms };
    }
    case 'status': {
      const { status, retryAfterSeconds: after } = input;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`status must be an HTTP error status (400-599), got ${JSON.stringify(status)}`);
      if (after !== undefined && (typeof after !== 'number' || !Number.isInteger(after) || after < 0 || after > 86_400)) {
        throw new RangeError(`retryAfterSeconds must be an integer from 0 to 86400, got ${JSON.stringify(after)}`);
      }
      return { kind: 'status', status, ...(after === undefined ? {} : { retryAfterSeconds: after }), ...(input.body === undefined ? {} : { body: input.body }) };
    }
    default:
      throw new TypeError(`kind must be "status", "stall" or "drop", got ${JSON.stringify((input as { kind?: unknown }).kind)}`);
  }
}

interface Entry {
  active: ActiveFault;
  rule: FaultRule;
  pattern: RegExp;
}

/** An empty plan; add rules with `add` (or `POST /control/faults`). */
export function createFaultPlan(): FaultPlan {
  const entries: Entry[] = [];
  let nextId = 1;
  const plan: FaultPlan = {
    add(input) {
      const { rule, path, method, count } = validated(input);
      const { kind, ...details } = rule;
      const shown = Object.fromEntries(Object.entries(details).filter(([key]) => key !== 'body'));
      const active: ActiveFault = { id: nextId, kind, path, method, remaining: count, ...shown };
      nextId += 1;
      entries.push({ active, rule, pattern: globToRegExp(path) });
      return { ...active };
    },
    clear() {
      const pending = entries.reduce((n, e) => n + e.active.remaining, 0);
      entries.length = 0;
      return pending;
    },
    list: () => entries.map((e) => ({ ...e.active })),
    take(method, path) {
      const index = entries.findIndex((e) => (e.active.method === '*' || e.active.method === method.toUpperCase()) && e.pattern.test(path));
      const entry = entries[index];
      if (entry === undefined) return undefined;
      entry.active.remaining -= 1;
      if (entry.active.remaining === 0) entries.splice(index, 1);
      return entry.rule;
    },
    async apply(req, res) {
      const fault = plan.take(req.method ?? 'GET', new URL(req.url ?? '/', 'http://localhost').pathname);
      if (fault === undefined) return false;
      switch (fault.kind) {
        case 'drop':
          req.socket.destroy();
          return true;
        case 'stall':
          await waitUnlessClosed(fault.stallInMs, res);
          return res.destroyed;
        case 'status': {
          req.resume();
          const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
          sendJson(res, fault.status, fault.body ?? { error: `injected fault: ${fault.status}` }, headers);
          return true;
        }
      }
    },
    wrap(handler) {
      if (typeof handler !== 'function') throw new TypeError('handler must be a function');
      return async (req, res) => {
        if (!(await plan.apply(req, res))) await handler(req, res);
      };
    },
  };
  return plan;
}
