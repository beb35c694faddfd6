import { SeplProtocolError } from './errors.js';

/** The reference client's default QoS (exactly once). */
export const G3_QOS = 2;

/** `metadata` and `data` of an event or a response (strings, as the platform reads them). */
export interface G3Data {
  metadata?: string | null;
  data?: string | null;
}

/** A command from `command/{device}/{service}`. */
export interface G3Command {
  deviceId: string;
  serviceId: string;
  correlationId: string;
  data: string | null;
  metadata: string | null;
  /** `optimistic` or `pessimistic` (whether the platform waits for the response). */
  completionStrategy: string | null;
  /** Seconds since the epoch, as sent. */
  timestamp: number | null;
}

/** The G3 broker's MQTT topics (ids are used as given, not escaped). */
export const g3Topics = {
  /** The command topics of a device (filter: `command/{device}/+`, one per service). */
  commands: (deviceId: string): string => `command/${deviceId}/+`,
  /** Errors about the hub's connection (the platform's `error` topic). */
  hubErrors: 'error',
  /** Errors about one device (`error/device/{device}`). */
  deviceErrors: (deviceId: string): string => `error/device/${deviceId}`,
  /** Where a device's service publishes events (`event/{device}/{service}`). */
  event: (deviceId: string, serviceId: string): string => `event/${deviceId}/${serviceId}`,
  /** Where command answers go (`response/{device}/{service}`). */
  response: (deviceId: string, serviceId: string): string => `response/${deviceId}/${serviceId}`,
};

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : value === null || value === undefined ? null : JSON.stringify(value);
}

/** Decodes a command message; undefined for a message that is not on a command topic. */
export function decodeG3Command(topic: string, payload: Buffer): G3Command | undefined {
  const match = /^command\/([^/]+)\/([^/]+)$/.exec(topic);
  if (!match) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new SeplProtocolError(`command on ${topic} is not JSON`, payload.toString('utf8'));
  }
  const b = body as { correlation_id?: unknown; payload?: unknown; completion_strategy?: unknown; timestamp?: unknown } | null;
  if (typeof b !== 'object' || b === null || typeof b.correlation_id !== 'string' || b.correlation_id === '') {
    throw new SeplProtocolError(`command on ${topic} has no correlation_id`, body);
  }
  const inner = (typeof b.payload === 'object' && b.payload !== null ? b.payload : {}) as { data?: unknown; metadata?: unknown };
  return {
    deviceId: match[1] as string,
    serviceId: match[2] as string,
    correlationId: b.correlation_id,
    data: text(inner.data),
    metadata: text(inner.metadata),
    completionStrategy: typeof b.completion_strategy === 'string' ? b.completion_strategy : null,
    timestamp: typeof b.timestamp === 'number' ? b.timestamp : null,
  };
}
