import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CallScope, onAbort } from './call-scope.js';
import { isTimeoutError } from './errors.js';

describe('onAbort and CallScope', () => {
  it('keeps one real listener per signal, removes it with the last subscriber, and calls every subscriber once', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const offA = onAbort(controller.signal, () => calls.push('a'));
    const offB = onAbort(controller.signal, () => calls.push('b'));
    const offC = onAbort(controller.signal, () => calls.push('c'));
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    offB();
    offB(); // twice is harmless
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    offA();
    offC();
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
    const offD = onAbort(controller.signal, () => calls.push('d'));
    onAbort(controller.signal, () => calls.push('e'));
    controller.abort();
    offD(); // after the abort: nothing to remove
    expect(calls).toEqual(['d', 'e']);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });

  it('a scope follows the caller signal and the deadline, and leaves nothing behind when disposed', async () => {
    expect(new CallScope(undefined, undefined).signal).toBeUndefined();
    const controller = new AbortController();
    const scopes = Array.from({ length: 20 }, () => new CallScope(controller.signal, undefined));
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    for (const scope of scopes.slice(1)) scope.dispose();
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    controller.abort('why');
    expect(scopes[0]?.signal?.reason).toBe('why');
    expect(scopes[0]?.userAborted).toBe(true);
    expect(scopes[1]?.signal?.aborted).toBe(false);
    expect(new CallScope(AbortSignal.abort('early'), 1000).signal?.reason).toBe('early');
    const timed = new CallScope(undefined, 10);
    await new Promise((resolve) => timed.signal?.addEventListener('abort', resolve));
    expect(timed.deadlineHit).toBe(true);
    expect(isTimeoutError(timed.signal?.reason)).toBe(true);
  });

  it('deadlines of one duration expire in start order; a disposed scope in the middle never does; the duration is reused after it emptied', async () => {
    const expired: string[] = [];
    const scopes = ['a', 'b', 'c'].map((name) => {
      const scope = new CallScope(undefined, 15);
      scope.attach({ abort: () => expired.push(name) });
      return scope;
    });
    scopes[1]?.dispose();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(expired).toEqual(['a', 'c']);
    expect(scopes.map((scope) => scope.aborted)).toEqual([true, false, true]);
    expect(isTimeoutError(scopes[0]?.reason) && scopes[0].reason.phase).toBe('deadline');
    const later = new CallScope(undefined, 15);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(later.aborted).toBe(true);
    for (const scope of [...scopes, later]) scope.dispose();
  });
});
