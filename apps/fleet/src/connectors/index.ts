// Which connector serves which configured vendor: the registry's factories (src/registry.ts).
import type { FleetConfig } from '../config.js';
import type { Vendor } from '../model.js';
import { VENDOR_REGISTRY } from '../registry.js';
import type { Bridge, BridgeContext, ConnectorContext, ConnectorTuning, VendorConnector } from './connector.js';

export type { BridgeContext, ConnectorTuning } from './connector.js';

/** The connector of `vendor`, or undefined when its section is not configured. */
export function createConnector(vendor: Vendor, config: FleetConfig, ctx: ConnectorContext, tuning: ConnectorTuning): VendorConnector | undefined {
  switch (vendor) {
    case 'comap':
      return config.comap && VENDOR_REGISTRY.comap.createConnector(config.comap, config.shard, ctx, tuning);
    case 'devicecloud':
      return config.devicecloud && VENDOR_REGISTRY.devicecloud.createConnector(config.devicecloud, config.shard, ctx, tuning);
    case 'thinq':
      return config.thinq && VENDOR_REGISTRY.thinq.createConnector(config.thinq, config.shard, ctx, tuning);
  }
}

/** The SEPL bridge, or undefined when its section is not configured. */
export function createBridge(config: FleetConfig, ctx: BridgeContext, tuning: ConnectorTuning): Bridge | undefined {
  return config.sepl && VENDOR_REGISTRY.sepl.createBridge(config.sepl, config.shard, ctx, tuning);
}
