import { describe, expect, it } from 'vitest';
import { bearerAuth } from '../auth.js';
import { NetworkError, XError, isHttpError, isSizeLimitError } from '../errors.js';
import { createRateLimiter } from '../rate-limiter.js';
import { useLoopback } from '../test-support.js';
import { createTestClock, sendJson, slowBody } from '../testing/index.js';

const loop = useLoopback();

describe('client pipeline', () => {
  it('applies auth after the rate-limiter wait: a token that expires while 12 calls queue sends no stale token', async () => {
    let issued = 0;
    let current = '';
    const seen: string[] = [];
    const srv = await loop.serve(async (req, res) => {
      seen.push(String(req.headers.authorization));
      await new Promise((resolve) => setTimeout(resolve, 15));
      if (req.headers.authorization !== `Bearer ${current}`) return sendJson(res, 401, { error: 'expired' });
      sendJson(res, 200, { ok: true });
    });
    // Each token lives 40 ms; one call at a time takes about 15 ms, so the queue outlives several tokens.
    const auth = bearerAuth(() => {
      issued += 1;
      current = `t${issued}`;
      return Promise.resolve({ token: current, expiresInMs: 40 });
    }, { refreshBeforeExpiryInMs: 0 });
    const http = loop.client({ baseUrl: srv.url, auth, rateLimiter: createRateLimiter({ maxConcurrent: 1 }) });
    const results = await Promise.all(Array.from({ length: 12 }, () => http.request({ path: '/x' })));
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect(seen).toHaveLength(12);
    expect(issued).toBeGreaterThan(1);
  });

  it('isUnauthorized: a vendor "token expired" code in an HTTP 200 takes the refresh-and-replay path', async () => {
    let issued = 0;
    const srv = await loop.serve((req, res) => {
      if (req.headers.authorization === 'Bearer t1') return sendJson(res, 200, { code: '0102' });
      sendJson(res, 200, { code: '0000', value: 7 });
    });
    const auth = bearerAuth(() => Promise.resolve({ token: `t${++issued}` }));
    const http = loop.client({
      baseUrl: srv.url,
      auth,
      isUnauthorized: ({ body }) => (body as { code?: string } | undefined)?.code === '0102',
    });
    const res = await http.request<{ value: number }>({ path: '/x' });
    expect(res.body).toEqual({ code: '0000', value: 7 });
    expect(res.$metadata).toEqual({ attempts: 2, requestId: res.requestId, totalRetryDelayInMs: 0, status: 200 });
    expect(auth.refreshCount).toBe(2);
  });

  it('isUnauthorized on an error: a 400 with a vendor code is refreshed and replayed like a 401', async () => {
    let issued = 0;
    const srv = await loop.serve((req, res) => {
      if (req.headers.authorization === 'Bearer t1') return sendJson(res, 400, { errorCode: 'TOKEN_EXPIRED' });
      sendJson(res, 200, { ok: true });
    });
    const http = loop.client({
      baseUrl: srv.url,
      auth: bearerAuth(() => Promise.resolve({ token: `t${++issued}` })),
      isUnauthorized: ({ status, body }) => status === 401 || (body as { errorCode?: string } | undefined)?.errorCode === 'TOKEN_EXPIRED',
    });
    const res = await http.request({ path: '/x' });
    expect(res.body).toEqual({ ok: true });
    expect(res.attempts).toBe(2);
  });

  it('client-level parseVendorError and classify; a call-level parseVendorError wins', async () => {
    let hits = 0;
    const srv = await loop.serve((_req, res) => {
      hits += 1;
      sendJson(res, 400, { errorCode: 'E_BUSY', msg: 'try later' });
    });
    const http = loop.client({
      baseUrl: srv.url,
      retry: { baseDelayInMs: 1 },
      parseVendorError: (body) => ({ code: (body as { errorCode: string }).errorCode, message: (body as { msg: string }).msg }),
      classify: (error) => (isHttpError(error) && error.vendor?.code === 'E_BUSY' ? 'transient' : undefined),
    });
    const error = await http.request({ path: '/x' }).catch((e: unknown) => e);
    expect(isHttpError(error) && error.vendor).toEqual({ code: 'E_BUSY', message: 'try later' });
    expect((error as { category?: string }).category).toBe('transient');
    expect(hits).toBe(3);
    const own = await http.request({ path: '/x', retry: false, parseVendorError: () => ({ code: 'OWN' }) }).catch((e: unknown) => e);
    expect(isHttpError(own) && own.vendor).toEqual({ code: 'OWN' });
  });

  it("releaseSlotOn: 'headers' frees the limiter slot while a slow body is still arriving", async () => {
    const srv = await loop.serve((req, res) => {
      if (req.url === '/slow') return slowBody(['a', 'b', 'c', 'd'], 60)(req, res);
      sendJson(res, 200, { fast: true });
    });
    const run = async (releaseSlotOn: 'headers' | 'body'): Promise<string[]> => {
      const order: string[] = [];
      const http = loop.client({ baseUrl: srv.url, rateLimiter: createRateLimiter({ maxConcurrent: 1 }), releaseSlotOn });
      const slow = http.request({ path: '/slow', responseType: 'text' }).then((r) => order.push(`slow:${String(r.body)}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const fast = http.request({ path: '/fast' }).then(() => order.push('fast'));
      await Promise.all([slow, fast]);
      return order;
    };
    expect(await run('headers')).toEqual(['fast', 'slow:abcd']);
    expect(await run('body')).toEqual(['slow:abcd', 'fast']);
  });

  it('maxResponseBytes: an announced or counted body over the cap is a SizeLimitError; streams are not capped', async () => {
    const big = Buffer.alloc(300_000, 'x');
    const srv = await loop.serve((req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 3; i++) res.write(big.subarray(0, 100_000));
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': big.length });
      res.end(big);
    });
    const http = loop.client({ baseUrl: srv.url, maxResponseBytes: 200_000 });
    const announced = await http.request({ path: '/len', responseType: 'text' }).catch((e: unknown) => e);
    expect(isSizeLimitError(announced) && [announced.limitInBytes, announced.bytes]).toEqual([200_000, 300_000]);
    const counted = await http.request({ path: '/chunked', responseType: 'bytes' }).catch((e: unknown) => e);
    expect(isSizeLimitError(counted) && counted.limitInBytes).toBe(200_000);
    const ok = await http.request<Uint8Array>({ path: '/chunked', responseType: 'bytes', maxResponseBytes: 300_000 });
    expect(ok.body.byteLength).toBe(300_000);
    const stream = await http.request<NodeJS.ReadableStream>({ path: '/len', responseType: 'stream' });
    let size = 0;
    for await (const chunk of stream.body) size += (chunk as Buffer).length;
    expect(size).toBe(300_000);
  });

  it('validates the new options with errors naming them', () => {
    expect(() => loop.client({ maxResponseBytes: 0 })).toThrow(new RangeError('maxResponseBytes must be a number > 0, got 0'));
    expect(() => loop.client({ releaseSlotOn: 'never' as 'body' })).toThrow(new RangeError("releaseSlotOn must be 'headers' or 'body', got never"));
    expect(() => loop.client({ deadlineInMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => loop.client({ deadlineInMs: 2 ** 31 })).toThrow(/deadlineInMs/);
    expect(() => loop.client({ classify: 1 as never })).toThrow(new TypeError('classify must be a function'));
    expect(() => loop.client({ isUnauthorized: 'x' as never })).toThrow(new TypeError('isUnauthorized must be a function'));
    expect(() => loop.client({ deadlineInMs: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  it('bearerAuth retries a transient token failure with backoff, single-flight for every waiting call', async () => {
    let calls = 0;
    const auth = bearerAuth(
      () => {
        calls += 1;
        if (calls < 3) return Promise.reject(new NetworkError({ code: 'ECONNRESET', method: 'POST', url: 'https://auth.invalid/token' }));
        return Promise.resolve({ token: 'good' });
      },
      { retry: { baseDelayInMs: 1 } },
    );
    const srv = await loop.serve((req, res) => sendJson(res, 200, { auth: req.headers.authorization }));
    const http = loop.client({ baseUrl: srv.url, auth });
    const results = await Promise.all(Array.from({ length: 5 }, () => http.request<{ auth: string }>({ path: '/x' })));
    expect(results.map((r) => r.body.auth)).toEqual(Array.from({ length: 5 }, () => 'Bearer good'));
    expect(calls).toBe(3);
    expect(auth.refreshCount).toBe(1);
  });

  it("without a classify hook, the error's own category decides: throttled is retried, a reset marked 'input' is not", async () => {
    const failing = (error: Error): { attempts: () => number; dispatcher: never } => {
      let attempts = 0;
      const dispatcher = {
        dispatch: (_options: unknown, handler: { onResponseError: (controller: undefined, error: Error) => void }) => {
          attempts += 1;
          handler.onResponseError(undefined, error);
          return true;
        },
        close: () => Promise.resolve(),
      };
      return { attempts: () => attempts, dispatcher: dispatcher as never };
    };
    const busy = failing(new XError('vendor busy', { code: 'BUSY', category: 'throttled' }));
    const clock = createTestClock();
    const http = loop.client({ baseUrl: 'http://127.0.0.1:9', dispatcher: busy.dispatcher, clock, random: () => 0.5, retry: { throttledBaseDelayInMs: 10 } });
    const error = await http.request({ path: '/x' }).catch((e: unknown) => e);
    expect(busy.attempts()).toBe(3);
    // Throttled base 10 ms, full jitter at 0.5: 5 ms, then 10 ms.
    expect(clock.delays).toEqual([5, 10]);
    expect((error as XError).$metadata).toEqual({ attempts: 3, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, totalRetryDelayInMs: 15 });
    expect(Object.keys(error as object)).not.toContain('$metadata');

    const refused = failing(new NetworkError({ code: 'ECONNRESET', method: 'GET', url: 'http://127.0.0.1:9/x', category: 'input' }));
    const strict = loop.client({ baseUrl: 'http://127.0.0.1:9', dispatcher: refused.dispatcher, retry: { baseDelayInMs: 1 } });
    await expect(strict.request({ path: '/x' })).rejects.toMatchObject({ code: 'ECONNRESET', category: 'input' });
    expect(refused.attempts()).toBe(1);
  });

  it('an HttpError a call ends with carries $metadata with the status, like a result', async () => {
    const srv = await loop.serve((_req, res) => sendJson(res, 503, { error: 'down' }));
    const http = loop.client({ baseUrl: srv.url, clock: createTestClock(), random: () => 0, retry: { baseDelayInMs: 10 } });
    const error = await http.request({ path: '/x' }).catch((e: unknown) => e);
    expect(isHttpError(error) && error.$metadata).toEqual({ attempts: 3, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, totalRetryDelayInMs: 0, status: 503 });
    const ok = await loop.client({ baseUrl: srv.url }).request({ path: '/x', okStatus: () => true });
    expect(ok.$metadata).toEqual({ attempts: 1, requestId: ok.requestId, totalRetryDelayInMs: 0, status: 503 });
    expect(ok.requestId).not.toBe(isHttpError(error) ? error.$metadata?.requestId : '');
  });
});
