import { afterEach, describe, expect, it } from 'vitest';
import { createRateLimiter, errorCategory, isHttpError } from '@x/http-core';
import { ComapClient, WSV } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

function client(sim: ComapSimulator, rateLimit: ConstructorParameters<typeof ComapClient>[0]['rateLimit'], extra: object = {}): ComapClient {
  const c = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit, ...extra });
  open.push(c);
  return c;
}

describe('rate limiting', () => {
  it('clients of one key share the limit: a burst across two clients sees no 429', async () => {
    const sim = await startComapSimulator({ units: 2, seed: 31, rateLimit: { limit: 1, windowInMs: 60 } });
    open.push(sim);
    const shared = { requestsPerInterval: 1, intervalInMs: 60 };
    const a = client(sim, shared);
    const b = client(sim, shared);
    const started = Date.now();
    await Promise.all([...Array.from({ length: 5 }, () => a.units()), ...Array.from({ length: 5 }, () => b.units())]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9 * 60);
    expect(sim.stats.rateLimited).toBe(0);
    expect(sim.requests.filter((r) => r.status === 200 && r.path.endsWith('/units'))).toHaveLength(10);
    expect(a.rateLimit).toMatchObject({ limit: 1, remaining: 0 });
  });

  it('without a client limit the simulator answers 429 with Retry-After and X-RateLimit headers; the client waits and retries', async () => {
    // Two may go at once (flat: false); the third is refused while both are less than 900 ms old.
    const sim = await startComapSimulator({ units: 1, seed: 32, rateLimit: { limit: 2, windowInMs: 900, flat: false } });
    open.push(sim);
    const c = client(sim, false, { retry: { maxAttempts: 6 } });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 3 }, () => c.units()));
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(sim.stats.rateLimited).toBeGreaterThanOrEqual(1);
    // Retry-After is whole seconds (at least 1): the retried call waited for it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const limited = sim.requests.find((r) => r.status === 429)!;
    expect(limited.path).toBe('/v1.1/sim.operator/units');
  });

  it('the client limit keeps a 429-free pace against a flat server limit: 40 calls at once, one per interval at the server', async () => {
    // The benchmark's 120 calls at 1 request/s, scaled down: the simulator allows 20 per 1000 ms,
    // flat (at most one per 50 ms); the client's shared limiter is 1 per 50 ms.
    const sim = await startComapSimulator({ units: 1, seed: 35, rateLimit: { limit: 20, windowInMs: 1000 } });
    open.push(sim);
    const c = client(sim, { requestsPerInterval: 1, intervalInMs: 50 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 40 }, () => c.units()));
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(39 * 50);
    expect(sim.stats.rateLimited).toBe(0);
    const arrivals = sim.requests.filter((r) => r.path.endsWith('/units')).map((r) => r.at);
    expect(arrivals).toHaveLength(40);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 1]!).toBeGreaterThanOrEqual(50);
  });

  it('a 429 storm (Retry-After: 0) is ridden out; a longer one fails with retryAfterInMs and the API message', async () => {
    const sim = await startComapSimulator({ units: 1, seed: 33, rateLimit: false });
    open.push(sim);
    const c = client(sim, { requestsPerInterval: 1000, intervalInMs: 1 }, { retry: { maxAttempts: 4 } });
    await c.units();
    sim.faults.throttle(3, 0);
    expect(await c.units()).toHaveLength(1);
    sim.faults.throttle(4, 0);
    const e = await c.units().catch((x: unknown) => x);
    expect(isHttpError(e) && e.status).toBe(429);
    expect(errorCategory(e)).toBe('throttled');
    expect((e as { vendor: unknown }).vendor).toEqual({ code: '429', message: 'Rate limit exceeded. Retry after 0 second/s.' });
    expect((e as { retryAfterInMs: number }).retryAfterInMs).toBe(0);
    expect((e as { attempts: number }).attempts).toBe(4);
  });

  it('the default limit is 1 request/s per key (real time)', async () => {
    const sim = await startComapSimulator({ units: 1, seed: 34 });
    open.push(sim);
    const identity = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, tokenRateLimiter: createRateLimiter({ tokensPerInterval: 5, intervalInMs: 300_000 }) });
    open.push(identity);
    const started = Date.now();
    await identity.units();
    await identity.units();
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(sim.stats.rateLimited).toBe(0);
    expect(identity.rateLimit).toMatchObject({ limit: 60, remaining: 58 });
    const wsv = new WSV(sim.loginId, sim.key, 'x', { baseUrl: sim.url, rateLimit: createRateLimiter({ tokensPerInterval: 1 }) });
    open.push(wsv);
    expect(wsv.rateLimit).toBeUndefined();
  });
});
