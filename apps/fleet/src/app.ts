// startFleet: one process that wires configuration, storage, the event bus, the vendor connectors,
// the SEPL bridge and the HTTP server — on the built-in simulators when asked for the demo.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandService } from './commands.js';
import { parseConfig, type FleetConfig } from './config.js';
import { isObject } from './config-read.js';
import type { Bridge, ConnectorContext, VendorConnector } from './connectors/connector.js';
import { createBridge, createConnector } from './connectors/index.js';
import { startDemo, type DemoConnectorOptions, type DemoEnvironment, type Simulators } from './demo/index.js';
import { EventBus } from './events.js';
import { startHttpServer, type FleetHttpServer } from './http/server.js';
import { Ingest } from './ingest.js';
import { namespacedLogger } from '@x/http-core';
import { createLogger, type Logger } from './log.js';
import { configSecrets, createScrub, scrubbingLogger, type Scrub } from './secrets.js';
import type { Device, SeplStatus, Vendor } from './model.js';
import { readableDevice } from './readable.js';
import { VENDORS, toIso } from './model.js';
import type { DemoControls, FleetService, FleetStatus } from './service.js';
import { createCluster, type Cluster } from './shards/cluster.js';
import { staleCheckInterval, staleLimits } from './staleness.js';
import { VendorStates } from './vendor-states.js';
import type { DataDirLock } from './storage/data-lock.js';
import { lockStorage, openStorage } from './storage/open.js';
import type { FleetStore } from './storage/store.js';
import { VERSION } from './version.js';

export interface StartFleetOptions {
  /** Start the four vendor simulators in-process and connect to them. */
  demo?: boolean;
  /** The configuration (the fleet.config.json object, or an already parsed FleetConfig). */
  config?: unknown;
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  accessToken?: string;
  /** Folder of the built dashboard (default: this package's dist/web). */
  webDir?: string;
  logger?: Logger;
  /** Demo: how often the polling connectors poll (default 1000 ms). */
  pollIntervalInMs?: number;
  /** Don't create connectors or the SEPL bridge (commands that only read the database). */
  offline?: boolean;
  /** Create the connectors but don't start collecting (e.g. for a backfill). Default true. */
  collect?: boolean;
  /** What this process is, as the data folder's lock file names it (default `fleet demo` / `fleet start`). */
  purpose?: string;
}

export interface FleetApp extends FleetService {
  readonly url: string;
  readonly config: FleetConfig;
  /** The simulators' own objects (demo mode), for anything DemoControls do not cover. */
  readonly simulators: Simulators | undefined;
  readonly connectors: ReadonlyMap<Vendor, VendorConnector>;
  /** Where connector data enters (tests use it to feed readings directly). */
  readonly ingest: Ingest;
  /** Resolves once `predicate(status)` holds (checked on every bus event and every 50 ms). */
  waitFor(predicate: (status: FleetStatus) => boolean, timeoutInMs?: number): Promise<FleetStatus>;
  stop(): Promise<void>;
}

/** This package's dist/web, from src/ (tests) as from dist/ (built). */
export const DEFAULT_WEB_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist', 'web');

function isParsed(value: unknown): value is FleetConfig {
  return typeof value === 'object' && value !== null && 'server' in value && 'storage' in value && 'shard' in value && 'logLevel' in value &&
    typeof (value as FleetConfig).shard.leaseInMs === 'number';
}

/** The configuration with the options' overrides, validated as one. */
function resolveConfig(options: StartFleetOptions): FleetConfig {
  const server = {
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
  };
  const storage = {
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}),
  };
  if (!isParsed(options.config)) {
    const raw = isObject(options.config) ? options.config : {};
    const section = (key: string): Record<string, unknown> => (isObject(raw[key]) ? raw[key] : {});
    return parseConfig({ ...raw, server: { ...section('server'), ...server }, storage: { ...section('storage'), ...storage } }, 'options.config');
  }
  const base = options.config;
  const config: FleetConfig = { ...base, server: { ...base.server, ...server }, storage: { ...base.storage, ...storage } };
  // The overrides are checked like the file (e.g. a non-loopback host without a token).
  parseConfig({ server: { host: config.server.host, port: config.server.port, ...(config.server.accessToken ? { accessToken: config.server.accessToken } : {}) } }, 'options');
  return config;
}

function disabledSepl(startedAt: number): SeplStatus {
  return {
    enabled: false,
    state: 'disabled',
    reason: null,
    since: toIso(startedAt),
    gatewayId: null,
    devicesRegistered: 0,
    eventsSent: 0,
    commandsReceived: 0,
    recentCommands: [],
  };
}

