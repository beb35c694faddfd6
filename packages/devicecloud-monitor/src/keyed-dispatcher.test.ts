import { describe, expect, it } from 'vitest';
import { KeyedDispatcher } from './keyed-dispatcher.js';

const later = () => {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
};

describe('KeyedDispatcher', () => {
  it('runs different keys at once up to the limit, one key in order, and submit() waits for a slot', async () => {
    const d = new KeyedDispatcher(2);
    const log: string[] = [];
    const gates = { a1: later(), b1: later(), a2: later() };
    const task = (name: keyof typeof gates) => async () => {
      log.push(`start ${name}`);
      await gates[name].promise;
      log.push(`end ${name}`);
    };
    await d.submit('a', task('a1'));
    await d.submit('b', task('b1'));
    let third = false;
    const submitted = d.submit('a', task('a2')).then(() => (third = true));
    await new Promise((r) => setTimeout(r, 5));
    expect([log, third, d.pending]).toEqual([['start a1', 'start b1'], false, 2]);
    gates.b1.release();
    await submitted; // a slot is free: a2 is queued behind a1, not started
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    gates.a1.release();
    await new Promise((r) => setTimeout(r, 5));
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2']);
    gates.a2.release();
    await d.idle();
    expect([log.at(-1), d.pending]).toEqual(['end a2', 0]);
  });

  it('validates concurrency', () => {
    expect(() => new KeyedDispatcher(0)).toThrow(/concurrency/);
    expect(() => new KeyedDispatcher(1.5)).toThrow(RangeError);
  });
});
