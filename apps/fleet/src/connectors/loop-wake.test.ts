// A polling loop woken early (shards gained) polls at once; a backoff wait after a failure is never
// cut short, and stopping still ends the loop.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.js';
import { StateTracker } from '../status.js';
import { runLoop } from './loop.js';
import { LoopWake } from './loop-wake.js';

describe('LoopWake', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('ends the wait after a successful step early, and remembers a wake that came while polling', async () => {
    const wake = new LoopWake();
    const abort = new AbortController();
    const steps: number[] = [];
    const t0 = Date.now();
    let fail = false;
    const loop = runLoop({
      name: 'test',
      tracker: new StateTracker('connecting', () => Date.now(), () => undefined),
      logger: silentLogger,
      signal: abort.signal,
      intervalInMs: 60_000,
      retry: { initialDelayInMs: 10_000, maxDelayInMs: 10_000 },
      wake,
      step: () => {
        steps.push(Date.now() - t0);
        if (steps.length === 2) wake.wake(); // during a step: the next wait ends at once
        return fail ? Promise.reject(new Error('down')) : Promise.resolve();
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(steps).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1000);
    wake.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(steps).toEqual([0, 1000, 1000]);
    fail = true;
    wake.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(steps).toEqual([0, 1000, 1000, 1000]);
    // Failed: a backoff wait (5-10 s with its jitter), which a wake does not cut.
    wake.wake();
    await vi.advanceTimersByTimeAsync(4999);
    expect(steps).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(5001);
    expect(steps).toHaveLength(5);
    abort.abort();
    await loop;
  });
});
