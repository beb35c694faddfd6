import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isAbortError, isHttpError, isNetworkError, isTimeoutError, type HttpError } from './errors.js';
import {
  createTestClock,
  delay,
  failTimes,
  resetMidBody,
  sendJson,
  slowBody,
  tooManyRequests,
} from './testing/index.js';
import { refusedPort, sequence, useLoopback } from './test-support.js';

const { serve, client } = useLoopback();

async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await refusedPort()}`;
}

describe('retries', () => {
  it('503, 503, 200 → success after 3 attempts with the delays the injected random predicts', async () => {
    const handler = failTimes(2, 503, (_req, res) => sendJson(res, 200, { ok: true }));
    const srv = await serve(handler);
    const clock = createTestClock();
    const http = client({ baseUrl: srv.url, clock, random: sequence(0.5, 0.75) });
    const res = await http.request({ path: '/x' });
    expect(res.body).toEqual({ ok: true });
    expect(res.attempts).toBe(3);
    // full jitter: floor(0.5 · 200) then floor(0.75 · 400)
    expect(clock.delays).toEqual([100, 300]);
    expect(res.retryDelayInMs).toBe(400);
    expect(handler.calls).toBe(3);
  });

  it('does not retry a POST that got a 503 and puts the 503 body in the error', async () => {
    const handler = failTimes(5, 503);
    const srv = await serve(handler);
    const clock = createTestClock();
    const http = client({ baseUrl: srv.url, clock, random: sequence() });
    const error = (await http.request({ method: 'POST', path: '/start', json: { cmd: 'start' } }).catch((e: unknown) => e)) as HttpError;
    expect(isHttpError(error)).toBe(true);
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(1);
    expect(error.body).toEqual({ error: 'failure 1 of 5' });
    expect(error.bodyPreview).toBe('{"error":"failure 1 of 5"}');
    expect(error.message).toBe(`HTTP 503 Service Unavailable: POST ${srv.url}/start`);
    expect(error.code).toBe('HTTP_503');
    expect(handler.calls).toBe(1);
    expect(clock.delays).toEqual([]);
  });

  it('retries a POST marked idempotent or carrying an Idempotency-Key', async () => {
    const marked = failTimes(2, 503);
    const keyed = failTimes(1, 503);
    const srv = await serve((req, res) => (req.url === '/marked' ? marked(req, res) : keyed(req, res)));
    const http = client({ baseUrl: srv.url, clock: createTestClock(), random: () => 0 });
    expect((await http.request({ method: 'POST', path: '/marked', idempotent: true })).attempts).toBe(3);
    expect((await http.request({ method: 'POST', path: '/keyed', headers: { 'Idempotency-Key': 'k1' } })).attempts).toBe(2);
    expect(marked.calls).toBe(3);
    expect(keyed.calls).toBe(2);
  });

  it('retries a POST to a refused port (nothing was sent) and reports ECONNREFUSED with the attempts', async () => {
    const base = await refusedUrl();
    const clock = createTestClock();
    const http = client({ baseUrl: base, clock, random: sequence(0.5, 0.5) });
    const error = await http.request({ method: 'POST', path: '/start', json: {} }).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect((error as { code: string; attempts: number }).code).toBe('ECONNREFUSED');
    expect((error as { attempts: number }).attempts).toBe(3);
    expect(clock.delays).toEqual([100, 200]);
  });

  it('waits exactly a Retry-After of 2 s on the injected clock after a 429, without jitter', async () => {
    const srv = await serve(tooManyRequests(2));
    const clock = createTestClock();
    const http = client({ baseUrl: srv.url, clock, random: sequence() });
    const res = await http.request({ path: '/' });
    expect(res.attempts).toBe(2);
    expect(clock.delays).toEqual([2000]);
    expect(res.retryDelayInMs).toBe(2000);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const clock = createTestClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    const srv = await serve(tooManyRequests('Thu, 01 Jan 2026 00:00:03 GMT'));
    const http = client({ baseUrl: srv.url, clock, random: sequence() });
    expect((await http.request({ path: '/' })).retryDelayInMs).toBe(3000);
  });

  it('fails at once with the hint when Retry-After would pass the deadline', async () => {
    const handler = tooManyRequests(30);
    const srv = await serve(handler);
    const clock = createTestClock();
    const http = client({ baseUrl: srv.url, clock, random: sequence(), deadlineInMs: 10_000 });
    const started = Date.now();
    const error = (await http.request({ path: '/' }).catch((e: unknown) => e)) as HttpError;
    expect(isHttpError(error)).toBe(true);
    expect(error.status).toBe(429);
    expect(error.retryAfterInMs).toBe(30_000);
    expect(error.attempts).toBe(1);
    expect(clock.delays).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(handler.calls).toBe(1);
  });

  it('fails at once when Retry-After exceeds maxRetryAfterInMs', async () => {
    const srv = await serve(tooManyRequests(120));
    const clock = createTestClock();
    const http = client({ baseUrl: srv.url, clock, random: sequence() });
    const error = (await http.request({ path: '/' }).catch((e: unknown) => e)) as HttpError;
    expect(error.retryAfterInMs).toBe(120_000);
    expect(clock.delays).toEqual([]);
  });

  it('classifies a headers timeout and a body timeout by phase', async () => {
    // undici checks these timeouts on a ~0.5 s tick, so the server stalls well beyond that.
    const slowHeaders = await serve(delay(20_000));
    const http = client({ baseUrl: slowHeaders.url, retry: false, timeoutInMs: 100 });
    const headersError = await http.request({ path: '/' }).catch((e: unknown) => e);
    expect(isTimeoutError(headersError)).toBe(true);
    expect((headersError as { phase: string }).phase).toBe('headers');
    expect((headersError as Error).message).toBe(`Timed out (headers) after 100 ms: GET ${slowHeaders.url}/`);

    const slowChunks = await serve(slowBody(['a', 'b', 'c'], 20_000));
    const http2 = client({ baseUrl: slowChunks.url, retry: false, timeoutInMs: 100 });
    const bodyError = await http2.request({ path: '/', responseType: 'text' }).catch((e: unknown) => e);
    expect(isTimeoutError(bodyError)).toBe(true);
    expect((bodyError as { phase: string }).phase).toBe('body');
  });

  it('retries a headers timeout on GET (transient) and then succeeds', async () => {
    const stall = delay(20_000);
    let calls = 0;
    const srv = await serve((req, res) => (++calls === 1 ? stall(req, res) : sendJson(res, 200, { ok: true })));
    const clock = createTestClock();
    // 1 s: the first attempt times out after 1–2 s (undici's timer tick); the second has plenty of time.
    const http = client({ baseUrl: srv.url, timeoutInMs: 1000, clock, random: () => 0.5 });
    const res = await http.request({ path: '/' });
    expect([res.status, res.body, res.attempts, calls]).toEqual([200, { ok: true }, 2, 2]);
    expect(clock.delays).toEqual([100]);
  });

  it('the overall deadline cuts an attempt in flight, with phase "deadline"', async () => {
    // The server would answer after 20 s; the 150 ms deadline must cut the attempt long before
    // (the bound is generous for a loaded CI machine, and far below the server's delay).
    const handler = delay(20_000);
    const srv = await serve(handler);
    const http = client({ baseUrl: srv.url, timeoutInMs: 30_000, random: () => 0 });
    const started = Date.now();
    const error = await http.request({ path: '/', deadlineInMs: 150 }).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as { phase: string }).phase).toBe('deadline');
    expect((error as { attempts: number }).attempts).toBe(1);
    expect(handler.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an already expired deadline fails before anything is sent', async () => {
    const handler = failTimes(0, 200);
    const srv = await serve(handler);
    const http = client({ baseUrl: srv.url });
    const error = await http.request({ path: '/', deadlineInMs: 0 }).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as { phase: string; attempts: number }).phase).toBe('deadline');
    expect((error as { attempts: number }).attempts).toBe(1);
    expect(handler.calls).toBe(0);
  });

  it('aborts during a backoff wait with an AbortError at once', async () => {
    const srv = await serve(failTimes(10, 503));
    const clock = createTestClock({ auto: false });
    const http = client({ baseUrl: srv.url, clock, random: () => 0.99 });
    const controller = new AbortController();
    const pending = http.request({ path: '/', signal: controller.signal }).catch((e: unknown) => e);
    while (clock.pending === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.delays).toEqual([198]);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    // The injected clock never advances, so only the abort can end the 198 ms wait: settling at
    // all proves the wait was cut, without a wall-clock bound that a loaded machine could miss.
    const error = await pending;
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).cause).toBe(reason);
    expect(clock.now()).toBe(0);
    expect(clock.pending).toBe(0); // the backoff timer was cleared
  });

  it('aborts an attempt in flight and never retries an abort', async () => {
    const handler = delay(2000);
    const srv = await serve(handler);
    const http = client({ baseUrl: srv.url });
    const error = await http.request({ path: '/', signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(((error as Error).cause as Error).name).toBe('TimeoutError');
    expect(handler.calls).toBe(1);
  });

  it('retries a connection reset mid-body on GET', async () => {
    let calls = 0;
    const reset = resetMidBody();
    const srv = await serve((req, res) => {
      calls += 1;
      return calls === 1 ? reset(req, res) : sendJson(res, 200, { fine: true });
    });
    const clock = createTestClock();
    const http = client({ baseUrl: srv.url, clock, random: () => 0.5 });
    const res = await http.request({ path: '/', responseType: 'text' });
    expect(res.body).toBe('{"fine":true}');
    expect(res.attempts).toBe(2);
  });

  it('never retries a stream request body', async () => {
    const handler = failTimes(5, 503);
    const srv = await serve(handler);
    const http = client({ baseUrl: srv.url, clock: createTestClock() });
    const error = await http.request({ method: 'PUT', path: '/', body: Readable.from(['x']) }).catch((e: unknown) => e);
    expect((error as HttpError).status).toBe(503);
    expect(handler.calls).toBe(1);
  });

  it('does not retry client errors (404)', async () => {
    const handler = failTimes(5, 404);
    const srv = await serve(handler);
    const http = client({ baseUrl: srv.url, clock: createTestClock() });
    const error = (await http.request({ path: '/' }).catch((e: unknown) => e)) as HttpError;
    expect(error.status).toBe(404);
    expect(handler.calls).toBe(1);
  });

  it('a retry budget stops retries during an outage', async () => {
    const handler = failTimes(100, 503);
    const srv = await serve(handler);
    const clock = createTestClock();
    // 12 tokens: two retries (5 each), then the budget is spent.
    const http = client({ baseUrl: srv.url, clock, random: () => 0, retry: { retryBudget: 12, maxAttempts: 5 } });
    const first = (await http.request({ path: '/' }).catch((e: unknown) => e)) as HttpError;
    expect(first.attempts).toBe(3);
    const second = (await http.request({ path: '/' }).catch((e: unknown) => e)) as HttpError;
    expect(second.attempts).toBe(1);
    expect(handler.calls).toBe(4);
  });

  it('per-call retry options override the client ones', async () => {
    const handler = failTimes(3, 503);
    const srv = await serve(handler);
    const clock = createTestClock();
    const http = client({ baseUrl: srv.url, clock, random: () => 0.5, retry: { maxAttempts: 2 } });
    const res = await http.request({ path: '/', retry: { maxAttempts: 4, baseDelayInMs: 10 } });
    expect(res.attempts).toBe(4);
    expect(clock.delays).toEqual([5, 10, 20]);
    const once = failTimes(1, 503);
    const srv2 = await serve(once);
    const off = (await http.request({ path: `${srv2.url}/`, retry: false }).catch((e: unknown) => e)) as HttpError;
    expect(off.status).toBe(503);
    expect(off.attempts).toBe(1);
    expect(once.calls).toBe(1);
  });
});
