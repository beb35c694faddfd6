import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEEP_ENTRIES, TRIM_INTERVAL_MS, keepNewest, trimEvery } from './log-trim.js';

describe('the demo keeps the simulators\' logs bounded', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the newest entries of a log, in place', () => {
    const log = Array.from({ length: KEEP_ENTRIES + 5 }, (_, i) => i);
    const same = log;
    keepNewest(log);
    expect(log).toBe(same);
    expect(log).toHaveLength(KEEP_ENTRIES);
    expect([log[0], log.at(-1)]).toEqual([5, KEEP_ENTRIES + 4]);
    const short = [1, 2];
    keepNewest(short, 3);
    expect(short).toEqual([1, 2]);
  });

  it('trims every minute until stopped', () => {
    vi.useFakeTimers();
    const log: number[] = [];
    const stop = trimEvery(() => keepNewest(log, 2));
    log.push(1, 2, 3, 4);
    vi.advanceTimersByTime(TRIM_INTERVAL_MS - 1);
    expect(log).toEqual([1, 2, 3, 4]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual([3, 4]);
    stop();
    log.push(5);
    vi.advanceTimersByTime(TRIM_INTERVAL_MS);
    expect(log).toEqual([3, 4, 5]);
  });
});
