// Which connector serves which configured vendor.
import type { FleetConfig } from '../config.js';
import type { Ingest } from '../ingest.js';
import type { Logger } from '../log.js';
import type { Vendor } from '../model.js';
import type { FleetService } from '../service.js';
import { ComapConnector } from './comap.js';
import { DevicecloudConnector } from './devicecloud.js';
import { ThinqConnector } from './thinq.js';
import { SeplBridge, type KvDeviceStore } from './sepl-bridge.js';
import type { DemoConnectorOptions } from '../demo/index.js';
import type { Bridge, ConnectorContext, VendorConnector } from './connector.js';
import type { Scrub } from '../secrets.js';

export interface BridgeContext {
  service: FleetService;
  ingest: Ingest;
  logger: Logger;
  now(): number;
  kv: KvDeviceStore['kv'];
  scrub: Scrub;
}

export interface ConnectorTuning {
  /** Demo: simulators on loopback, so no client-side rate limit and short retries. */
  demo: boolean;
  /** Trust settings for the demo's simulators. */
  demoOptions?: DemoConnectorOptions | undefined;
}

export function createConnector(vendor: Vendor, config: FleetConfig, ctx: ConnectorContext, tuning: ConnectorTuning): VendorConnector | undefined {
  const fast = tuning.demo ? { retry: { initialDelayInMs: 300, maxDelayInMs: 2000 } } : {};
  switch (vendor) {
    case 'comap':
      return config.comap
        ? new ComapConnector(config.comap, ctx, { ...fast, ...(tuning.demo ? { client: { rateLimit: false, retry: { maxAttempts: 2, baseDelayInMs: 50 } } } : {}) })
        : undefined;
    case 'devicecloud':
      return config.devicecloud ? new DevicecloudConnector(config.devicecloud, ctx, { ...fast, shard: config.shard }) : undefined;
    case 'thinq':
      return config.thinq ? new ThinqConnector(config.thinq, ctx, { ...fast, ...tuning.demoOptions?.thinq }) : undefined;
  }
}

export function createBridge(config: FleetConfig, ctx: BridgeContext, tuning: ConnectorTuning): Bridge | undefined {
  if (!config.sepl) return undefined;
  return new SeplBridge(config.sepl, {
    service: ctx.service,
    logger: ctx.logger,
    now: () => ctx.now(),
    kv: ctx.kv,
    owns: (id) => ctx.ingest.owns(id),
    shard: config.shard,
    republish: (id) => ctx.ingest.republish(id),
    scrub: ctx.scrub,
    ...(tuning.demo ? { retry: { initialDelayInMs: 300, maxDelayInMs: 2000 } } : {}),
  });
}
