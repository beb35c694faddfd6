// Configuration: `fleet.config.json` (or the file FLEET_CONFIG names) overlaid by environment
// variables, validated in one pass so every mistake is reported at once, with its path and never
// with a secret's value. See README "Configuration".
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError, Reader, isObject, type Obj } from './config-read.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { parseShardSection, type ShardConfig } from './shards/config.js';
import { REGISTRY_ENTRIES, type VendorConfigs } from './registry.js';
import { parseStaleSection } from './staleness.js';
import type { StaleLimits } from './vendor-states.js';
import { VENDOR_IDS, VENDOR_INFO, type VendorId } from './vendor-info.js';

export { ConfigError } from './config-read.js';

export interface ServerConfig {
  host: string;
  port: number;
  accessToken?: string | undefined;
  /** Names besides the bound address and `localhost` that requests may carry as `Host` (e.g. behind a proxy). */
  allowedHosts?: string[] | undefined;
}

export interface StorageConfig {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export type { ShardConfig } from './shards/config.js';

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
  /** Reconnect a push link that delivered nothing this long (the protocol has no keep-alive; default 15 min). */
  idleTimeoutInMs?: number | undefined;
  /** Delete the push monitors of collectors gone this long (default 24 h; 0: never). */
  retireMonitorsAfterInMs?: number | undefined;
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
  /** g1/g2: the SEPL websocket (url or lookupUrl); g3: today's SENERGY (the `g3` endpoints). */
  protocol: 'g1' | 'g2' | 'g3';
  /** protocol g3 only: the platform's endpoints (sepl.g3.tokenUrl, clientId, hubUrl, deviceUrl, mqttUrl, ca?, hubName?); `ca` is PEM text (a path in the file or env is read at config time). */
  g3?: { tokenUrl: string; clientId: string; hubUrl: string; deviceUrl: string; mqttUrl: string; ca?: string; hubName?: string } | undefined;
  user: string;
  password: string;
  deviceTypes: Partial<Record<'genset' | 'gateway' | 'appliance', string>>;
}

/** The registry vendors' sections (src/registry.ts), each present when configured. */
export type VendorSections = { [Id in VendorId]?: VendorConfigs[Id] | undefined };

