import { cloneDevice, validateDevice, type SeplDevice } from './device.js';
import type { DeviceStore } from './store.js';

/** A device store in memory (lost on exit). */
export class MemoryDeviceStore implements DeviceStore {
  readonly #devices = new Map<string, SeplDevice>();
  #gatewayId: string | undefined;
  #pendingDeletions: string[] = [];

  constructor(devices: Iterable<SeplDevice> = [], gatewayId?: string) {
    let i = 0;
    for (const device of devices) {
      this.#devices.set(device.id, cloneDevice(validateDevice(device, `devices[${i}]`)));
      i++;
    }
    this.#gatewayId = gatewayId;
  }

  add(device: SeplDevice): void {
    this.#devices.set(device.id, cloneDevice(validateDevice(device)));
  }

  update(device: SeplDevice): void {
    this.add(device);
  }

  remove(id: string): boolean {
    return this.#devices.delete(id);
  }

  get(id: string): SeplDevice | undefined {
    const device = this.#devices.get(id);
    return device && cloneDevice(device);
  }

  list(): SeplDevice[] {
    return [...this.#devices.values()].map(cloneDevice);
  }

  getGatewayId(): string | undefined {
    return this.#gatewayId;
  }

  setGatewayId(id: string): void {
    this.#gatewayId = id;
  }

  getPendingDeletions(): string[] {
    return [...this.#pendingDeletions];
  }

  setPendingDeletions(ids: string[]): void {
    this.#pendingDeletions = [...ids];
  }
}
