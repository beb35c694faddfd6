// Configuration: `fleet.config.json` (or the file FLEET_CONFIG names) overlaid by environment
// variables, validated in one pass so every mistake is reported at once, with its path and never
// with a secret's value. See README "Configuration".
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, Reader, isObject } from './config-read.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

export { ConfigError } from './config-read.js';

export interface ServerConfig {
  host: string;
  port: number;
  accessToken?: string | undefined;
}

export interface StorageConfig {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export interface ShardConfig {
  index: number;
  count: number;
}

export interface ComapConfig {
  loginId: string;
  clientId: string;
  secret: string;
  key: string;
  baseUrl?: string | undefined;
  identityUrl?: string | undefined;
  pollIntervalInMs: number;
  units?: string[] | undefined;
}

export interface DevicecloudConfig {
  username: string;
  password: string;
  baseUrl?: string | undefined;
  pushHost?: string | undefined;
  pushPort?: number | undefined;
  secure: boolean;
}

export interface ThinqConfig {
  country: string;
  /** ThinQ Connect (official API, push over MQTT): personal access token. */
  accessToken?: string | undefined;
  clientId?: string | undefined;
  /** ThinQ v1 (monitoring by polling): refresh token from the browser login. */
  refreshToken?: string | undefined;
  language?: string | undefined;
  baseUrl?: string | undefined;
  pollIntervalInMs: number;
}

export interface SeplConfig {
  url?: string | undefined;
  lookupUrl?: string | undefined;
  protocol: 'g1' | 'g2';
  user: string;
  password: string;
  deviceTypes: Partial<Record<'genset' | 'gateway' | 'appliance', string>>;
}

export interface FleetConfig {
  server: ServerConfig;
  storage: StorageConfig;
  shard: ShardConfig;
  logLevel: LogLevel;
  comap?: ComapConfig | undefined;
  devicecloud?: DevicecloudConfig | undefined;
  thinq?: ThinqConfig | undefined;
  sepl?: SeplConfig | undefined;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = '.fleet-data';
export const MIN_ACCESS_TOKEN_LENGTH = 16;
const DEFAULT_SEPL_TYPES = {
  genset: 'iot#fleet-genset',
  gateway: 'iot#fleet-gateway',
  appliance: 'iot#fleet-appliance',
} as const;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Parses the configuration object (the JSON file's content); `source` names it in errors. */
export function parseConfig(raw: unknown, source = 'fleet.config.json'): FleetConfig {
  const issues: string[] = [];
  const root = Reader.of(raw ?? {}, '', issues);
  if (!root) throw new ConfigError(source, issues);
  root.only(['server', 'storage', 'shard', 'logLevel', 'comap', 'devicecloud', 'thinq', 'sepl', '$schema']);

  const server = root.child('server')?.only(['host', 'port', 'accessToken']);
  const host = server?.string('host') ?? '127.0.0.1';
  const port = server?.integer('port', 0, 65535) ?? DEFAULT_PORT;
  const accessToken = server?.string('accessToken', { secret: true });
  if (accessToken !== undefined && accessToken.length < MIN_ACCESS_TOKEN_LENGTH) {
    issues.push(`server.accessToken: must be at least ${MIN_ACCESS_TOKEN_LENGTH} characters`);
  }
  if (!isLoopback(host) && accessToken === undefined) {
    issues.push(`server.host: binding ${host} (not loopback) requires server.accessToken (or FLEET_ACCESS_TOKEN)`);
  }

  const storage = root.child('storage')?.only(['dataDir', 'databaseUrl']);
  const dataDir = storage?.string('dataDir') ?? DEFAULT_DATA_DIR;
  const databaseUrl = storage?.url('databaseUrl', ['postgres:', 'postgresql:']);

  const shardReader = root.child('shard')?.only(['index', 'count']);
  const count = shardReader?.integer('count', 1, 1024) ?? 1;
  const index = shardReader?.integer('index', 0, 1023) ?? 0;
  if (index >= count) issues.push(`shard.index: must be below shard.count (${count}), got ${index}`);
  if (count > 1 && databaseUrl === undefined) issues.push('shard: several collectors need a shared PostgreSQL (storage.databaseUrl / DATABASE_URL)');

  const config: FleetConfig = {
    server: { host, port, accessToken },
    storage: { dataDir, databaseUrl },
    shard: { index, count },
    logLevel: root.oneOf('logLevel', LOG_LEVELS) ?? 'info',
  };

  const comap = root.child('comap')?.only(['loginId', 'clientId', 'secret', 'key', 'baseUrl', 'identityUrl', 'pollIntervalInMs', 'units']);
  if (comap) {
    config.comap = {
      loginId: comap.requiredString('loginId'),
      clientId: comap.requiredString('clientId'),
      secret: comap.requiredString('secret', { secret: true }),
      key: comap.requiredString('key', { secret: true }),
      baseUrl: comap.url('baseUrl', ['https:', 'http:']),
      identityUrl: comap.url('identityUrl', ['https:', 'http:']),
      pollIntervalInMs: comap.integer('pollIntervalInMs', 1000, 86_400_000) ?? 60_000,
      units: comap.stringArray('units'),
    };
  }

  const dc = root.child('devicecloud')?.only(['username', 'password', 'baseUrl', 'pushHost', 'pushPort', 'secure']);
  if (dc) {
    config.devicecloud = {
      username: dc.requiredString('username'),
      password: dc.requiredString('password', { secret: true }),
      baseUrl: dc.url('baseUrl', ['https:', 'http:']),
      pushHost: dc.string('pushHost'),
      pushPort: dc.integer('pushPort', 1, 65535),
      secure: dc.boolean('secure') ?? true,
    };
  }

  const thinq = root.child('thinq')?.only(['country', 'accessToken', 'clientId', 'refreshToken', 'language', 'baseUrl', 'pollIntervalInMs']);
  if (thinq) {
    const accessToken = thinq.string('accessToken', { secret: true });
    const refreshToken = thinq.string('refreshToken', { secret: true });
    if (thinq.obj.accessToken === undefined && thinq.obj.refreshToken === undefined) {
      issues.push('thinq: needs accessToken (ThinQ Connect personal access token) and/or refreshToken (ThinQ v1)');
    }
    config.thinq = {
      country: thinq.requiredString('country', { pattern: /^[A-Z]{2}$/, hint: 'a two-letter country code such as US' }),
      accessToken,
      clientId: thinq.string('clientId'),
      refreshToken,
      language: thinq.string('language', { pattern: /^[a-z]{2}-[A-Z]{2}$/, hint: 'a language tag such as en-US' }),
      baseUrl: thinq.url('baseUrl', ['https:', 'http:']),
      pollIntervalInMs: thinq.integer('pollIntervalInMs', 1000, 86_400_000) ?? 30_000,
    };
  }

  const sepl = root.child('sepl')?.only(['url', 'lookupUrl', 'protocol', 'user', 'password', 'deviceTypes']);
  if (sepl) {
    const url = sepl.url('url', ['ws:', 'wss:']);
    const lookupUrl = sepl.url('lookupUrl', ['http:', 'https:']);
    if (url === undefined && lookupUrl === undefined && sepl.obj.url === undefined && sepl.obj.lookupUrl === undefined) {
      issues.push('sepl: needs url (ws:// or wss://) or lookupUrl');
    }
    const types = sepl.child('deviceTypes')?.only(['genset', 'gateway', 'appliance']);
    config.sepl = {
      url,
      lookupUrl,
      protocol: sepl.oneOf('protocol', ['g1', 'g2'] as const) ?? 'g2',
      user: sepl.requiredString('user'),
      password: sepl.requiredString('password', { secret: true }),
      deviceTypes: {
        genset: types?.string('genset') ?? DEFAULT_SEPL_TYPES.genset,
        gateway: types?.string('gateway') ?? DEFAULT_SEPL_TYPES.gateway,
        appliance: types?.string('appliance') ?? DEFAULT_SEPL_TYPES.appliance,
      },
    };
  }

  if (issues.length > 0) throw new ConfigError(source, issues);
  return config;
}

type Env = Record<string, string | undefined>;

/** Vendor settings that environment variables can give: [section, key, variable]. */
const VENDOR_ENV: ReadonlyArray<readonly [string, string, string]> = [
  ['comap', 'loginId', 'COMAP_LOGIN_ID'],
  ['comap', 'clientId', 'COMAP_CLIENT_ID'],
  ['comap', 'secret', 'COMAP_SECRET'],
  ['comap', 'key', 'COMAP_KEY'],
  ['devicecloud', 'username', 'DEVICECLOUD_USERNAME'],
  ['devicecloud', 'password', 'DEVICECLOUD_PASSWORD'],
  ['devicecloud', 'baseUrl', 'DEVICECLOUD_URL'],
  ['thinq', 'accessToken', 'THINQ_ACCESS_TOKEN'],
  ['thinq', 'country', 'THINQ_COUNTRY'],
  ['thinq', 'refreshToken', 'THINQ_REFRESH_TOKEN'],
  ['sepl', 'url', 'SEPL_URL'],
  ['sepl', 'user', 'SEPL_USER'],
  ['sepl', 'password', 'SEPL_PASSWORD'],
];

/** Environment variables → the same shape as the file, applied on top of it. */
export function applyEnv(raw: unknown, env: Env): unknown {
  const base = isObject(raw) ? structuredClone(raw) : {};
  const set = (section: string, key: string, value: unknown): void => {
    if (value === undefined || value === '') return;
    const current = base[section];
    const obj = isObject(current) ? current : {};
    obj[key] = value;
    base[section] = obj;
  };
  const num = (name: string): unknown => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    return /^\d+$/.test(v) ? Number(v) : v; // a non-number stays a string and fails validation by name
  };
  set('server', 'host', env.FLEET_HOST);
  set('server', 'port', num('FLEET_PORT'));
  set('server', 'accessToken', env.FLEET_ACCESS_TOKEN);
  set('storage', 'dataDir', env.FLEET_DATA_DIR);
  set('storage', 'databaseUrl', env.DATABASE_URL);
  if (env.FLEET_SHARD) {
    const m = /^(\d+)\/(\d+)$/.exec(env.FLEET_SHARD);
    set('shard', 'index', m ? Number(m[1]) : env.FLEET_SHARD);
    set('shard', 'count', m ? Number(m[2]) : env.FLEET_SHARD);
  }
  if (env.FLEET_LOG_LEVEL) base.logLevel = env.FLEET_LOG_LEVEL;
  for (const [section, key, name] of VENDOR_ENV) set(section, key, env[name]);
  return base;
}

export interface LoadConfigOptions {
  /** Explicit config file; otherwise FLEET_CONFIG, otherwise ./fleet.config.json when it exists. */
  file?: string | undefined;
  env?: Env;
  cwd?: string;
}

/** Reads, merges and validates the configuration. A missing default file is no error. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<{ config: FleetConfig; file: string | undefined }> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.FLEET_CONFIG;
  const file = resolve(cwd, explicit ?? 'fleet.config.json');
  let raw: unknown = {};
  let used: string | undefined;
  try {
    const text = await readFile(file, 'utf8');
    used = file;
    try {
      raw = JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`]);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || explicit !== undefined) {
      throw new ConfigError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
    }
  }
  const config = parseConfig(applyEnv(raw, env), used ?? 'environment');
  return { config, file: used };
}

/** Whether any vendor cloud is configured (otherwise `start` runs the demo). */
export function hasVendors(config: FleetConfig): boolean {
  return Boolean(config.comap ?? config.devicecloud ?? config.thinq ?? config.sepl);
}
