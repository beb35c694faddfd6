/** Test support for the connector soaks: counting connections and waiting for the next one on a fake clock. */
import { settle } from '@x/http-core/testing';
import type { SeplConnector } from './client.js';

/** The connector's 'ready' events so far, and a wait for the next one. */
export interface ReadyCount {
  /** 'ready' events since {@link countReadies} was called. */
  readonly count: number;
  /** Resolves once `count` has moved past `before`, moving `clock` in steps of 1 s (the reconnect backoff). */
  reconnected(before: number): Promise<void>;
}

/** Counts `connector`'s 'ready' events (one listener for the soak's life). */
export function countReadies(connector: SeplConnector, clock: { advance(ms: number): void }): ReadyCount {
  let count = 0;
  const waiting = new Set<() => void>();
  connector.on('ready', () => {
    count += 1;
    for (const wake of [...waiting]) wake();
  });
  return {
    get count() {
      return count;
    },
    reconnected(before) {
      const next = new Promise<void>((resolve) => {
        const wake = (): void => {
          if (count === before) return;
          waiting.delete(wake);
          resolve();
        };
        waiting.add(wake);
        wake();
      });
      return settle(clock, next, { stepInMs: 1_000 });
    },
  };
}
