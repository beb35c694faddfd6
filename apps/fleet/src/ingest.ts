// Where connector data enters the fleet: devices and readings are stored (only those of this
// collector's shard) and, when live, published on the bus. One bad reading never costs the rest
// of its batch: text is cleaned first (clean-text.ts), and a batch the database refuses for its
// data is split until each refused reading stands alone; those are logged with the database's
// reason and skipped, the rest stored.
import { cleanDeviceInfo, cleanReading, hasUnstorable } from './clean-text.js';
import type { EventBus } from './events.js';
import { silentLogger, type Logger } from './log.js';
import type { Device, DeviceInfo, Reading, ReadingInput, Vendor } from './model.js';
import { deviceId } from './model.js';
import type { FleetStore } from './storage/store.js';

/**
 * Whether the database refused the statement for the data it carried (SQLSTATE class 22, data
 * exception, or 23, integrity constraint violation), as PostgreSQL and PGlite report it; a lost
 * connection or a server going down is not, and fails the whole batch so it is delivered again.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

export interface IngestOptions {
  store: FleetStore;
  bus: EventBus;
  owns: (deviceId: string) => boolean;
  decorate: (device: Device) => Device;
  onDeviceCount?: (vendor: Vendor, count: number) => void;
  /** Readings of a vendor were stored (its data is flowing: staleness, vendor-states.ts). */
  onData?: (vendor: Vendor) => void;
  /** Where refused readings are reported (default: nowhere). */
  logger?: Logger;
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

  /** After shards were lost: forgets the devices no longer this collector's (the vendors' device counts follow). */
  forgetUnowned(): void {
    for (const [vendor, set] of this.#known) {
      const before = set.size;
      for (const id of set) if (!this.#o.owns(id)) set.delete(id);
      if (set.size !== before) this.#o.onDeviceCount?.(vendor, set.size);
    }
  }

  /** Stores a device; publishes `device` when it is new or changed. Returns its id, or undefined when not ours. */
  async device(raw: DeviceInfo): Promise<string | undefined> {
    if (hasUnstorable(raw.vendorId)) throw new TypeError('device id holds a NUL or invalid UTF-8: not stored');
    const info = cleanDeviceInfo(raw);
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
   * as `reading` events. Non-finite numbers are dropped, text is cleaned, and a reading the database
   * refuses is logged and skipped while the others are stored. Rejects only when the database
   * failed as a whole (the caller then keeps the batch for a retry). Returns how many were new.
   */
  async readings(readings: readonly ReadingInput[], options: { live: boolean }): Promise<number> {
    const ours: ReadingInput[] = [];
    for (const r of readings) {
      if (!this.#o.owns(r.deviceId) || (typeof r.value === 'number' && !Number.isFinite(r.value))) continue;
      const cleaned = cleanReading(r);
      if (cleaned.reading) ours.push(cleaned.reading);
      else this.#refused(r, cleaned.problem, undefined);
    }
    const fresh = await this.#store(ours);
    if (options.live) for (const r of fresh) this.#o.bus.emit('reading', r);
    if (this.#o.onData) for (const vendor of new Set(fresh.map((r) => r.deviceId.slice(0, r.deviceId.indexOf(':'))))) this.#o.onData(vendor as Vendor);
    return fresh.length;
  }

  /**
   * The batch in one statement; when the database refuses its data, each half on its own, down to
   * the single readings it refuses (a few bad readings in a large backfill cost a few statements,
   * not one per reading). Order is kept.
   */
  async #store(readings: readonly ReadingInput[]): Promise<Reading[]> {
    if (readings.length === 0) return [];
    try {
      return await this.#o.store.insertReadings(readings);
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (readings.length === 1) {
        this.#refused(readings[0]!, (err as Error).message, (err as { code?: string }).code);
        return [];
      }
    }
    const half = Math.ceil(readings.length / 2);
    return [...(await this.#store(readings.slice(0, half))), ...(await this.#store(readings.slice(half)))];
  }

  #refused(r: ReadingInput, reason: string, code: string | undefined): void {
    (this.#o.logger ?? silentLogger).warn('reading not stored (skipped; the rest of its batch is stored)', {
      deviceId: r.deviceId.slice(0, 200),
      metric: r.metric.slice(0, 200),
      ts: r.ts,
      reason: reason.slice(0, 300),
      ...(code === undefined ? {} : { code }),
    });
  }
}
