import { parseCommand, type SeplCommand } from './command.js';
import { SeplProtocolError } from './errors.js';

/** The G2 wire format: a JSON envelope `{handler, token, payload}`. */

/** Names of the client-to-server handlers; configurable because the platform notes disagree. */
export interface HandlerNames {
  clear: string;
  put: string;
  disconnect: string;
  delete: string;
  commit: string;
  event: string;
  response: string;
}

/** The handler names used when none are configured: each one its own key (`put: 'put'`, …). */
export const DEFAULT_HANDLERS: Readonly<HandlerNames> = Object.freeze({
  clear: 'clear',
  put: 'put',
  disconnect: 'disconnect',
  delete: 'delete',
  commit: 'commit',
  event: 'event',
  response: 'response',
});

/** Merges user handler names over the defaults, checking each. */
export function resolveHandlers(input: Partial<HandlerNames> | undefined): HandlerNames {
  const out = { ...DEFAULT_HANDLERS };
  if (input === undefined) return out;
  if (typeof input !== 'object' || input === null) throw new TypeError('handlers must be an object');
  for (const [key, value] of Object.entries(input)) {
    if (!(key in DEFAULT_HANDLERS)) throw new RangeError(`handlers.${key} is not a known handler`);
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new TypeError(`handlers.${key} must be a non-empty string`);
    out[key as keyof HandlerNames] = value;
  }
  return out;
}

/** The token of the credentials frame and of its answer. */
export const CREDENTIALS_TOKEN = 'credentials';

/** First frame: credentials, not enveloped. */
export function g2CredentialsFrame(user: string, password: string, gatewayId: string | undefined): string {
  return JSON.stringify({ user, pw: password, gid: gatewayId ?? '', token: CREDENTIALS_TOKEN });
}

/** A client-to-server request. */
export function g2RequestFrame(handler: string, token: string, payload: unknown): string {
  return JSON.stringify({ handler, token, payload: payload ?? null });
}

/** A server-to-client frame, decoded. */
export type G2Inbound =
  | { kind: 'response'; status: number; token: string; handler: string; payload: unknown }
  | { kind: 'command'; command: SeplCommand };

/** Parses a server frame; throws SeplProtocolError (with a bounded raw preview) on anything else. */
export function parseG2Inbound(text: string): G2Inbound {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new SeplProtocolError('G2 frame is not JSON', text);
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    throw new SeplProtocolError('G2 frame is not an object', text);
  }
  const f = frame as Record<string, unknown>;
  if (f['handler'] === 'command') return { kind: 'command', command: parseCommand(f['payload'], text) };
  if (typeof f['token'] !== 'string' || f['token'] === '') throw new SeplProtocolError('G2 frame without a token', text);
  const status = f['status'];
  if (typeof status !== 'number' || !Number.isInteger(status)) throw new SeplProtocolError('G2 response without a status', text);
  const handler = typeof f['handler'] === 'string' ? f['handler'] : 'response';
  return { kind: 'response', status, token: f['token'], handler, payload: f['payload'] };
}

/** The payload of the handshake answer: `{gid, hash}`. */
export function parseHandshakePayload(payload: unknown, raw: string): { gatewayId: string; hash: string } {
  const p = payload as { gid?: unknown; hash?: unknown } | null;
  if (typeof p !== 'object' || p === null || typeof p.gid !== 'string' || p.gid === '') {
    throw new SeplProtocolError('handshake answer without a gateway id', raw);
  }
  const hash = p.hash === undefined || p.hash === null ? '' : p.hash;
  if (typeof hash !== 'string') throw new SeplProtocolError('handshake answer with a non-string hash', raw);
  return { gatewayId: p.gid, hash };
}