export interface FleetConfig extends VendorSections {
  server: ServerConfig;
  storage: StorageConfig;
  shard: ShardConfig;
  logLevel: LogLevel;
  /** Per vendor, how long it may send nothing before it shows as degraded (src/staleness.ts; defaults there). */
  staleAfterInMs?: StaleLimits | undefined;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = '.fleet-data';
export const MIN_ACCESS_TOKEN_LENGTH = 16;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

const HOST_NAME = /^\.?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** `server.allowedHosts`: host names (`.example.com` = the domain and its subdomains) or IP addresses, no ports. */
function parseAllowedHosts(server: Reader | undefined): string[] | undefined {
  const list = server?.stringArray('allowedHosts');
  if (list === undefined) return undefined;
  list.forEach((entry, i) => {
    if (!HOST_NAME.test(entry) && isIP(entry) === 0) {
      server?.issues.push(`${server.at('allowedHosts')}[${i}]: expected a host name or IP address without scheme or port, got ${JSON.stringify(entry.slice(0, 60))}`);
    }
  });
  return list;
}

function parseServer(root: Reader): ServerConfig {
  const server = root.child('server')?.only(['host', 'port', 'accessToken', 'allowedHosts']);
  const host = server?.string('host') ?? '127.0.0.1';
  const port = server?.integer('port', 0, 65535) ?? DEFAULT_PORT;
  const accessToken = server?.string('accessToken', { secret: true });
  if (accessToken !== undefined && accessToken.length < MIN_ACCESS_TOKEN_LENGTH) {
    root.issues.push(`server.accessToken: must be at least ${MIN_ACCESS_TOKEN_LENGTH} characters`);
  }
  if (!isLoopback(host) && accessToken === undefined) {
    root.issues.push(`server.host: binding ${host} (not loopback) requires server.accessToken (or FLEET_ACCESS_TOKEN)`);
  }
  const allowedHosts = parseAllowedHosts(server);
  return { host, port, accessToken, ...(allowedHosts === undefined ? {} : { allowedHosts }) };
}

function parseStorageAndShard(root: Reader): { storage: StorageConfig; shard: ShardConfig } {
  const storage = root.child('storage')?.only(['dataDir', 'databaseUrl']);
  const dataDir = storage?.string('dataDir') ?? DEFAULT_DATA_DIR;
  const databaseUrl = storage?.url('databaseUrl', ['postgres:', 'postgresql:']);
  return { storage: { dataDir, databaseUrl }, shard: parseShardSection(root, databaseUrl) };
}

/** Every registry vendor's section that is present, read by the registry's parser. */
function parseVendorSections(root: Reader): VendorSections {
  const sections: Record<string, unknown> = {};
  for (const entry of REGISTRY_ENTRIES) {
    const reader = root.child(entry.info.id, entry.info.secretFields);
    if (reader) sections[entry.info.id] = entry.parse(reader);
  }
  return sections;
}

/** Parses the configuration object (the JSON file's content); `source` names it in errors. */
export function parseConfig(raw: unknown, source = 'fleet.config.json'): FleetConfig {
  const issues: string[] = [];
  const root = Reader.of(raw ?? {}, '', issues);
  if (!root) throw new ConfigError(source, issues);
  root.only(['server', 'storage', 'shard', 'logLevel', 'staleAfterInMs', ...VENDOR_IDS, '$schema']);
  const server = parseServer(root);
  const { storage, shard } = parseStorageAndShard(root);
  const logLevel = root.oneOf('logLevel', LOG_LEVELS) ?? 'info';
  const staleAfterInMs = parseStaleSection(root);
  const config: FleetConfig = { server, storage, shard, logLevel, ...(staleAfterInMs ? { staleAfterInMs } : {}), ...parseVendorSections(root) };
  if (issues.length > 0) throw new ConfigError(source, issues);
  return config;
}

type Env = Record<string, string | undefined>;

/** Environment variables → the same shape as the file, applied on top of it. */
export function applyEnv(raw: unknown, env: Env): unknown {
  const base = isObject(raw) ? structuredClone(raw) : {};
  /** `parent[name]` as an object, made (or replacing a value that is none) when needed. */
  const objectAt = (parent: Obj, name: string): Obj => {
    const current = parent[name];
    const obj = isObject(current) ? current : {};
    parent[name] = obj;
    return obj;
  };
  /** Sets `section.key`; a dotted key (`g3.tokenUrl`) sets a key of an object in the section. */
  const set = (section: string, key: string, value: unknown): void => {
    if (value === undefined || value === '') return;
    const path = key.split('.');
    const last = path.pop() as string;
    let obj = objectAt(base, section);
    for (const name of path) obj = objectAt(obj, name);
    obj[last] = value;
  };
  const num = (name: string): unknown => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    return /^\d+$/.test(v) ? Number(v) : v; // a non-number stays a string and fails validation by name
  };
  set('server', 'host', env.FLEET_HOST);
  set('server', 'port', num('FLEET_PORT'));
  set('server', 'accessToken', env.FLEET_ACCESS_TOKEN);
  set('server', 'allowedHosts', env.FLEET_ALLOWED_HOSTS?.split(',').map((h) => h.trim()).filter((h) => h !== ''));
  set('storage', 'dataDir', env.FLEET_DATA_DIR);
  set('storage', 'databaseUrl', env.DATABASE_URL);
  if (env.FLEET_SHARD) {
    const m = /^(\d+)\/(\d+)$/.exec(env.FLEET_SHARD);
    set('shard', 'index', m ? Number(m[1]) : env.FLEET_SHARD);
    set('shard', 'count', m ? Number(m[2]) : env.FLEET_SHARD);
  }
  set('shard', 'collector', env.FLEET_COLLECTOR);
  set('shard', 'leaseInMs', num('FLEET_LEASE_MS'));
  if (env.FLEET_LOG_LEVEL) base.logLevel = env.FLEET_LOG_LEVEL;
  for (const vendor of VENDOR_INFO) for (const [key, name] of vendor.env) set(vendor.id, key, env[name]);
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
  return VENDOR_IDS.some((id) => config[id] !== undefined);
}
