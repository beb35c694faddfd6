/**
 * Fewer repeats across reconnects for explicit-ack monitors with auto replay
 * (`replayUnacknowledged`): events the consumer finished after their connection died cannot be
 * acknowledged, so the server replays them; this remembers them and removes their replayed copies.
 */
import { eventKey } from './event-key.js';
import type { MonitorEvent } from './events.js';

export class ReplayFilter {
  readonly #monitorId: number;
  /** Handled-but-unacknowledged events by identity, with how many copies are owed. */
  #handled: Map<string, number> | undefined;

  constructor(monitorId: number) {
    this.#monitorId = monitorId;
  }

  /** Whether replayed copies are still expected. */
  get pending(): number {
    return this.#handled?.size ?? 0;
  }

  /** The consumer finished these events but their block could not be acknowledged. */
  remember(events: readonly MonitorEvent[]): void {
    const seen = (this.#handled ??= new Map());
    for (const e of events) {
      const key = eventKey(e, this.#monitorId);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }

  /**
   * Removes from a batch the replayed events that were already handled. Returns the events to
   * deliver (empty when the block only repeated handled events: acknowledge it without delivery).
   */
  filter(events: MonitorEvent[], replay: boolean): MonitorEvent[] {
    const seen = this.#handled;
    if (!seen) return events;
    if (!replay) {
      // Replays come before live events: nothing more will match.
      this.#handled = undefined;
      return events;
    }
    const kept = events.filter((e) => {
      const key = eventKey(e, this.#monitorId);
      const n = e.replay ? seen.get(key) : undefined;
      if (n === undefined) return true;
      if (n > 1) seen.set(key, n - 1);
      else seen.delete(key);
      return false;
    });
    if (seen.size === 0) this.#handled = undefined;
    return kept;
  }
}
