import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_IN_MS, assertDuration, systemClock } from './clock.js';
import { createHttpClient } from './client.js';

describe('durations', () => {
  it('a delay past what a timer holds is a RangeError naming the option, not a 1 ms timer', () => {
    expect(() => assertDuration('renewIntervalInMs', 30 * 24 * 3600_000)).toThrow(/renewIntervalInMs must be from 0 to 2147483647 ms/);
    expect(() => assertDuration('x', Infinity)).toThrow(RangeError);
    expect(() => assertDuration('x', -1)).toThrow(RangeError);
    expect(() => assertDuration('x', Number.NaN)).toThrow(/x must be a number of milliseconds, got NaN/);
    expect(() => assertDuration('x', '5')).toThrow(TypeError);
    expect(() => assertDuration('x', MAX_TIMER_DELAY_IN_MS)).not.toThrow();
    expect(() => assertDuration('x', undefined)).not.toThrow();
    expect(() => systemClock.setTimeout(() => undefined, 2 ** 31)).toThrow(RangeError);
  });

  it('client durations are checked the same way', () => {
    expect(() => createHttpClient({ deadlineInMs: 2 ** 32 })).toThrow(/deadlineInMs must be from 0/);
    expect(() => createHttpClient({ timeoutInMs: Infinity })).toThrow(/timeoutInMs/);
  });

  it('system timers keep the process alive unless asked not to', () => {
    const work = systemClock.setTimeout(() => undefined, 10_000) as NodeJS.Timeout;
    const housekeeping = systemClock.setTimeout(() => undefined, 10_000, { keepAlive: false }) as NodeJS.Timeout;
    expect(work.hasRef()).toBe(true);
    expect(housekeeping.hasRef()).toBe(false);
    systemClock.clearTimeout(work);
    systemClock.clearTimeout(housekeeping);
  });
});
