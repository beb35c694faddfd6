// The demo: the vendor packages' simulators, started in-process on loopback, and the
// configuration that points the connectors at them.
import type { FleetConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { CommandRecord } from '../model.js';
import type { DemoControls, FaultTarget, FleetService } from '../service.js';
import { startComapDemo } from './comap.js';
import { startDevicecloudDemo } from './devicecloud.js';
import { startThinqDemo } from './thinq.js';
import { startSeplDemo } from './sepl.js';
import type { ThinqConnectorOptions } from '../connectors/thinq.js';
import type { DemoVendor } from './types.js';

export interface Simulators {
  comap?: unknown;
  devicecloud?: unknown;
  thinq?: unknown;
  sepl?: unknown;
}

/** What the connectors need beyond the configuration to trust the simulators. */
export interface DemoConnectorOptions {
  thinq?: ThinqConnectorOptions;
}

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

export async function startDemo(options: DemoOptions): Promise<DemoEnvironment> {
  const vendors = new Map<FaultTarget, DemoVendor<unknown>>();
  const config: Partial<FleetConfig> = {};
  const connectorOptions: DemoConnectorOptions = {};
  let seplCommand: ((deviceId: string, command: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>) | undefined;
  const stopAll = async (): Promise<void> => {
    for (const v of [...vendors.values()].reverse()) await v.stop().catch((err: unknown) => options.logger.warn('simulator stop failed', { error: err }));
  };
  // The four simulators start side by side; if one fails, the others are stopped again.
  const [comap, devicecloud, thinq, sepl] = await Promise.allSettled([
    startComapDemo(options.pollIntervalInMs),
    startDevicecloudDemo(),
    startThinqDemo(options.pollIntervalInMs),
    startSeplDemo(),
  ]);
  if (comap.status === 'fulfilled') {
    vendors.set('comap', comap.value.demo);
    config.comap = comap.value.config;
  }
  if (devicecloud.status === 'fulfilled') {
    vendors.set('devicecloud', devicecloud.value.demo);
    config.devicecloud = devicecloud.value.config;
  }
  if (thinq.status === 'fulfilled') {
    vendors.set('thinq', thinq.value.demo);
    config.thinq = thinq.value.config;
    connectorOptions.thinq = thinq.value.options;
  }
  if (sepl.status === 'fulfilled') {
    const demo = sepl.value.demo;
    vendors.set('sepl', demo);
    config.sepl = sepl.value.config;
    seplCommand = (deviceId, command, params) => demo.command(deviceId, command, params);
  }
  const failed = [comap, devicecloud, thinq, sepl].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  const simulators: Simulators = Object.fromEntries([...vendors].map(([k, v]) => [k, v.simulator]));
  return {
    config,
    connectorOptions,
    simulators,
    controls(service: FleetService): DemoControls {
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
          if (!seplCommand) throw new RangeError('vendor: the sepl simulator is not running');
          return (await seplCommand(id, command, params)) as unknown as CommandRecord;
        },
      };
    },
    stop: stopAll,
  };
}
