/**
 * G3 payloads in the common command shape, so one application handles G1, G2 and G3 alike:
 * a G3 command becomes a SeplCommand (task_id = correlation id, parts `data` and `metadata`),
 * and protocol parts become the `{metadata, data}` of a G3 event or response.
 */
import { normalizeParts, type ProtocolPart, type ProtocolPartsInput, type SeplCommand } from './command.js';
import type { G3Command, G3Data } from './g3-messages.js';

/** A G3 command in the common shape; `g3` is the command as the platform sent it. */
export interface SeplG3Command extends SeplCommand {
  readonly g3: G3Command;
}

/** device_url = device id, service_url = service_name = service id, task_id = correlation id. */
export function seplCommandFromG3(command: G3Command): SeplG3Command {
  const parts: ProtocolPart[] = [];
  if (command.data !== null) parts.push({ name: 'data', value: command.data });
  if (command.metadata !== null) parts.push({ name: 'metadata', value: command.metadata });
  return {
    device_url: command.deviceId,
    service_url: command.serviceId,
    service_name: command.serviceId,
    time: command.timestamp === null ? '' : String(command.timestamp),
    task_id: command.correlationId,
    protocol_parts: parts,
    device_instance_id: '',
    worker_id: '',
    output_name: '',
    g3: command,
  };
}

/** The G3 command a common-shape command answers (rebuilt from its fields, so a JSON copy works too). */
export function g3CommandFromSepl(command: SeplCommand): G3Command {
  if (typeof command !== 'object' || command === null || typeof command.task_id !== 'string' || command.task_id === '') {
    throw new TypeError('command must be a command received from the connector');
  }
  if (typeof command.device_url !== 'string' || command.device_url === '' || typeof command.service_url !== 'string' || command.service_url === '') {
    throw new TypeError('command.device_url and command.service_url must be non-empty strings');
  }
  return { deviceId: command.device_url, serviceId: command.service_url, correlationId: command.task_id, data: null, metadata: null, completionStrategy: null, timestamp: null };
}

/** Protocol parts as G3 `{metadata, data}`: only those two names exist in G3 (RangeError naming `param` otherwise). */
export function g3DataFromParts(parts: ProtocolPartsInput | null, param = 'parts'): G3Data {
  const data: G3Data = { metadata: null, data: null };
  for (const part of normalizeParts(parts, param) ?? []) {
    if (part.name !== 'data' && part.name !== 'metadata') throw new RangeError(`${param}: G3 carries only the parts 'data' and 'metadata', not '${part.name}'`);
    data[part.name] = part.value;
  }
  return data;
}
