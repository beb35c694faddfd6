// One vendor's simulator as the demo drives it.
import type { ThinqConnectorOptions } from '../connectors/thinq.js';
import type { DemoFault } from '../service.js';

export interface DemoVendor<Sim> {
  simulator: Sim;
  /** Injects (or clears, with 'none') a fault affecting every call of the fleet to this simulator. */
  fault(fault: DemoFault): Promise<void> | void;
  /** Changes a value of one device inside the simulator (vendorId, the fleet's metric name). */
  setValue?(vendorId: string, metric: string, value: number | string | boolean): Promise<void> | void;
  /** Sends a platform command to a device (the SEPL simulator only). */
  command?(deviceId: string, command: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** What the connectors need beyond the configuration to trust the simulators. */
export interface DemoConnectorOptions {
  thinq?: ThinqConnectorOptions;
}
