// Which connector serves which configured vendor.
import type { FleetConfig } from '../config.js';
import type { Ingest } from '../ingest.js';
import type { Logger } from '../log.js';
import type { Vendor } from '../model.js';
import type { FleetService } from '../service.js';
import type { Bridge, ConnectorContext, VendorConnector } from './connector.js';

export interface BridgeContext {
  service: FleetService;
  ingest: Ingest;
  logger: Logger;
  now(): number;
}

export function createConnector(vendor: Vendor, config: FleetConfig, ctx: ConnectorContext): VendorConnector | undefined {
  void ctx;
  switch (vendor) {
    case 'comap':
      return config.comap ? undefined : undefined;
    case 'devicecloud':
      return config.devicecloud ? undefined : undefined;
    case 'thinq':
      return config.thinq ? undefined : undefined;
  }
}

export function createBridge(config: FleetConfig, ctx: BridgeContext): Bridge | undefined {
  void ctx;
  return config.sepl ? undefined : undefined;
}