/** Resolves once `predicate(status())` holds (checked on every bus event and every 50 ms). */
function waitForStatus(bus: EventBus, status: () => FleetStatus, predicate: (s: FleetStatus) => boolean, timeoutInMs: number): Promise<FleetStatus> {
  return new Promise((resolvePromise, reject) => {
    const check = (): boolean => {
      const s = status();
      if (!predicate(s)) return false;
      done();
      resolvePromise(s);
      return true;
    };
    const timer = setInterval(check, 50);
    const timeout = setTimeout(() => {
      done();
      reject(new Error(`waitFor: condition not met within ${timeoutInMs} ms; status: ${JSON.stringify(status())}`));
    }, timeoutInMs);
    const off = bus.onAny(() => void check());
    function done(): void {
      clearInterval(timer);
      clearTimeout(timeout);
      off();
    }
    check();
  });
}

interface ConnectorSetup {
  config: FleetConfig;
  ingest: Ingest;
  logger: Logger;
  now: () => number;
  store: FleetStore;
  vendors: VendorStates;
  demo: boolean;
  demoOptions: DemoConnectorOptions | undefined;
  cluster: Pick<Cluster, 'goneCollectors'>;
}

/** The registry's connector for every configured cloud, each with its own state tracker. */
function createConnectors(o: ConnectorSetup): Map<Vendor, VendorConnector> {
  const connectors = new Map<Vendor, VendorConnector>();
  // Vendor clients nest their own namespace under it: `[fleet:comap]`, `[fleet:comap:http]`.
  const logger = namespacedLogger(o.logger, 'fleet');
  for (const vendor of VENDORS) {
    const entry = o.vendors.entry(vendor, o.now);
    const ctx: ConnectorContext = {
      ingest: o.ingest,
      tracker: entry.tracker,
      logger,
      now: o.now,
      kv: { get: (key) => o.store.getState(key), set: (key, value) => o.store.setState(key, value) },
      setMode: (mode) => o.vendors.setMode(vendor, mode),
      goneCollectors: (afterInMs) => o.cluster.goneCollectors(afterInMs),
    };
    const connector = createConnector(vendor, o.config, ctx, { demo: o.demo, demoOptions: o.demoOptions });
    if (!connector) continue;
    o.vendors.enable(vendor, entry);
    connectors.set(vendor, connector);
  }
  return connectors;
}

/** Starts the simulators and points the configuration at them (their credentials count as secrets). */
async function startDemoInto(config: FleetConfig, secrets: string[], pollIntervalInMs: number, logger: Logger, cleanups: Cleanups): Promise<DemoEnvironment> {
  const demoEnv = await startDemo({ pollIntervalInMs, logger });
  cleanups.push(() => demoEnv.stop());
  Object.assign(config, demoEnv.config);
  secrets.push(...configSecrets(config));
  return demoEnv;
}

async function openStore(config: FleetConfig, logger: Logger, cleanups: Cleanups, purpose: string): Promise<{ store: FleetStore; lock: DataDirLock | undefined }> {
  // One process per embedded database: taken before the database is opened, released after it closed.
  const lock = await lockStorage(config.storage, purpose);
  if (lock) cleanups.push(() => lock.release());
  const store = await openStorage({
    databaseUrl: config.storage.databaseUrl,
    dataDir: config.storage.dataDir,
    onError: (err) => logger.warn('database connection error', { error: err }),
  });
  cleanups.push(() => store.close());
  return { store, lock };
}

type Cleanups = Array<() => Promise<void>>;

/** Starts every connector (unless only created, e.g. for a backfill) and the bridge; stopping them is a cleanup. */
async function startCollecting(connectors: ReadonlyMap<Vendor, VendorConnector>, bridge: Bridge | undefined, collect: boolean, cleanups: Cleanups): Promise<void> {
  for (const connector of connectors.values()) {
    cleanups.push(() => connector.stop());
    if (collect) await connector.start();
  }
  if (bridge) await bridge.start();
}

/** What /api/status answers: version, storage, shard ownership, each cloud's state and the SEPL bridge. */
function fleetStatus(parts: {
  startedAt: number;
  demo: boolean;
  store: FleetStore;
  cluster: { status(): FleetStatus['shards'] };
  vendors: VendorStates;
  bridge: Bridge | undefined;
}): FleetStatus {
  return {
    version: VERSION,
    startedAt: toIso(parts.startedAt),
    demo: parts.demo,
    storage: { kind: parts.store.kind },
    shards: parts.cluster.status(),
    vendors: parts.vendors.all(),
    sepl: parts.bridge?.status() ?? disabledSepl(parts.startedAt),
  };
}

/** The SEPL bridge (when configured), its state kept in the store. */
function startBridge(
  config: FleetConfig,
  parts: { service: FleetService; ingest: Ingest; logger: Logger; scrub: Scrub; now: () => number },
  demo: boolean,
  cleanups: Cleanups,
): Bridge | undefined {
  const { store } = parts.service;
  const kv = { get: <T>(key: string) => store.getState<T>(key), set: (key: string, value: unknown) => store.setState(key, value) };
  const bridge = createBridge(config, { ...parts, logger: namespacedLogger(parts.logger, 'fleet'), kv }, { demo });
  if (bridge) cleanups.push(() => bridge.stop());
  return bridge;
}

