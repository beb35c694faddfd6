import { describe, expect, it } from 'vitest';
import { createTestClock, type TestClock } from './clock.js';
import { settle } from './settle.js';

/** Resolves (or rejects with `error`) after `ms` of the test clock's time. */
const after = (clock: TestClock, ms: number, error?: Error): Promise<number> =>
  new Promise((resolve, reject) => clock.setTimeout(() => (error ? reject(error) : resolve(clock.now())), ms));

describe('settle', () => {
  it('moves the fake clock step by step until the work resolves, and returns its value', async () => {
    const clock = createTestClock({ auto: false });
    expect(await settle(clock, after(clock, 1_000), { stepInMs: 300 })).toBe(1_000);
    expect(clock.now()).toBe(1_200); // four steps: the timer fired during the fourth
    expect(clock.pending).toBe(0);
  });

  it('rejects with the work\'s own error', async () => {
    const clock = createTestClock({ auto: false });
    const error = new Error('gave up');
    await expect(settle(clock, after(clock, 250, error))).rejects.toBe(error);
    expect(clock.now()).toBe(300); // default steps of 100 ms
  });

  it('gives up after limitInMs of fake time with an Error saying so', async () => {
    const clock = createTestClock({ auto: false });
    const never = new Promise<void>(() => undefined);
    await expect(settle(clock, never, { stepInMs: 1_000, limitInMs: 5_000 })).rejects.toThrow(
      'settle: the work did not settle within 5000 ms of fake time (steps of 1000 ms)',
    );
    expect(clock.now()).toBe(5_000);
  });

  it('a step or limit that is not a finite number > 0 is a RangeError naming it', async () => {
    const clock = createTestClock({ auto: false });
    await expect(settle(clock, Promise.resolve(), { stepInMs: 0 })).rejects.toThrow(new RangeError('settle: stepInMs must be a finite number > 0, got 0'));
    await expect(settle(clock, Promise.resolve(), { stepInMs: Number.NaN })).rejects.toThrow(/stepInMs must be a finite number > 0, got NaN/);
    await expect(settle(clock, Promise.resolve(), { limitInMs: Infinity })).rejects.toThrow(/limitInMs must be a finite number > 0, got Infinity/);
    expect(clock.now()).toBe(0);
  });
});
