// startFleet: one process that wires configuration, storage, the event bus, the vendor connectors,
// the SEPL bridge and the HTTP server — on the built-in simulators when asked for the demo.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandService } from './commands.js';
import { parseConfig, type FleetConfig } from './config.js';
import { isObject } from './config-read.js';
import type { Bridge, ConnectorContext, VendorConnector } from './connectors/connector.js';
import { createBridge, createConnector } from './connectors/index.js';
import { startDemo, type DemoEnvironment, type Simulators } from './demo/index.js';
import { EventBus } from './events.js';
import { startHttpServer, type FleetHttpServer } from './http/server.js';
import { Ingest } from './ingest.js';
import { createLogger, type Logger } from './log.js';
import { configSecrets, createScrub, scrubbingLogger } from './secrets.js';
import type { Device, SeplStatus, Vendor, VendorStatus } from './model.js';
import { VENDORS, toIso } from './model.js';
import type { DemoControls, FleetService, FleetStatus } from './service.js';
import { ownsDevice } from './shard.js';
import { StateTracker } from './status.js';
import { openStorage } from './storage/open.js';
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
    typeof (value as FleetConfig).shard.count === 'number';
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

export async function startFleet(options: StartFleetOptions = {}): Promise<FleetApp> {
  const config = resolveConfig(options);
  // Configured secrets never reach the logs, /api/status or command errors (the demo's simulator
  // credentials are added once the simulators are up).
  const secrets = configSecrets(config);
  const scrub = createScrub(secrets);
  const logger = scrubbingLogger(options.logger ?? createLogger(config.logLevel), secrets);
  const now = (): number => Date.now();
  const startedAt = now();
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: unknown) => logger.warn('shutdown step failed', { error: err }));
  };

  try {
    let demoEnv: DemoEnvironment | undefined;
    if (options.demo) {
      demoEnv = await startDemo({ pollIntervalInMs: options.pollIntervalInMs ?? 1000, logger });
      cleanups.push(() => demoEnv?.stop() ?? Promise.resolve());
      Object.assign(config, demoEnv.config);
      secrets.push(...configSecrets(config));
    }

    const bus = new EventBus((err) => logger.error('event listener failed', { error: err }));
    const store: FleetStore = await openStorage({
      databaseUrl: config.storage.databaseUrl,
      dataDir: config.storage.dataDir,
      onError: (err) => logger.warn('database connection error', { error: err }),
    });
    cleanups.push(() => store.close());

    let bridge: Bridge | undefined;
    const decorate = (device: Device): Device => ({ ...device, sepl: { registered: bridge?.isRegistered(device.id) ?? false } });
    const getDevice = async (id: string): Promise<Device | undefined> => {
      const d = await store.getDevice(id);
      return d && decorate(d);
    };

    const vendorState = new Map<Vendor, { tracker: StateTracker; devices: number; mode: string | null; enabled: boolean }>();
    const vendorStatus = (vendor: Vendor): VendorStatus => {
      const v = vendorState.get(vendor);
      if (!v) return { vendor, enabled: false, state: 'disabled', reason: null, since: toIso(startedAt), lastSuccessAt: null, devices: 0, mode: null };
      return { vendor, enabled: v.enabled, ...v.tracker.snapshot(), devices: v.devices, mode: v.mode };
    };
    const publishVendor = (vendor: Vendor): void => bus.emit('vendor', vendorStatus(vendor));

    const ingest = new Ingest({
      store,
      bus,
      owns: (id) => ownsDevice(config.shard, id),
      decorate,
      onDeviceCount: (vendor, count) => {
        const v = vendorState.get(vendor);
        if (v && v.devices !== count) {
          v.devices = count;
          publishVendor(vendor);
        }
      },
    });
    const commands = new CommandService({ store, bus, now, getDevice, scrub });

    const connectors = new Map<Vendor, VendorConnector>();
    if (!options.offline) {
      for (const vendor of VENDORS) {
        const entry = { tracker: new StateTracker('connecting', now, () => publishVendor(vendor), scrub), devices: 0, mode: null as string | null, enabled: true };
        const ctx: ConnectorContext = {
          ingest,
          tracker: entry.tracker,
          logger,
          now,
          kv: { get: (key) => store.getState(key), set: (key, value) => store.setState(key, value) },
          setMode(mode) {
            if (entry.mode !== mode) {
              entry.mode = mode;
              publishVendor(vendor);
            }
          },
        };
        const connector = createConnector(vendor, config, ctx, { demo: Boolean(options.demo), demoOptions: demoEnv?.connectorOptions });
        if (!connector) continue;
        vendorState.set(vendor, entry);
        connectors.set(vendor, connector);
        commands.register(connector);
      }
    }

    const disabledSepl = (): SeplStatus => ({
      enabled: false,
      state: 'disabled',
      reason: null,
      since: toIso(startedAt),
      gatewayId: null,
      devicesRegistered: 0,
      eventsSent: 0,
      commandsReceived: 0,
      recentCommands: [],
    });

    const status = (): FleetStatus => ({
      version: VERSION,
      startedAt: toIso(startedAt),
      demo: Boolean(options.demo),
      storage: { kind: store.kind, ...(config.shard.count > 1 ? { shard: { ...config.shard } } : {}) },
      vendors: { comap: vendorStatus('comap'), devicecloud: vendorStatus('devicecloud'), thinq: vendorStatus('thinq') },
      sepl: bridge?.status() ?? disabledSepl(),
    });

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

    if (!options.offline && options.collect !== false) {
      bridge = createBridge(
        config,
        { service, ingest, logger, now, scrub, kv: { get: (key) => store.getState(key), set: (key, value) => store.setState(key, value) } },
        { demo: Boolean(options.demo) },
      );
      if (bridge) {
        const b = bridge;
        cleanups.push(() => b.stop());
      }
    }

    const demoControls: DemoControls | undefined = demoEnv?.controls(service);
    const fleetService: FleetService = { ...service, demo: demoControls };
    const http: FleetHttpServer = await startHttpServer(fleetService, {
      host: config.server.host,
      port: config.server.port,
      accessToken: config.server.accessToken,
      webDir: options.webDir ?? DEFAULT_WEB_DIR,
      logger,
    });
    cleanups.push(() => http.close());

    for (const connector of connectors.values()) {
      cleanups.push(() => connector.stop());
      if (options.collect !== false) await connector.start();
    }
    if (bridge) await bridge.start();

    const waitFor = (predicate: (s: FleetStatus) => boolean, timeoutInMs = 10_000): Promise<FleetStatus> =>
      new Promise((resolvePromise, reject) => {
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

    let stopping: Promise<void> | undefined;
    return {
      ...fleetService,
      url: http.url,
      config,
      simulators: demoEnv?.simulators,
      connectors,
      ingest,
      waitFor,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
