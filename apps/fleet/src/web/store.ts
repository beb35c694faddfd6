// What the page knows about the fleet, kept current from the API snapshot plus the SSE events.
// No DOM here: views subscribe and redraw what changed (unit-tested in store.test.ts).
import type { CommandRecord, Device, FleetStatus, Reading, SeplStatus, ShardsStatus, Vendor, VendorStatus } from './api.js';

export type Change =
  | { readonly type: 'snapshot' }
  | { readonly type: 'device'; readonly id: string; readonly reading?: Reading }
  | { readonly type: 'vendor'; readonly vendor: Vendor }
  | { readonly type: 'sepl' }
  | { readonly type: 'shards' }
  | { readonly type: 'command'; readonly record: CommandRecord };

export type Listener = (change: Change) => void;

/** Commands kept for the page (newest first). */
export const MAX_COMMANDS = 50;

export class FleetStore {
  readonly devices = new Map<string, Device>();
  vendors: Partial<Record<Vendor, VendorStatus>> = {};
  sepl: SeplStatus | null = null;
  /** Who collects what (null until known, or from a service that does not say). */
  shards: ShardsStatus | null = null;
  /** Newest first, one entry per command id. */
  commands: CommandRecord[] = [];
  /** Running on the built-in simulators. */
  demo = false;
  /** False until the first snapshot arrived. */
  loaded = false;
  readonly #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: Change): void {
    for (const listener of this.#listeners) listener(change);
  }

  /** Replaces everything with a fresh snapshot (start-up and every SSE reconnect); commands newest first. */
  setSnapshot(status: FleetStatus, devices: readonly Device[], commands: readonly CommandRecord[] = []): void {
    this.devices.clear();
    for (const device of devices) this.devices.set(device.id, device);
    this.vendors = { ...status.vendors };
    this.sepl = status.sepl;
    this.shards = status.shards;
    this.demo = status.demo;
    for (const record of [...commands, ...status.sepl.recentCommands].reverse()) this.#rememberCommand(record);
    this.loaded = true;
    this.#emit({ type: 'snapshot' });
  }

  /** Devices sorted like the API sorts them: vendor, then name. */
  sortedDevices(): Device[] {
    return [...this.devices.values()].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  applyDevice(device: Device): void {
    const previous = this.devices.get(device.id);
    // A device event carries lastValues too; keep any newer value a reading event already gave us.
    this.devices.set(device.id, previous ? { ...device, labels: { ...previous.labels, ...device.labels }, lastValues: mergeLastValues(previous.lastValues, device.lastValues) } : device);
    this.#emit({ type: 'device', id: device.id });
  }

  applyReading(reading: Reading): void {
    const device = this.devices.get(reading.deviceId);
    if (!device) return;
    const current = device.lastValues[reading.metric];
    if (current && Date.parse(current.ts) > Date.parse(reading.ts)) {
      // An older reading (out of order): the chart may still want it, the table does not.
      this.#emit({ type: 'device', id: device.id, reading });
      return;
    }
    const lastSeen = device.lastSeen !== null && Date.parse(device.lastSeen) > Date.parse(reading.ts) ? device.lastSeen : reading.ts;
    this.devices.set(device.id, {
      ...device,
      // A metric first seen live brings its name in words.
      ...(reading.label === undefined || device.labels[reading.metric] === reading.label ? {} : { labels: { ...device.labels, [reading.metric]: reading.label } }),
      lastSeen,
      lastValues: { ...device.lastValues, [reading.metric]: { value: reading.value, unit: reading.unit, ts: reading.ts, ...(reading.text === undefined ? {} : { text: reading.text }) } },
    });
    this.#emit({ type: 'device', id: device.id, reading });
  }

  applyVendor(status: VendorStatus): void {
    this.vendors = { ...this.vendors, [status.vendor]: status };
    this.#emit({ type: 'vendor', vendor: status.vendor });
  }

  /** A fresh look at shard ownership (it has no live event: the page asks /api/status again). */
  applyShards(shards: ShardsStatus | null): void {
    this.shards = shards;
    this.#emit({ type: 'shards' });
  }

  applySepl(status: SeplStatus): void {
    this.sepl = status;
    for (const record of [...status.recentCommands].reverse()) this.#rememberCommand(record);
    this.#emit({ type: 'sepl' });
  }

  applyCommand(record: CommandRecord): void {
    this.#rememberCommand(record);
    this.#emit({ type: 'command', record });
  }

  /** Commands of one device, newest first. */
  commandsOf(deviceId: string): CommandRecord[] {
    return this.commands.filter((c) => c.deviceId === deviceId);
  }

  #rememberCommand(record: CommandRecord): void {
    const index = this.commands.findIndex((c) => c.id === record.id);
    if (index >= 0) {
      // Never let a late "pending" overwrite the final answer.
      const existing = this.commands[index];
      if (existing && existing.status !== 'pending' && record.status === 'pending') return;
      this.commands[index] = record;
      return;
    }
    this.commands.unshift(record);
    this.commands.sort((a, b) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt));
    if (this.commands.length > MAX_COMMANDS) this.commands.length = MAX_COMMANDS;
  }
}

function mergeLastValues(previous: Device['lastValues'], next: Device['lastValues']): Device['lastValues'] {
  const merged = { ...previous };
  for (const [metric, value] of Object.entries(next)) {
    const old = merged[metric];
    if (!old || !(Date.parse(old.ts) > Date.parse(value.ts))) merged[metric] = value;
  }
  return merged;
}

/** Is the device's vendor currently unable to talk to it? Then say so (and why, unless `withReason` is false). */
export function vendorProblem(status: VendorStatus | undefined, withReason = true): string | null {
  if (!status) return null;
  const reason = withReason && status.reason ? `: ${status.reason}` : '';
  switch (status.state) {
    case 'degraded':
      return `Vendor offline${reason}`;
    case 'unauthorised':
      return `Vendor unauthorised${reason}`;
    case 'disabled':
      return 'Vendor disabled';
    case 'connecting':
    case 'connected':
      return null;
  }
}
