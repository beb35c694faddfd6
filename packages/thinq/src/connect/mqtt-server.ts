/** The MQTT broker address of `GET route`. */
import { MalformedResponseError } from '../errors.js';

/** `mqtts://host:port` (or a bare host) → host and port (default 8883). */
export function parseMqttServer(server: string): { host: string; port: number } {
  const m = /^(?:(?:mqtts|ssl|tls):\/\/)?([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(server.trim());
  if (!m?.[1]) throw new MalformedResponseError('route: mqttServer is not a host[:port]', server);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 8883 };
}
