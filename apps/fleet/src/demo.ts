// The demo: the four vendor packages' simulators, started in-process on loopback, and the
// configuration that points the connectors at them.
import type { FleetConfig } from './config.js';
import type { Logger } from './log.js';
import type { DemoControls, FleetService } from './service.js';

export interface Simulators {
  [name: string]: unknown;
}

export interface DemoEnvironment {
  /** Configuration sections for the connectors (vendor sections only). */
  config: Partial<FleetConfig>;
  simulators: Simulators;
  controls(service: FleetService): DemoControls;
  stop(): Promise<void>;
}

export function startDemo(options: { pollIntervalInMs: number; logger: Logger }): Promise<DemoEnvironment> {
  void options;
  const simulators: Simulators = {};
  return Promise.resolve({
    config: {},
    simulators,
    controls: () => ({
      fault: () => Promise.reject(new Error('no simulators')),
      setValue: () => Promise.reject(new Error('no simulators')),
      seplCommand: () => Promise.reject(new Error('no simulators')),
    }),
    stop: () => Promise.resolve(),
  });
}
