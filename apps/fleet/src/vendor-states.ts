// Each cloud's state as /api/status and the `vendor` event show it: its tracker (connected,
// degraded, unauthorised...), device count and data mode; a change is published on the bus.
import type { EventBus } from './events.js';
import { COLLECTOR_IDS } from './vendor-info.js';
import { toIso, type Vendor, type VendorStatus } from './model.js';
import type { Scrub } from './secrets.js';
import { StateTracker } from './status.js';

export interface VendorState {
  readonly tracker: StateTracker;
  devices: number;
  mode: string | null;
}

export class VendorStates {
  readonly #states = new Map<Vendor, VendorState>();
  readonly #bus: EventBus;
  readonly #startedAt: number;
  readonly #scrub: Scrub;

  constructor(bus: EventBus, startedAt: number, scrub: Scrub) {
    this.#bus = bus;
    this.#startedAt = startedAt;
    this.#scrub = scrub;
  }

  /** A new state for `vendor` whose changes are published; it counts once `enable`d. */
  entry(vendor: Vendor, now: () => number): VendorState {
    return { tracker: new StateTracker('connecting', now, () => this.#publish(vendor), this.#scrub), devices: 0, mode: null };
  }

  enable(vendor: Vendor, state: VendorState): void {
    this.#states.set(vendor, state);
  }

  setDevices(vendor: Vendor, count: number): void {
    const state = this.#states.get(vendor);
    if (state && state.devices !== count) {
      state.devices = count;
      this.#publish(vendor);
    }
  }

  setMode(vendor: Vendor, mode: string | null): void {
    const state = this.#states.get(vendor);
    if (state && state.mode !== mode) {
      state.mode = mode;
      this.#publish(vendor);
    }
  }

  status(vendor: Vendor): VendorStatus {
    const v = this.#states.get(vendor);
    if (!v) return { vendor, enabled: false, state: 'disabled', reason: null, since: toIso(this.#startedAt), lastSuccessAt: null, devices: 0, mode: null };
    return { vendor, enabled: true, ...v.tracker.snapshot(), devices: v.devices, mode: v.mode };
  }

  /** Every cloud's status, in the registry's order. */
  all(): Record<Vendor, VendorStatus> {
    return Object.fromEntries(COLLECTOR_IDS.map((vendor) => [vendor, this.status(vendor)])) as Record<Vendor, VendorStatus>;
  }

  #publish(vendor: Vendor): void {
    this.#bus.emit('vendor', this.status(vendor));
  }
}
