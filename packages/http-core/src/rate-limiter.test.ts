import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './client.js';
import { isAbortError, isHttpError } from './errors.js';
import { createRateLimiter, deleteSharedRateLimiter, getSharedRateLimiter } from './rate-limiter.js';
import { createTestClock, sendJson, startTestServer, tooManyRequests, type TestServer } from './testing/index.js';

const servers: TestServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server that allows `n` requests in any `windowInMs` (by arrival) and answers 429 beyond. */
async function windowServer(n: number, windowInMs: number): Promise<{ srv: TestServer; stats: { ok: number; throttled: number } }> {
  const arrivals: number[] = [];
  const stats = { ok: 0, throttled: 0 };
  const srv = await startTestServer((_req, res) => {
    const now = performance.now();
    while (arrivals.length > 0 && (arrivals[0] as number) <= now - windowInMs) arrivals.shift();
    if (arrivals.length >= n) {
      stats.throttled += 1;
      sendJson(res, 429, { error: 'rate limited' }, { 'retry-after': '1' });
      return;
    }
    arrivals.push(now);
    stats.ok += 1;
    sendJson(res, 200, { ok: true });
  });
  servers.push(srv);
  return { srv, stats };
}

describe('rate limiter', () => {
  it('2N calls through a limiter matching an N-per-window server finish with zero 429s', async () => {
    const n = 5;
    const windowInMs = 250;
    const { srv, stats } = await windowServer(n, windowInMs);
    const limiter = createRateLimiter({ tokensPerInterval: n, intervalInMs: windowInMs });
    const http = createHttpClient({ baseUrl: srv.url, rateLimiter: limiter, retry: false });
    clients.push(http);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 2 * n }, () => http.request({ path: '/' })));
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 2 * n }, () => 200));
    expect(stats).toEqual({ ok: 2 * n, throttled: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(windowInMs);
    expect(limiter.active).toBe(0);
    expect(limiter.pending).toBe(0);
  });

  it('without the limiter the same kind of server answers 429 (the test above can fail)', async () => {
    // A window far longer than the test, so the count of 429s cannot depend on how fast a loaded
    // machine gets the 10 requests out.
    const { srv, stats } = await windowServer(5, 600_000);
    const http = createHttpClient({ baseUrl: srv.url, retry: false });
    clients.push(http);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => http.request({ path: '/' }).then(() => 'ok', (e: unknown) => (isHttpError(e) ? e.status : 'other'))));
    expect(outcomes.filter((o) => o === 429).length).toBe(5);
    expect(stats).toEqual({ ok: 5, throttled: 5 });
  });

  it('caps concurrency and serves callers in FIFO order', async () => {
    const limiter = createRateLimiter({ maxConcurrent: 2 });
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const job = (name: string) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      order.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => limiter.schedule(job(name))));
    expect(results).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(order).toEqual(['start a', 'start b', 'start c', 'start d', 'start e']);
    expect(peak).toBe(2);
    await expect(limiter.schedule(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.active).toBe(0);
  });

  it('returns a token intervalInMs after the call that used it finished (injected clock)', async () => {
    const clock = createTestClock({ auto: false });
    const limiter = createRateLimiter({ tokensPerInterval: 2, intervalInMs: 1000, clock });
    const r1 = await limiter.acquire();
    const r2 = await limiter.acquire();
    let third = false;
    const p3 = limiter.acquire().then((r) => {
      third = true;
      return r;
    });
    expect(limiter.pending).toBe(1);
    clock.advance(500);
    r1(); // token 1 returns at t = 1500
    r1(); // releasing twice is harmless
    clock.advance(999);
    await Promise.resolve();
    expect(third).toBe(false);
    clock.advance(1);
    (await p3)();
    expect(third).toBe(true);
    r2();
    expect(limiter.available).toBe(0);
    clock.advance(1000);
    expect(limiter.available).toBe(2);
  });

  it('pause(ms) holds every caller back', async () => {
    const clock = createTestClock({ auto: false });
    const limiter = createRateLimiter({ maxConcurrent: 10, clock });
    limiter.pause(2000);
    let got = false;
    const p = limiter.acquire().then((r) => {
      got = true;
      r();
    });
    clock.advance(1999);
    await Promise.resolve();
    expect(got).toBe(false);
    clock.advance(1);
    await p;
    expect(got).toBe(true);
    expect(() => limiter.pause(-1)).toThrow(RangeError);
  });

  it('a queued caller can abort and leaves the queue', async () => {
    const limiter = createRateLimiter({ maxConcurrent: 1 });
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal).catch((e: unknown) => e);
    expect(limiter.pending).toBe(1);
    controller.abort('no longer needed');
    const error = await waiting;
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).cause).toBe('no longer needed');
    expect(limiter.pending).toBe(0);
    release();
    expect(isAbortError(await limiter.acquire(AbortSignal.abort()).catch((e: unknown) => e))).toBe(true);
  });

  it('is shared by id between clients', () => {
    const a = getSharedRateLimiter('comap:key-hash', { tokensPerInterval: 1, intervalInMs: 1000 });
    const b = getSharedRateLimiter('comap:key-hash', { tokensPerInterval: 99 });
    expect(a).toBe(b);
    expect(getSharedRateLimiter('comap:other')).not.toBe(a);
    expect(deleteSharedRateLimiter('comap:key-hash')).toBe(true);
    expect(getSharedRateLimiter('comap:key-hash')).not.toBe(a);
    deleteSharedRateLimiter('comap:key-hash');
    deleteSharedRateLimiter('comap:other');
    expect(() => getSharedRateLimiter('')).toThrow(TypeError);
  });

  it('the client pauses its limiter for a 429 Retry-After, holding other callers back too', async () => {
    const srv = await startTestServer(tooManyRequests(3));
    servers.push(srv);
    const clock = createTestClock({ auto: false });
    const limiter = createRateLimiter({ maxConcurrent: 4, clock });
    const http = createHttpClient({ baseUrl: srv.url, rateLimiter: limiter, clock });
    clients.push(http);
    const call = http.request({ path: '/' });
    while (clock.pending === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.delays).toEqual([3000]); // the client's own wait
    let otherGotIn = false;
    const other = limiter.acquire().then((release) => {
      otherGotIn = true;
      release();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(otherGotIn).toBe(false);
    expect(limiter.pending).toBe(1);
    clock.advance(3000);
    await other;
    expect(otherGotIn).toBe(true);
    const res = await call;
    expect(res.attempts).toBe(2);
    expect(res.retryDelayInMs).toBe(3000);
  });

  it('validates its options', async () => {
    expect(() => createRateLimiter({ tokensPerInterval: 0 })).toThrow(RangeError);
    expect(() => createRateLimiter({ tokensPerInterval: 1.5 })).toThrow(RangeError);
    expect(() => createRateLimiter({ intervalInMs: -1 })).toThrow(RangeError);
    expect(() => createRateLimiter({ maxConcurrent: Number.NaN })).toThrow(RangeError);
    expect(() => createRateLimiter(null as never)).toThrow(TypeError);
    await expect(createRateLimiter().schedule(5 as never)).rejects.toThrow(TypeError);
  });
});
