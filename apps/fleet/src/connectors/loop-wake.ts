// Cuts a polling loop's wait short: when a collector gains shards, their devices should be polled
// now, not one poll interval later. A wake while no wait runs ends the next wait at once.
import { sleep } from '@x/http-core';

export class LoopWake {
  #cut: (() => void) | undefined;
  #pending = false;

  /** Ends the current wait (or the next one, when none is running). */
  wake(): void {
    const cut = this.#cut;
    this.#cut = undefined;
    if (cut) cut();
    else this.#pending = true;
  }

  /** Waits `ms` unless woken first; rejects like sleep() when `signal` aborts. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return;
    }
    const local = new AbortController();
    const forward = (): void => local.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    this.#cut = () => local.abort();
    try {
      await sleep(ms, local.signal);
    } catch (err) {
      if (signal.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', forward);
      this.#cut = undefined;
    }
  }
}
