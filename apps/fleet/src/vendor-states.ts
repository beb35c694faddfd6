// Each cloud's state as /api/status and the `vendor` event show it: its tracker (connected,
// degraded, unauthorised...), device count and data mode; a change is published on the bus. A
// vendor whose connection looks fine but whose readings stopped arriving for longer than its
// staleness limit shows as degraded, with the reason, until data flows again.
import type { EventBus } from './events.js';
import { COLLECTOR_IDS } from './vendor-info.js';
import { toIso, type Vendor, type VendorStatus } from './model.js';
import type { Scrub } from './secrets.js';
import { StateTracker } from './status.js';

export interface VendorState {
  readonly tracker: StateTracker;
  devices: number;
  mode: string | null;
  /** When its readings were last stored (or it was enabled, before any). */
  lastDataAt: number;
}

/** How long each vendor may stay silent before it counts as stalled (0 or missing: never). */
export type StaleLimits = Partial<Record<Vendor, number>>;

export class VendorStates {
  readonly #states = new Map<Vendor, VendorState>();
  readonly #bus: EventBus;
  readonly #startedAt: number;
  readonly #scrub: Scrub;
  readonly #staleAfter: StaleLimits;
  readonly #now: () => number;
  /** Vendors shown stale at the last check (a change is published). */
  readonly #stale = new Set<Vendor>();

  constructor(bus: EventBus, startedAt: number, scrub: Scrub, options: { staleAfter?: StaleLimits; now?: () => number } = {}) {
    this.#bus = bus;
    this.#startedAt = startedAt;
    this.#scrub = scrub;
    this.#staleAfter = options.staleAfter ?? {};
    this.#now = options.now ?? Date.now;
  }

  /** A new state for `vendor` whose changes are published; it counts once `enable`d. */
  entry(vendor: Vendor, now: () => number): VendorState {
    return { tracker: new StateTracker('connecting', now, () => this.#publish(vendor), this.#scrub), devices: 0, mode: null, lastDataAt: now() };
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

  /** Readings of `vendor` were stored just now. */
  touch(vendor: Vendor): void {
    const state = this.#states.get(vendor);
    if (!state) return;
    state.lastDataAt = this.#now();
    if (this.#stale.delete(vendor)) this.#publish(vendor);
  }

  /** Publishes every vendor whose staleness changed since the last check (called on a timer). */
  checkStaleness(): void {
    for (const vendor of this.#states.keys()) {
      const stale = this.#staleSince(vendor) !== undefined;
      if (stale === this.#stale.has(vendor)) continue;
      if (stale) this.#stale.add(vendor);
      else this.#stale.delete(vendor);
      this.#publish(vendor);
    }
  }

  /** When a connected vendor with devices went silent for longer than its limit; undefined when it is not stale. */
  #staleSince(vendor: Vendor): number | undefined {
    const v = this.#states.get(vendor);
    const limit = this.#staleAfter[vendor] ?? 0;
    if (!v || limit <= 0 || v.devices === 0 || v.tracker.state !== 'connected') return undefined;
    const since = v.lastDataAt + limit;
    return this.#now() >= since ? since : undefined;
  }

  status(vendor: Vendor): VendorStatus {
    const v = this.#states.get(vendor);
    if (!v) return { vendor, enabled: false, state: 'disabled', reason: null, since: toIso(this.#startedAt), lastSuccessAt: null, devices: 0, mode: null };
    const snapshot = v.tracker.snapshot();
    const staleSince = this.#staleSince(vendor);
    if (staleSince !== undefined) {
      const minutes = Math.max(1, Math.round((this.#now() - v.lastDataAt) / 60_000));
      snapshot.state = 'degraded';
      snapshot.reason = `no readings for ${minutes} min (since ${toIso(v.lastDataAt)}) although connected: the vendor stopped sending`;
      snapshot.since = toIso(staleSince);
    }
    return { vendor, enabled: true, ...snapshot, devices: v.devices, mode: v.mode };
  }

  /** Every cloud's status, in the registry's order. */
  all(): Record<Vendor, VendorStatus> {
    return Object.fromEntries(COLLECTOR_IDS.map((vendor) => [vendor, this.status(vendor)])) as Record<Vendor, VendorStatus>;
  }

  #publish(vendor: Vendor): void {
    this.#bus.emit('vendor', this.status(vendor));
  }
}
