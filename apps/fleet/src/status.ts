// One vendor's (or the SEPL bridge's) connection state, published on the bus when it changes.
import type { ConnectorState } from './model.js';
import { toIso } from './model.js';
import { noScrub, type Scrub } from './secrets.js';

export interface StateSnapshot {
  state: ConnectorState;
  reason: string | null;
  since: string;
  lastSuccessAt: string | null;
}

export class StateTracker {
  #state: ConnectorState;
  #reason: string | null = null;
  #since: number;
  #lastSuccessAt: number | null = null;
  readonly #now: () => number;
  readonly #onChange: () => void;
  readonly #scrub: Scrub;

  /** `scrub` removes configured secrets from reasons (they are served by /api/status). */
  constructor(initial: ConnectorState, now: () => number, onChange: () => void, scrub: Scrub = noScrub) {
    this.#state = initial;
    this.#now = now;
    this.#since = now();
    this.#onChange = onChange;
    this.#scrub = scrub;
  }

  get state(): ConnectorState {
    return this.#state;
  }

  get reason(): string | null {
    return this.#reason;
  }

  /** Moves to a state; publishes only when state or reason changed. */
  set(state: ConnectorState, rawReason: string | null = null): void {
    const reason = rawReason === null ? null : this.#scrub(rawReason);
    if (state === 'connected') this.#lastSuccessAt = this.#now();
    if (state === this.#state && reason === this.#reason) return;
    this.#state = state;
    this.#reason = reason;
    this.#since = this.#now();
    this.#onChange();
  }

  /** A call to the vendor worked: connected, no reason. */
  ok(): void {
    this.set('connected', null);
  }

  snapshot(): StateSnapshot {
    return {
      state: this.#state,
      reason: this.#reason,
      since: toIso(this.#since),
      lastSuccessAt: this.#lastSuccessAt === null ? null : toIso(this.#lastSuccessAt),
    };
  }
}
