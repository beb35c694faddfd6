// Where connector data enters the fleet: devices and readings are stored (only those of this
// collector's shard) and, when live, published on the bus.
import type { EventBus } from './events.js';
import type { Device, DeviceInfo, ReadingInput, Vendor } from './model.js';
import { deviceId } from './model.js';
import type { FleetStore } from './storage/store.js';

export interface IngestOptions {
  store: FleetStore;
  bus: EventBus;
  owns: (deviceId: string) => boolean;
  decorate: (device: Device) => Device;
  onDeviceCount?: (vendor: Vendor, count: number) => void;
}

export class Ingest {
  readonly #o: IngestOptions;
  readonly #known = new Map<Vendor, Set<string>>();

  constructor(options: IngestOptions) {
    this.#o = options;
  }

  owns(id: string): boolean {
    return this.#o.owns(id);
  }

  /** Device ids this collector has seen for a vendor since start. */
  known(vendor: Vendor): ReadonlySet<string> {
    return this.#known.get(vendor) ?? new Set();
  }

  /** Stores a device; publishes `device` when it is new or changed. Returns its id, or undefined when not ours. */
  async device(info: DeviceInfo): Promise<string | undefined> {
    const id = deviceId(info.vendor, info.vendorId);
    if (!this.#o.owns(id)) return undefined;
    let set = this.#known.get(info.vendor);
    if (!set) {
      set = new Set();
      this.#known.set(info.vendor, set);
    }
    const isNew = !set.has(id);
    set.add(id);
    const { device, changed } = await this.#o.store.upsertDevice(info);
    if (isNew) this.#o.onDeviceCount?.(info.vendor, set.size);
    if (changed || isNew) this.#o.bus.emit('device', this.#o.decorate(device));
    return id;
  }

  /** The stored device (connectors merge their partial knowledge into it). */
  stored(id: string): Promise<Device | undefined> {
    return this.#o.store.getDevice(id);
  }

  /** Sets a device's online flag; publishes `device` when it changed. */
  async online(id: string, online: boolean): Promise<void> {
    if (!this.#o.owns(id)) return;
    if (await this.#o.store.setOnline(id, online)) await this.republish(id);
  }

  /** Publishes a device's current state (e.g. after its SEPL registration changed). */
  async republish(id: string): Promise<void> {
    const device = await this.#o.store.getDevice(id);
    if (device) this.#o.bus.emit('device', this.#o.decorate(device));
  }

  /**
   * Stores readings (already stored ones are skipped); live readings that were new are published
   * as `reading` events. Non-finite numbers are dropped. Returns how many were new.
   */
  async readings(readings: readonly ReadingInput[], options: { live: boolean }): Promise<number> {
    const ours = readings.filter((r) => this.#o.owns(r.deviceId) && (typeof r.value !== 'number' || Number.isFinite(r.value)));
    const fresh = await this.#o.store.insertReadings(ours);
    if (options.live) for (const r of fresh) this.#o.bus.emit('reading', r);
    return fresh.length;
  }
}
