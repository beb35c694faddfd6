/** What the connector commands (`run`, `event`) share: flags, devices file, the connector from env + flags. */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, UsageError, type Output } from '@x/http-core/cli';
import { SeplConnector, type SeplConnectorOptions, type SeplG3Options } from '../client.js';
import type { ProtocolPartsInput } from '../command.js';
import { configFromEnv, type SeplEnvConfig } from '../config.js';
import { validateDevice, type SeplDevice } from '../device.js';
import { loggerFor } from '../log.js';
import { FileDeviceStore } from '../file-store.js';
import { MemoryDeviceStore } from '../memory-store.js';
import type { DeviceStore } from '../store.js';

export const connectorOptions = {
  devices: { type: 'string', valueName: 'devices.json', description: 'devices to register: a JSON array or {"devices": [...]}' },
  protocol: { type: 'string', choices: ['g2', 'g1', 'g3'], description: 'g2 (websocket, handler/token), g1 (seed websocket) or g3 (SENERGY: OpenID, hub REST, MQTT); default CONNECTOR_PROTOCOL, else g2' },
  ca: { type: 'string', valueName: 'ca.pem', description: 'g3: PEM file of an extra CA to trust for the broker (default CONNECTOR_G3_CA_FILE)' },
  url: { type: 'string', valueName: 'ws://…', description: 'websocket URL (default: looked up at CONNECTOR_LOOKUP_URL)' },
  store: { type: 'string', valueName: 'file.json', description: 'device store file (keeps the gateway id across runs)' },
} as const;

export interface ConnectorFlags {
  devices?: string | undefined;
  protocol?: string | undefined;
  ca?: string | undefined;
  url?: string | undefined;
  store?: string | undefined;
}

/** The CONNECTOR_* variables, a bad one as a configuration error (exit 78). */
export function envConfig(env: Readonly<Record<string, string | undefined>>): SeplEnvConfig {
  try {
    return configFromEnv(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

export async function readDevices(path: string): Promise<SeplDevice[]> {
  let text: string;
  try {
    text = await readFile(resolve(path), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --devices ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--devices ${path} is not valid JSON`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list)) throw new UsageError(`--devices ${path} must hold an array of devices (or {"devices": [...]})`);
  try {
    return list.map((d, i) => validateDevice(d, `devices[${i}]`));
  } catch (err) {
    throw new UsageError(`--devices ${path}: ${(err as Error).message}`);
  }
}

export function parseParts(text: string, name: string): ProtocolPartsInput | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${name} must be JSON: an object of strings, an array of {name, value} or null`);
  }
  if (parsed === null) return null;
  if (typeof parsed !== 'object') throw new UsageError(`${name} must be an object of strings, an array of {name, value} or null`);
  return parsed as ProtocolPartsInput;
}

/** A connector from the environment and the flags; log lines go to stderr at LOGLEVEL. */
export async function connectorFrom(
  flags: ConnectorFlags,
  env: Readonly<Record<string, string | undefined>>,
  stderr: Output,
  extra: Pick<SeplConnectorOptions, 'reconnect'> = {},
): Promise<SeplConnector> {
  const config = envConfig(env);
  if (config.user === undefined) throw new ConfigError('CONNECTOR_USER is not set');
  if (config.password === undefined) throw new ConfigError('CONNECTOR_PASSWORD is not set');
  const protocol = flags.protocol ?? config.protocol ?? 'g2';
  const target = protocol === 'g3' ? { g3: await g3Target(config, flags.ca) } : websocketTarget(flags, config);
  const store: DeviceStore = flags.store === undefined ? new MemoryDeviceStore() : new FileDeviceStore(isAbsolute(flags.store) ? flags.store : resolve(flags.store));
  if (flags.devices !== undefined) {
    for (const device of await readDevices(flags.devices)) await store.add(device);
  }
  const sink = { debug: (l: string) => stderr.line(l), info: (l: string) => stderr.line(l), warn: (l: string) => stderr.line(l), error: (l: string) => stderr.line(l) };
  return new SeplConnector({
    protocol: protocol === 'g1' || protocol === 'g3' ? protocol : 'g2',
    ...target,
    user: config.user,
    password: config.password,
    store,
    logger: loggerFor(config.logLevel, sink),
    ...extra,
  });
}

function websocketTarget(flags: ConnectorFlags, config: SeplEnvConfig): Pick<SeplConnectorOptions, 'url' | 'lookupUrl' | 'registrationPath' | 'https'> {
  if (flags.url === undefined && config.lookupUrl === undefined) throw new ConfigError('set CONNECTOR_LOOKUP_URL (or pass --url)');
  return {
    ...(flags.url !== undefined ? { url: flags.url } : {}),
    ...(config.lookupUrl !== undefined ? { lookupUrl: config.lookupUrl } : {}),
    registrationPath: config.registrationPath,
    https: config.https,
  };
}

const G3_REQUIRED = [
  ['tokenUrl', 'CONNECTOR_G3_TOKEN_URL'],
  ['clientId', 'CONNECTOR_G3_CLIENT_ID'],
  ['hubUrl', 'CONNECTOR_G3_HUB_URL'],
  ['deviceUrl', 'CONNECTOR_G3_DEVICE_URL'],
  ['mqttUrl', 'CONNECTOR_G3_MQTT_URL'],
] as const;

/** The G3 endpoints from CONNECTOR_G3_*; a missing one or an unreadable CA file is a configuration error. */
async function g3Target(config: SeplEnvConfig, caFlag: string | undefined): Promise<SeplG3Options> {
  const missing = G3_REQUIRED.filter(([key]) => config.g3[key] === undefined).map(([, name]) => name);
  if (missing.length > 0) throw new ConfigError(`--protocol g3 needs ${missing.join(', ')}`);
  const g3 = config.g3 as Required<Pick<SeplG3Options, 'tokenUrl' | 'clientId' | 'hubUrl' | 'deviceUrl' | 'mqttUrl'>>;
  const caFile = caFlag ?? config.g3.caFile;
  if (caFile === undefined) return { tokenUrl: g3.tokenUrl, clientId: g3.clientId, hubUrl: g3.hubUrl, deviceUrl: g3.deviceUrl, mqttUrl: g3.mqttUrl };
  let ca: string;
  try {
    ca = await readFile(resolve(caFile), 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the CA file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { tokenUrl: g3.tokenUrl, clientId: g3.clientId, hubUrl: g3.hubUrl, deviceUrl: g3.deviceUrl, mqttUrl: g3.mqttUrl, ca };
}
