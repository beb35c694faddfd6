// What the HTTP layer and the CLI need from a running fleet (implemented in app.ts).
import type { CommandService } from './commands.js';
import type { EventBus } from './events.js';
import type { CommandRecord, Device, SeplStatus, Vendor, VendorStatus } from './model.js';
import type { FleetStore } from './storage/store.js';
import type { ShardsStatus } from './shards/ownership.js';
import { VENDOR_IDS, type VendorId } from './vendor-info.js';

export interface FleetStatus {
  version: string;
  startedAt: string;
  demo: boolean;
  storage: { kind: 'pglite' | 'postgres' };
  /** Which shards (of the devices) this collector owns, and who owns the others. */
  shards: ShardsStatus;
  vendors: Record<Vendor, VendorStatus>;
  sepl: SeplStatus;
}

export type DemoFault = 'outage' | 'unauthorised' | 'none';
export const DEMO_FAULTS: readonly DemoFault[] = ['outage', 'unauthorised', 'none'];
/** Every registry vendor's simulator takes faults (the three clouds and SEPL). */
export const FAULT_TARGETS: readonly VendorId[] = VENDOR_IDS;
export type FaultTarget = VendorId;

/** Controls of the in-process simulators (demo mode only). */
export interface DemoControls {
  fault(target: FaultTarget, fault: DemoFault): Promise<void>;
  setValue(deviceId: string, metric: string, value: number | string | boolean): Promise<void>;
  seplCommand(deviceId: string, command: string, params: Record<string, unknown>): Promise<CommandRecord>;
}

export interface FleetService {
  readonly bus: EventBus;
  readonly store: FleetStore;
  readonly commands: CommandService;
  readonly demo: DemoControls | undefined;
  now(): number;
  status(): FleetStatus;
  getDevice(id: string): Promise<Device | undefined>;
  listDevices(filter?: { vendor?: Vendor | undefined; kind?: string | undefined }): Promise<Device[]>;
}