/** Vendor states with staleness checked on a timer (housekeeping: it does not keep the process alive). */
function startVendorStates(
  config: FleetConfig,
  base: { bus: EventBus; startedAt: number; scrub: Scrub; now: () => number },
  cleanups: Cleanups,
): VendorStates {
  const staleAfter = staleLimits(config.staleAfterInMs);
  const vendors = new VendorStates(base.bus, base.startedAt, base.scrub, { staleAfter, now: base.now });
  const staleTimer = setInterval(() => vendors.checkStaleness(), staleCheckInterval(staleAfter));
  staleTimer.unref();
  cleanups.push(() => Promise.resolve(clearInterval(staleTimer)));
  return vendors;
}

async function serveFleet(service: FleetService, config: FleetConfig, webDir: string | undefined, logger: Logger, cleanups: Cleanups): Promise<FleetHttpServer> {
  const http = await startHttpServer(service, {
    host: config.server.host,
    port: config.server.port,
    accessToken: config.server.accessToken,
    allowedHosts: config.server.allowedHosts,
    webDir: webDir ?? DEFAULT_WEB_DIR,
    logger: namespacedLogger(logger, 'http'),
  });
  cleanups.push(() => http.close());
  return http;
}

export async function startFleet(options: StartFleetOptions = {}): Promise<FleetApp> {
  const config = resolveConfig(options);
  // Configured secrets never reach the logs, /api/status or command errors (the demo's simulator
  // credentials are added once the simulators are up).
  const secrets = configSecrets(config);
  const scrub = createScrub(secrets);
  const logger = scrubbingLogger(options.logger ?? createLogger(config.logLevel), secrets);
  const now = (): number => Date.now();
  const startedAt = now();
  const cleanups: Cleanups = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: unknown) => logger.warn('shutdown step failed', { error: err }));
  };

  try {
    const demoEnv = options.demo ? await startDemoInto(config, secrets, options.pollIntervalInMs ?? 1000, logger, cleanups) : undefined;
    const bus = new EventBus((err) => logger.error('event listener failed', { error: err }));
    const { store, lock } = await openStore(config, logger, cleanups, options.purpose ?? (options.demo ? 'fleet demo' : 'fleet start'));
    // Shard leases and the other collectors' live events; stopped after the connectors (cleanups run in reverse).
    const cluster = createCluster({
      config,
      store,
      bus,
      logger,
      collect: !options.offline && options.collect !== false,
      onLost: () => {
        ingest.forgetUnowned();
        bridge?.releaseUnowned?.().catch((err: unknown) => logger.warn('sepl: moved devices not released', { error: err }));
      },
      onGained: () => {
        for (const connector of connectors.values()) connector.refresh?.();
      },
    });
    cleanups.push(() => cluster.stop());

    let bridge: Bridge | undefined;
    const decorate = (device: Device): Device => readableDevice({ ...device, sepl: { registered: bridge?.isRegistered(device.id) ?? false } });
    const getDevice = async (id: string): Promise<Device | undefined> => {
      const d = await store.getDevice(id);
      return d && decorate(d);
    };

    const vendors = startVendorStates(config, { bus, startedAt, scrub, now }, cleanups);

    const ingest = new Ingest({
      store,
      bus,
      owns: (id) => cluster.ownership.owns(id),
      decorate,
      onDeviceCount: (vendor, count) => vendors.setDevices(vendor, count),
      logger: namespacedLogger(logger, 'fleet'),
      onData: (vendor) => vendors.touch(vendor),
    });
    const commands = new CommandService({ store, bus, now, getDevice, scrub });

    const connectors = options.offline
      ? new Map<Vendor, VendorConnector>()
      : createConnectors({ config, ingest, logger, now, store, vendors, cluster, demo: Boolean(options.demo), demoOptions: demoEnv?.connectorOptions });
    for (const connector of connectors.values()) commands.register(connector);

    const status = (): FleetStatus => fleetStatus({ startedAt, demo: Boolean(options.demo), store, cluster, vendors, bridge });

    const service: FleetService = {
      bus,
      store,
      commands,
      demo: undefined,
      now,
      status,
      getDevice,
      listDevices: async (filter) => (await store.listDevices(filter)).map(decorate),
    };

    if (!options.offline && options.collect !== false) bridge = startBridge(config, { service, ingest, logger, scrub, now }, Boolean(options.demo), cleanups);

    const demoControls: DemoControls | undefined = demoEnv?.controls(service);
    const fleetService: FleetService = { ...service, demo: demoControls };
    // The HTTP server streams the whole fleet's events, the other collectors' included.
    const http = await serveFleet({ ...fleetService, bus: cluster.fleetBus }, config, options.webDir, logger, cleanups);
    await lock?.setUrl(http.url);

    await cluster.start();
    await startCollecting(connectors, bridge, options.collect !== false, cleanups);

    let stopping: Promise<void> | undefined;
    return {
      ...fleetService,
      url: http.url,
      config,
      simulators: demoEnv?.simulators,
      connectors,
      ingest,
      waitFor: (predicate, timeoutInMs = 10_000) => waitForStatus(bus, status, predicate, timeoutInMs),
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
