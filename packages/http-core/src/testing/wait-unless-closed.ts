import type { ServerResponse } from 'node:http';

/** Waits `ms` of real time, or less when the client goes away first (no timer outlives the exchange). */
export function waitUnlessClosed(ms: number, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}
