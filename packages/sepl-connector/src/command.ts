import { SeplProtocolError } from './errors.js';

/** One protocol part of a command, response or event. Values are always strings on the wire. */
export interface ProtocolPart {
  readonly name: string;
  readonly value: string;
}

/** Protocol parts as an array or as an object `{ name: value }`. */
export type ProtocolPartsInput = ReadonlyArray<ProtocolPart> | Readonly<Record<string, string>>;

/**
 * A command from the platform to one of the gateway's devices (same shape in G1 and G2).
 * Fields the platform sends beyond these are kept on the object and echoed by `respond`.
 */
export interface SeplCommand {
  /** Gateway-local device id. */
  readonly device_url: string;
  /** Service endpoint, e.g. `sepl_get`, `on`. */
  readonly service_url: string;
  readonly service_name: string;
  /** Epoch seconds as a string. */
  readonly time: string;
  readonly task_id: string;
  readonly protocol_parts: ProtocolPart[] | null;
  /** Platform device id `iot#<uuid>`. */
  readonly device_instance_id: string;
  readonly worker_id: string;
  readonly output_name: string;
}

const STRING_FIELDS = ['device_url', 'service_url', 'service_name', 'time', 'task_id', 'device_instance_id', 'worker_id', 'output_name'] as const;

function parseParts(value: unknown, raw: unknown): ProtocolPart[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) throw new SeplProtocolError('command protocol_parts is not a list', raw);
  return value.map((part: unknown) => {
    const p = part as { name?: unknown; value?: unknown } | null;
    if (typeof p !== 'object' || p === null || typeof p.name !== 'string') {
      throw new SeplProtocolError('command protocol part without a name', raw);
    }
    if (typeof p.value !== 'string') throw new SeplProtocolError(`command protocol part '${p.name}' has a non-string value`, raw);
    return { name: p.name, value: p.value };
  });
}

/**
 * Parses a command payload (already JSON-decoded). `raw` is the frame, kept (bounded) on errors.
 * Missing optional strings become `''` (the platform fills them all, but the spec marks only
 * device_url, service_url and protocol_parts as relevant to users).
 */
export function parseCommand(payload: unknown, raw: unknown = payload): SeplCommand {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new SeplProtocolError('command payload is not an object', raw);
  }
  const p = payload as Record<string, unknown>;
  const out: Record<string, unknown> = { ...p };
  for (const key of STRING_FIELDS) {
    const value = p[key];
    if (value === undefined || value === null) out[key] = '';
    else if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' && key === 'time') out[key] = String(value);
    else throw new SeplProtocolError(`command field ${key} is not a string`, raw);
  }
  if (out['device_url'] === '') throw new SeplProtocolError('command without device_url', raw);
  if (out['task_id'] === '') throw new SeplProtocolError('command without task_id', raw);
  out['protocol_parts'] = parseParts(p['protocol_parts'], raw);
  return out as unknown as SeplCommand;
}

/** Normalises user-given protocol parts; throws TypeError naming `param` on bad input. */
export function normalizeParts(parts: ProtocolPartsInput | null, param = 'parts'): ProtocolPart[] | null {
  if (parts === null) return null;
  if (Array.isArray(parts)) {
    return (parts as ReadonlyArray<ProtocolPart>).map((part, i) => {
      if (typeof part !== 'object' || part === null || typeof part.name !== 'string' || part.name === '') {
        throw new TypeError(`${param}[${i}].name must be a non-empty string`);
      }
      if (typeof part.value !== 'string') throw new TypeError(`${param}[${i}].value must be a string`);
      return { name: part.name, value: part.value };
    });
  }
  if (typeof parts !== 'object') throw new TypeError(`${param} must be an array of {name, value} or an object of strings`);
  return Object.entries(parts as Record<string, unknown>).map(([name, value]) => {
    if (typeof value !== 'string') throw new TypeError(`${param}.${name} must be a string`);
    return { name, value };
  });
}

/** The response to a command: the command echoed unchanged with `protocol_parts` replaced. */
export function responsePayload(command: SeplCommand, parts: ProtocolPartsInput | null): Record<string, unknown> {
  if (typeof command !== 'object' || command === null || typeof command.task_id !== 'string' || command.task_id === '') {
    throw new TypeError('command must be a command received from the connector');
  }
  return { ...command, protocol_parts: normalizeParts(parts) };
}
