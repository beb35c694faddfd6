/**
 * The control API every @x simulator serves on loopback (documented in SIMULATOR-CONTROL.md):
 * faults, token revocation, dropped connections, pushed commands/events, what was received, the CA.
 * Vendors plug in what their simulator can do; the rest answers 501.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closestMatch } from '../../cli/suggest.js';
import { readBody, sendJson } from '../server.js';
import { type FaultPlan, type FaultRuleInput, createFaultPlan } from './fault-plan.js';

/** What a simulator offers to {@link createControl}; an endpoint whose function is missing answers 501. */
export interface ControlOptions {
  /** The simulator's name in messages (`comap`). */
  name: string;
  /** Faults applied to the simulator's traffic; default a new plan (reachable as `control.faults`). */
  faults?: FaultPlan;
  /** Revokes one token (`{ token }`) or every token (`{}`); returns how many were revoked. */
  revokeTokens?(request: { token?: string }): number | Promise<number>;
  /** Drops open long-lived connections (push, MQTT, websockets) now; returns how many. */
  dropConnections?(): number | Promise<number>;
  /** Pushes a command or event (vendor-defined JSON); a TypeError/RangeError becomes a 400. */
  push?(body: unknown): unknown;
  /** What the simulator received (requests, events, command answers), oldest first. */
  received?(): readonly unknown[];
  /** Forgets what `received()` returns. */
  clearReceived?(): void;
  /** TLS simulators: the CA PEM to trust and the file it was written to. */
  ca?: { pem: string; path: string };
}

/** The control API made by {@link createControl}. */
export interface Control {
  readonly faults: FaultPlan;
  /** Answers `/control/...` requests and resolves true; resolves false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** A request the control API refuses (400 with the message). */
class BadRequest extends Error {}

const FAULT_FIELDS = ['kind', 'path', 'method', 'count', 'status', 'retryAfterSeconds', 'body', 'stallInMs'];
const BODY_LIMIT = 64 * 1024;

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readBody(req, BODY_LIMIT);
  } catch {
    throw new BadRequest(`body must be at most ${BODY_LIMIT} bytes`);
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest('body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('body must be a JSON object');
  return value as Record<string, unknown>;
}

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    const hint = closestMatch(key, allowed);
    throw new BadRequest(`unknown field "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; allowed: ${allowed.join(', ')}`);
  }
}

function intParam(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text)) throw new BadRequest(`${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

type Route = (req: IncomingMessage, url: URL) => Promise<{ status?: number; body: unknown }>;

function routes(options: ControlOptions, faults: FaultPlan): Record<string, Route | undefined> {
  return {
    'GET /control': () => Promise.resolve({ body: { name: options.name, endpoints: supported(routes(options, faults)) } }),
    'GET /control/faults': () => Promise.resolve({ body: { faults: faults.list() } }),
    'POST /control/faults': async (req) => {
      const body = await jsonBody(req);
      onlyFields(body, FAULT_FIELDS);
      return { status: 201, body: { fault: faults.add(body as unknown as FaultRuleInput) } };
    },
    'DELETE /control/faults': () => Promise.resolve({ body: { cleared: faults.clear() } }),
    'POST /control/tokens/revoke': options.revokeTokens
      ? async (req) => {
          const body = await jsonBody(req);
          onlyFields(body, ['token']);
          if (body.token !== undefined && (typeof body.token !== 'string' || body.token === '')) throw new BadRequest('token must be a non-empty string');
          return { body: { revoked: await options.revokeTokens?.(body.token === undefined ? {} : { token: body.token }) } };
        }
      : undefined,
    'POST /control/connections/drop': options.dropConnections ? async () => ({ body: { dropped: await options.dropConnections?.() } }) : undefined,
    'POST /control/push': options.push ? async (req) => ({ body: { result: (await options.push?.(await jsonBody(req))) ?? null } }) : undefined,
    'GET /control/received': options.received
      ? (_req, url) => {
          const all = options.received?.() ?? [];
          const since = intParam(url, 'since', 0);
          const limit = intParam(url, 'limit', 1000);
          return Promise.resolve({ body: { total: all.length, since, records: all.slice(since, since + limit) } });
        }
      : undefined,
    'DELETE /control/received': options.clearReceived
      ? () => {
          options.clearReceived?.();
          return Promise.resolve({ body: { cleared: true } });
        }
      : undefined,
    'GET /control/ca': options.ca ? () => Promise.resolve({ body: { pem: options.ca?.pem, path: options.ca?.path } }) : undefined,
  };
}

const ALL_ROUTES = [
  'GET /control',
  'GET /control/faults',
  'POST /control/faults',
  'DELETE /control/faults',
  'POST /control/tokens/revoke',
  'POST /control/connections/drop',
  'POST /control/push',
  'GET /control/received',
  'DELETE /control/received',
  'GET /control/ca',
];

function supported(table: Record<string, Route | undefined>): string[] {
  return ALL_ROUTES.filter((key) => table[key] !== undefined);
}

function checkOptions(options: ControlOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (typeof options.name !== 'string' || options.name === '') throw new TypeError('options.name must be a non-empty string');
  for (const key of ['revokeTokens', 'dropConnections', 'push', 'received', 'clearReceived'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') throw new TypeError(`options.${key} must be a function`);
  }
  if (options.ca !== undefined && (typeof options.ca.pem !== 'string' || typeof options.ca.path !== 'string')) throw new TypeError('options.ca must be { pem, path } strings');
}

/** The control API as a handler to mount in front of a simulator's own (or on its own server). */
export function createControl(options: ControlOptions): Control {
  checkOptions(options);
  const faults = options.faults ?? createFaultPlan();
  const table = routes(options, faults);
  return {
    faults,
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path !== '/control' && !path.startsWith('/control/')) return false;
      const key = `${req.method ?? 'GET'} ${path}`;
      const route = table[key];
      if (route === undefined) {
        req.resume();
        const known = ALL_ROUTES.some((r) => r === key);
        const samePath = ALL_ROUTES.some((r) => r.endsWith(` ${path}`));
        const [status, error] = known ? [501, 'not_supported'] : samePath ? [405, 'method_not_allowed'] : [404, 'not_found'];
        const message = known ? `the ${options.name} simulator does not support ${key}` : `no control endpoint ${key}; see GET /control`;
        sendJson(res, status, { error, message, endpoints: supported(table) });
        return true;
      }
      try {
        const { status = 200, body } = await route(req, url);
        sendJson(res, status, body);
      } catch (error) {
        const bad = error instanceof BadRequest || error instanceof TypeError || error instanceof RangeError;
        if (!res.headersSent) sendJson(res, bad ? 400 : 500, { error: bad ? 'bad_request' : 'failed', message: error instanceof Error ? error.message : String(error) });
      }
      return true;
    },
  };
}
