// The vendor registry: for every cloud the fleet collects from and for the SEPL bridge, its id,
// label, configuration section, secret fields (src/vendor-info.ts), its section parser, its
// connector factory and its demo starter. Configuration parsing (config.ts), secret scrubbing
// (secrets.ts), connectors (connectors/index.ts), the demo (demo/index.ts) and the dashboard's
// labels all derive from it, so adding a vendor is one entry here (the types insist on every part).
import type { Reader } from './config-read.js';
import { parseComapSection, parseDevicecloudSection, parseSeplSection, parseThinqSection } from './config-sections.js';
import type { ComapConfig, DevicecloudConfig, SeplConfig, ShardConfig, ThinqConfig } from './config.js';
import { ComapConnector } from './connectors/comap.js';
import type { Bridge, BridgeContext, ConnectorContext, ConnectorTuning, VendorConnector } from './connectors/connector.js';
import { DevicecloudConnector } from './connectors/devicecloud.js';
import { SeplBridge } from './connectors/sepl-bridge.js';
import { ThinqConnector } from './connectors/thinq.js';
import { startComapDemo } from './demo/comap.js';
import { startDevicecloudDemo } from './demo/devicecloud.js';
import { startSeplDemo } from './demo/sepl.js';
import { startThinqDemo } from './demo/thinq.js';
import type { DemoConnectorOptions, DemoVendor } from './demo/types.js';
import { type CollectorId, type VendorId, type VendorInfo, vendorInfo } from './vendor-info.js';

/** Each registry id's configuration section. */
export interface VendorConfigs {
  comap: ComapConfig;
  devicecloud: DevicecloudConfig;
  thinq: ThinqConfig;
  sepl: SeplConfig;
}

/** What a demo starter hands back: the section pointing at its simulator, and the simulator. */
export interface DemoStart<C> {
  config: C;
  demo: DemoVendor<unknown>;
  /** Extra connector settings the simulator needs (e.g. the CA to trust). */
  connectorOptions?: DemoConnectorOptions;
}

export interface DemoStartOptions {
  /** How often the polling connectors poll the simulators. */
  pollIntervalInMs: number;
}

interface EntryBase<Id extends VendorId> {
  readonly info: Extract<VendorInfo, { id: Id }>;
  /** Reads the section (the reader already hides the secret fields' values). */
  parse(reader: Reader): VendorConfigs[Id];
  /** Starts the vendor's simulator in-process on loopback. */
  startDemo(options: DemoStartOptions): Promise<DemoStart<VendorConfigs[Id]>>;
}

export interface CollectorEntry<Id extends CollectorId = CollectorId> extends EntryBase<Id> {
  readonly kind: 'collector';
  createConnector(config: VendorConfigs[Id], shard: ShardConfig, ctx: ConnectorContext, tuning: ConnectorTuning): VendorConnector;
}

export interface BridgeEntry extends EntryBase<'sepl'> {
  readonly kind: 'bridge';
  createBridge(config: SeplConfig, shard: ShardConfig, ctx: BridgeContext, tuning: ConnectorTuning): Bridge;
}

/** Demo: simulators on loopback, so short retries. */
function loopRetry(tuning: ConnectorTuning): { retry?: { initialDelayInMs: number; maxDelayInMs: number } } {
  return tuning.demo ? { retry: { initialDelayInMs: 300, maxDelayInMs: 2000 } } : {};
}

const comap: CollectorEntry<'comap'> = {
  kind: 'collector',
  info: vendorInfo('comap') as Extract<VendorInfo, { id: 'comap' }>,
  parse: parseComapSection,
  startDemo: ({ pollIntervalInMs }) => startComapDemo(pollIntervalInMs),
  createConnector: (config, _shard, ctx, tuning) =>
    // Demo: no client-side rate limit on the simulator, and quick client retries.
    new ComapConnector(config, ctx, { ...loopRetry(tuning), ...(tuning.demo ? { client: { rateLimit: false, retry: { maxAttempts: 2, baseDelayInMs: 50 } } } : {}) }),
};

const devicecloud: CollectorEntry<'devicecloud'> = {
  kind: 'collector',
  info: vendorInfo('devicecloud') as Extract<VendorInfo, { id: 'devicecloud' }>,
  parse: parseDevicecloudSection,
  startDemo: () => startDevicecloudDemo(),
  createConnector: (config, shard, ctx, tuning) => new DevicecloudConnector(config, ctx, { ...loopRetry(tuning), collector: shard.collector }),
};

const thinq: CollectorEntry<'thinq'> = {
  kind: 'collector',
  info: vendorInfo('thinq') as Extract<VendorInfo, { id: 'thinq' }>,
  parse: parseThinqSection,
  startDemo: async ({ pollIntervalInMs }) => {
    const started = await startThinqDemo(pollIntervalInMs);
    return { config: started.config, demo: started.demo, connectorOptions: { thinq: started.options } };
  },
  createConnector: (config, _shard, ctx, tuning) => new ThinqConnector(config, ctx, { ...loopRetry(tuning), ...tuning.demoOptions?.thinq }),
};

const sepl: BridgeEntry = {
  kind: 'bridge',
  info: vendorInfo('sepl') as Extract<VendorInfo, { id: 'sepl' }>,
  parse: parseSeplSection,
  startDemo: () => startSeplDemo(),
  createBridge: (config, shard, ctx, tuning) =>
    new SeplBridge(config, {
      service: ctx.service,
      logger: ctx.logger,
      now: () => ctx.now(),
      kv: ctx.kv,
      owns: (id) => ctx.ingest.owns(id),
      collector: shard.collector,
      republish: (id) => ctx.ingest.republish(id),
      scrub: ctx.scrub,
      ...loopRetry(tuning),
    }),
};

export type RegistryEntry = CollectorEntry<'comap'> | CollectorEntry<'devicecloud'> | CollectorEntry<'thinq'> | BridgeEntry;

/** The registry, in the order of vendor-info.ts (the order of /api/status and the dashboard). */
export const VENDOR_REGISTRY: { readonly [Id in VendorId]: Id extends CollectorId ? CollectorEntry<Id> : BridgeEntry } = { comap, devicecloud, thinq, sepl };

export const REGISTRY_ENTRIES: readonly RegistryEntry[] = [comap, devicecloud, thinq, sepl];
