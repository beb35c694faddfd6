import { describe, expect, it } from 'vitest';
import { backoffDelay, createBackoff } from './backoff.js';
import { isAbortError } from './errors.js';
import { consoleLogger, silentLogger } from './logger.js';
import { classifyError, isPreSendFailure, parseRetryAfter, RetryBudget } from './retry.js';
import { HttpError, NetworkError, ParseError, TimeoutError, AbortError } from './errors.js';
import { sleep } from './sleep.js';
import { createTestClock } from './testing/index.js';
import { lineSink } from './test-support.js';

describe('sleep', () => {
  it('waits on the given clock and is abortable, also when already aborted', async () => {
    const clock = createTestClock({ auto: false });
    let done = false;
    const p = sleep(1000, undefined, clock).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);

    const controller = new AbortController();
    const pending = sleep(1000, controller.signal, clock).catch((e: unknown) => e);
    controller.abort('r');
    const error = await pending;
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).cause).toBe('r');
    expect(clock.pending).toBe(0);
    expect(isAbortError(await sleep(1, AbortSignal.abort('x')).catch((e: unknown) => e))).toBe(true);
    await expect(sleep(-1)).rejects.toThrow(RangeError);
    await sleep(1); // the real clock
  });
});

describe('backoff', () => {
  it('grows exponentially with full, equal or no jitter and a cap', () => {
    const full = createBackoff({ initialDelayInMs: 100, maxDelayInMs: 1000, random: () => 0.5 });
    expect([full.next(), full.next(), full.next(), full.next(), full.next()]).toEqual([50, 100, 200, 400, 500]);
    expect(full.attempt).toBe(5);
    full.reset();
    expect(full.attempt).toBe(0);
    expect(full.next()).toBe(50);
    const equal = createBackoff({ initialDelayInMs: 100, jitter: 'equal', random: () => 0.5 });
    expect([equal.next(), equal.next()]).toEqual([75, 150]);
    const none = createBackoff({ initialDelayInMs: 100, factor: 3, jitter: 'none' });
    expect([none.next(), none.next(), none.next()]).toEqual([100, 300, 900]);
    expect(backoffDelay(30, 200, 20_000, () => 0.999)).toBe(19_980);
    expect(() => createBackoff({ initialDelayInMs: -1 })).toThrow(RangeError);
    expect(() => createBackoff({ factor: 0.5 })).toThrow(RangeError);
    expect(() => createBackoff({ jitter: 'x' as never })).toThrow(RangeError);
  });
});

describe('retry helpers', () => {
  it('classifies failures', () => {
    const http = (status: number) => new HttpError({ status, method: 'GET', url: 'u' });
    expect(classifyError(http(429))).toBe('throttled');
    for (const s of [408, 500, 502, 503, 504]) expect(classifyError(http(s))).toBe('transient');
    for (const s of [400, 401, 403, 404, 409, 501]) expect(classifyError(http(s))).toBe('client');
    expect(classifyError(new NetworkError({ code: 'ECONNRESET', method: 'GET', url: 'u' }))).toBe('transient');
    expect(classifyError(new NetworkError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', method: 'GET', url: 'u' }))).toBe('client');
    expect(classifyError(new NetworkError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', method: 'GET', url: 'u' }))).toBe('client');
    expect(classifyError(new TimeoutError({ phase: 'headers' }))).toBe('transient');
    expect(classifyError(new TimeoutError({ phase: 'deadline' }))).toBe('aborted');
    expect(classifyError(new AbortError())).toBe('aborted');
    expect(classifyError(new ParseError({ rawPreview: '' }))).toBe('client');
    expect(classifyError(new Error('x'))).toBe('client');
    expect(isPreSendFailure(new NetworkError({ code: 'ECONNREFUSED', method: 'POST', url: 'u' }))).toBe(true);
    expect(isPreSendFailure(new NetworkError({ code: 'ECONNRESET', method: 'POST', url: 'u' }))).toBe(false);
    expect(isPreSendFailure(new TimeoutError({ phase: 'connect' }))).toBe(true);
    expect(isPreSendFailure(new TimeoutError({ phase: 'headers' }))).toBe(false);
    expect(isPreSendFailure(new Error('x'))).toBe(false);
  });

  it('parses Retry-After', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:10 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('keeps a retry budget', () => {
    const budget = new RetryBudget(20);
    expect(budget.tryAcquire(true)).toBe(true); // 10
    expect(budget.tryAcquire(false)).toBe(true); // 5
    expect(budget.tryAcquire(false)).toBe(true); // 0
    expect(budget.tokens).toBe(0);
    expect(budget.tryAcquire(false)).toBe(false);
    for (let i = 0; i < 30; i++) budget.refund();
    expect(budget.tokens).toBe(20);
    expect(new RetryBudget(Number.POSITIVE_INFINITY).tryAcquire(true)).toBe(true);
    expect(() => new RetryBudget(-1)).toThrow(RangeError);
  });
});

describe('loggers', () => {
  it('consoleLogger writes one line per call at or above its level', () => {
    const { lines, sink } = lineSink();
    const logger = consoleLogger('warn', sink);
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { a: 1 });
    logger.error('e');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    logger.error('c', circular);
    expect(lines).toEqual(['[http-core] warn w {"a":1}', '[http-core] error e', '[http-core] error c "[unserialisable]"']);
    expect(() => consoleLogger('loud' as never)).toThrow(RangeError);
    expect(silentLogger.info('x')).toBeUndefined();
  });
});
