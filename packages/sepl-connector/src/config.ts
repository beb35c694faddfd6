/** Configuration from the seed's environment variables, validated. */

/** Log levels as the seed names them (`LOGLEVEL`). */
export type SeplLogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

/** What the environment configures. */
export interface SeplEnvConfig {
  /** `CONNECTOR_LOOKUP_URL`, when set. */
  lookupUrl?: string;
  /** `CONNECTOR_DEVICE_REGISTRATION_PATH`, default `discovery`. */
  registrationPath: string;
  /** `CONNECTOR_HTTPS`, default false. */
  https: boolean;
  /** `CONNECTOR_USER`, when set. */
  user?: string;
  /** `CONNECTOR_PASSWORD`, when set. */
  password?: string;
  /** `LOGLEVEL` (or the seed's `LOGGING_LEVEL`), default `info`. */
  logLevel: SeplLogLevel;
  /** `CONNECTOR_PROTOCOL` (`g1`, `g2` or `g3`), when set. */
  protocol?: 'g1' | 'g2' | 'g3';
  /** The `CONNECTOR_G3_*` variables that are set (G3 endpoints; the CA as a file path). */
  g3: SeplG3EnvConfig;
}

/** G3 endpoints from `CONNECTOR_G3_TOKEN_URL`, `_CLIENT_ID`, `_HUB_URL`, `_DEVICE_URL`, `_MQTT_URL`, `_CA_FILE`. */
export interface SeplG3EnvConfig {
  tokenUrl?: string;
  clientId?: string;
  hubUrl?: string;
  deviceUrl?: string;
  mqttUrl?: string;
  /** Path of a PEM file with an extra CA for the broker. */
  caFile?: string;
}

const G3_VARIABLES = [
  ['tokenUrl', 'CONNECTOR_G3_TOKEN_URL'],
  ['clientId', 'CONNECTOR_G3_CLIENT_ID'],
  ['hubUrl', 'CONNECTOR_G3_HUB_URL'],
  ['deviceUrl', 'CONNECTOR_G3_DEVICE_URL'],
  ['mqttUrl', 'CONNECTOR_G3_MQTT_URL'],
  ['caFile', 'CONNECTOR_G3_CA_FILE'],
] as const;

/** Checks an mqtt(s) URL; `name` is the option or variable named in the error. */
export function checkMqttUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') throw new RangeError(`${name} must be an mqtt: or mqtts: URL`);
  return url;
}

const LOG_LEVELS: readonly SeplLogLevel[] = ['debug', 'info', 'warning', 'error', 'critical'];

/** Checks an http(s) URL; `name` is the option or variable named in the error. */
export function checkHttpUrl(value: string | URL, name: string): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`${name} must be an http: or https: URL`);
  return url;
}

/** Checks a ws(s) URL; `name` is the option named in the error. */
export function checkWebsocketUrl(value: string | URL, name: string): URL {
  let url: URL;
  try {
    url = new URL(String(value).trim());
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new RangeError(`${name} must be a ws: or wss: URL`);
  return url;
}

/** Checks a registration path (relative, no scheme, no query). */
export function checkRegistrationPath(value: string, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  const path = value.replace(/^\/+/, '');
  if (path === '' || /^[a-z][a-z0-9+.-]*:/i.test(path) || /[?#\s]/.test(path) || path.split('/').includes('..')) {
    throw new RangeError(`${name} must be a relative path such as 'discovery'`);
  }
  return path;
}

/** Parses a boolean variable (`true/false/1/0/yes/no/on/off`, any case). */
export function parseBoolean(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  throw new RangeError(`${name} must be true/false, 1/0, yes/no or on/off`);
}

/** Parses a log level name; `warn` and `fatal` are accepted as aliases. */
export function parseLogLevel(value: string, name: string): SeplLogLevel {
  const v = value.trim().toLowerCase();
  if (v === 'warn') return 'warning';
  if (v === 'fatal') return 'critical';
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as SeplLogLevel;
  throw new RangeError(`${name} must be one of ${LOG_LEVELS.join(', ')}`);
}

/**
 * Reads `CONNECTOR_LOOKUP_URL`, `CONNECTOR_DEVICE_REGISTRATION_PATH`, `CONNECTOR_HTTPS`,
 * `CONNECTOR_USER`, `CONNECTOR_PASSWORD` and `LOGLEVEL` (fallback `LOGGING_LEVEL`).
 * Empty variables count as unset. Errors name the variable, never a secret value.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): SeplEnvConfig {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const config: SeplEnvConfig = {
    registrationPath: 'discovery',
    https: false,
    logLevel: 'info',
    g3: {},
  };
  const lookup = get('CONNECTOR_LOOKUP_URL');
  if (lookup !== undefined) config.lookupUrl = checkHttpUrl(lookup.trim(), 'CONNECTOR_LOOKUP_URL').href;
  const path = get('CONNECTOR_DEVICE_REGISTRATION_PATH');
  if (path !== undefined) config.registrationPath = checkRegistrationPath(path, 'CONNECTOR_DEVICE_REGISTRATION_PATH');
  const https = get('CONNECTOR_HTTPS');
  if (https !== undefined) config.https = parseBoolean(https, 'CONNECTOR_HTTPS');
  const user = get('CONNECTOR_USER');
  if (user !== undefined) config.user = user;
  const password = get('CONNECTOR_PASSWORD');
  if (password !== undefined) config.password = password;
  const level = get('LOGLEVEL');
  const legacy = get('LOGGING_LEVEL');
  if (level !== undefined) config.logLevel = parseLogLevel(level, 'LOGLEVEL');
  else if (legacy !== undefined) config.logLevel = parseLogLevel(legacy, 'LOGGING_LEVEL');
  const protocol = get('CONNECTOR_PROTOCOL')?.trim().toLowerCase();
  if (protocol !== undefined) {
    if (protocol !== 'g1' && protocol !== 'g2' && protocol !== 'g3') throw new RangeError('CONNECTOR_PROTOCOL must be g1, g2 or g3');
    config.protocol = protocol;
  }
  for (const [key, name] of G3_VARIABLES) {
    const value = get(name);
    if (value === undefined) continue;
    if (key === 'tokenUrl' || key === 'hubUrl' || key === 'deviceUrl') config.g3[key] = checkHttpUrl(value.trim(), name).href;
    else if (key === 'mqttUrl') config.g3[key] = checkMqttUrl(value, name).href;
    else config.g3[key] = value;
  }
  return config;
}
