// The in-process event bus: connectors publish, the SSE endpoint, the SEPL bridge and storage
// listen. Listeners run synchronously; a throwing listener is reported, never breaks the others.
import type { CommandRecord, Device, Reading, SeplStatus, VendorStatus } from './model.js';

export interface FleetEvents {
  reading: Reading;
  device: Device;
  vendor: VendorStatus;
  sepl: SeplStatus;
  command: CommandRecord;
}

export type FleetEventName = keyof FleetEvents;
type Listener<K extends FleetEventName> = (payload: FleetEvents[K]) => void;
type AnyListener = (name: FleetEventName, payload: FleetEvents[FleetEventName]) => void;

export class EventBus {
  readonly #listeners = new Map<FleetEventName, Set<(payload: never) => void>>();
  readonly #any = new Set<AnyListener>();
  readonly #onListenerError: (err: unknown) => void;

  constructor(onListenerError: (err: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  on<K extends FleetEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Every event, in publication order (the SSE stream uses this). */
  onAny(listener: AnyListener): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  emit<K extends FleetEventName>(name: K, payload: FleetEvents[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) this.#call(() => (listener as Listener<K>)(payload));
    for (const listener of this.#any) this.#call(() => listener(name, payload));
  }

  listenerCount(): number {
    let n = this.#any.size;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#onListenerError(err);
    }
  }
}
