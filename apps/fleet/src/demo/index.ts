// The demo: every registry vendor's simulator, started in-process on loopback, and the
// configuration that points the connectors at them.
import type { FleetConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { CommandRecord } from '../model.js';
import { REGISTRY_ENTRIES, type DemoStart } from '../registry.js';
import type { DemoControls, FaultTarget, FleetService } from '../service.js';
import type { VendorId } from '../vendor-info.js';
import type { DemoConnectorOptions, DemoVendor } from './types.js';

export type { DemoConnectorOptions } from './types.js';

/** The simulators' own objects, by registry id. */
export type Simulators = Partial<Record<VendorId, unknown>>;

export interface DemoEnvironment {
  /** Vendor sections of the configuration, pointing at the simulators. */
  config: Partial<FleetConfig>;
  connectorOptions: DemoConnectorOptions;
  simulators: Simulators;
  controls(service: FleetService): DemoControls;
  stop(): Promise<void>;
}

export interface DemoOptions {
  pollIntervalInMs: number;
  logger: Logger;
}

function demoControls(vendors: ReadonlyMap<FaultTarget, DemoVendor<unknown>>, service: FleetService): DemoControls {
  const target = (name: FaultTarget): DemoVendor<unknown> => {
    const v = vendors.get(name);
    if (!v) throw new RangeError(`vendor: the ${name} simulator is not running`);
    return v;
  };
  return {
    async fault(name, fault) {
      await target(name).fault(fault);
    },
    async setValue(id, metric, value) {
      const device = await service.getDevice(id);
      if (!device) throw new RangeError(`deviceId: no device ${JSON.stringify(id)}`);
      const v = target(device.vendor);
      if (!v.setValue) throw new RangeError(`deviceId: the ${device.vendor} simulator cannot change values`);
      await v.setValue(device.vendorId, metric, value);
    },
    async seplCommand(id, command, params): Promise<CommandRecord> {
      const sepl = vendors.get('sepl');
      if (!sepl?.command) throw new RangeError('vendor: the sepl simulator is not running');
      return (await sepl.command(id, command, params)) as unknown as CommandRecord;
    },
  };
}

export async function startDemo(options: DemoOptions): Promise<DemoEnvironment> {
  const vendors = new Map<FaultTarget, DemoVendor<unknown>>();
  const config: Partial<Record<VendorId, unknown>> = {};
  const connectorOptions: DemoConnectorOptions = {};
  const stopAll = async (): Promise<void> => {
    for (const v of [...vendors.values()].reverse()) await v.stop().catch((err: unknown) => options.logger.warn('simulator stop failed', { error: err }));
  };
  // The simulators start side by side; if one fails, the others are stopped again.
  const started = await Promise.allSettled(REGISTRY_ENTRIES.map((entry): Promise<DemoStart<unknown>> => entry.startDemo({ pollIntervalInMs: options.pollIntervalInMs })));
  started.forEach((result, i) => {
    if (result.status !== 'fulfilled') return;
    const id = REGISTRY_ENTRIES[i]!.info.id;
    vendors.set(id, result.value.demo);
    config[id] = result.value.config;
    Object.assign(connectorOptions, result.value.connectorOptions);
  });
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return {
    config: config as Partial<FleetConfig>,
    connectorOptions,
    simulators: Object.fromEntries([...vendors].map(([k, v]) => [k, v.simulator])),
    controls: (service) => demoControls(vendors, service),
    stop: stopAll,
  };
}
