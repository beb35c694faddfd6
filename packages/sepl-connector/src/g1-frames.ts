import { parseCommand, type ProtocolPart, type SeplCommand } from './command.js';
import type { SeplDevice } from './device.js';
import { SeplProtocolError } from './errors.js';

/** The G1 (seed) wire format: prefixes instead of an envelope. */

/** Bare frame asking the platform to re-read the device usage after a registration. */
export const G1_UPDATE_FRAME = 'update';

/** First frame after connecting: the raw credentials JSON. */
export function g1CredentialsFrame(user: string, password: string): string {
  return JSON.stringify({ user, pw: password });
}

/** Outbound framing: `response:` when the message carries a task id, else `change:`. */
export function g1OutboundFrame(message: Record<string, unknown>): string {
  const taskId = message['task_id'];
  const prefix = typeof taskId === 'string' && taskId !== '' ? 'response:' : 'change:';
  return prefix + JSON.stringify(message);
}

/** A G1 event (a `change:` frame body): no task id. */
export function g1EventMessage(deviceId: string, service: string, parts: ProtocolPart[], epochSeconds: number): Record<string, unknown> {
  return {
    device_url: deviceId,
    service_url: service,
    service_name: service,
    time: String(Math.floor(epochSeconds)),
    protocol_parts: parts,
  };
}

/** Parses an inbound G1 frame: a raw JSON command without prefix. */
export function parseG1Inbound(text: string): SeplCommand {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new SeplProtocolError('G1 frame is not JSON', text);
  }
  return parseCommand(payload, text);
}

/** Body of the registration POST (the seed's `Device(id, type, name)` → `id`/`zway_type`/`title`). */
export function g1RegistrationBody(user: string, password: string, devices: readonly SeplDevice[]): Record<string, unknown> {
  return {
    credentials: { user, pw: password },
    devices: devices.map((d) => ({ id: d.id, zway_type: d.type, title: d.name })),
  };
}
