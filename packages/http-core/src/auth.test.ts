import { describe, expect, it } from 'vitest';
import { basicAuth, bearerAuth, staticHeaders } from './auth.js';
import { NetworkError, isAbortError, isHttpError, type HttpError } from './errors.js';
import { useLoopback } from './test-support.js';
import { createTestClock, sendJson, type TestHandler } from './testing/index.js';

const { serve, client } = useLoopback();
const echoAuth: TestHandler = (req, res) => sendJson(res, 200, { authorization: req.headers.authorization ?? null, key: req.headers['comap-key'] ?? null });

describe('auth providers', () => {
  it('staticHeaders sends the headers on every call; secrets() lists the values', async () => {
    const srv = await serve(echoAuth);
    const auth = staticHeaders({ 'Comap-Key': 'k-123456' });
    const http = client({ baseUrl: srv.url, auth });
    expect((await http.request({ path: '/' })).body).toEqual({ authorization: null, key: 'k-123456' });
    expect(auth.secrets()).toEqual(['k-123456']);
  });

  it('basicAuth sends RFC 7617 credentials', async () => {
    const srv = await serve(echoAuth);
    const http = client({ baseUrl: srv.url, auth: basicAuth('user', 'pässword') });
    expect((await http.request({ path: '/' })).body).toEqual({
      authorization: `Basic ${Buffer.from('user:pässword').toString('base64')}`,
      key: null,
    });
    expect(() => basicAuth('a:b', 'c')).toThrow(RangeError);
  });

  it('auth: false skips the provider; absolute URLs on another origin get no credentials', async () => {
    const srv = await serve(echoAuth);
    const other = await serve(echoAuth);
    const http = client({ baseUrl: srv.url, auth: staticHeaders({ authorization: 'Bearer tok-1' }) });
    expect((await http.request({ path: '/', auth: false })).body).toEqual({ authorization: null, key: null });
    expect((await http.request({ path: `${other.url}/x` })).body).toEqual({ authorization: null, key: null });
    expect((await http.request({ path: `${srv.url}/x` })).body).toEqual({ authorization: 'Bearer tok-1', key: null });
  });

  it('bearer: caches the token and refreshes it before expiry', async () => {
    const clock = createTestClock({ auto: false });
    let n = 0;
    const auth = bearerAuth(() => Promise.resolve({ token: `tok-${++n}`, expiresInMs: 120_000 }), { clock });
    const srv = await serve(echoAuth);
    const http = client({ baseUrl: srv.url, auth });
    expect((await http.request({ path: '/' })).body).toEqual({ authorization: 'Bearer tok-1', key: null });
    clock.advance(59_000);
    expect((await http.request({ path: '/' })).body).toEqual({ authorization: 'Bearer tok-1', key: null });
    clock.advance(1_000); // now within refreshBeforeExpiryInMs (60 s) of expiry
    expect((await http.request({ path: '/' })).body).toEqual({ authorization: 'Bearer tok-2', key: null });
    expect(auth.refreshCount).toBe(2);
    auth.invalidate();
    expect((await http.request({ path: '/' })).body).toEqual({ authorization: 'Bearer tok-3', key: null });
  });

  it('bearer: 50 concurrent calls on an expired token cause exactly one refresh', async () => {
    const clock = createTestClock({ auto: false });
    let n = 0;
    const auth = bearerAuth(
      async () => {
        n += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { token: `tok-${n}`, expiresInMs: 61_000 };
      },
      { clock },
    );
    const srv = await serve(echoAuth);
    const http = client({ baseUrl: srv.url, auth });
    await http.request({ path: '/' });
    expect(auth.refreshCount).toBe(1);
    clock.advance(1_000); // token-1 is now due for refresh
    const results = await Promise.all(Array.from({ length: 50 }, () => http.request<{ authorization: string }>({ path: '/' })));
    expect(auth.refreshCount).toBe(2);
    expect(new Set(results.map((r) => r.body.authorization))).toEqual(new Set(['Bearer tok-2']));
  });

  it('bearer: 50 concurrent 401s on a revoked token → one refresh, every call replayed once and succeeding', async () => {
    let valid = 'tok-1';
    let n = 0;
    const auth = bearerAuth(async () => {
      n += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { token: `tok-${n}` };
    });
    let unauthorized = 0;
    const srv = await serve((req, res) => {
      if (req.headers.authorization !== `Bearer ${valid}`) {
        unauthorized += 1;
        sendJson(res, 401, { error: 'invalid_token' });
        return;
      }
      sendJson(res, 200, { ok: req.headers.authorization });
    });
    const http = client({ baseUrl: srv.url, auth });
    await http.request({ path: '/' });
    valid = 'tok-2'; // the server revokes tok-1
    const results = await Promise.all(Array.from({ length: 50 }, () => http.request({ path: '/' })));
    expect(auth.refreshCount).toBe(2);
    expect(unauthorized).toBe(50);
    expect(results.every((r) => r.attempts === 2)).toBe(true);
  });

  it('bearer: a second 401 after the replay is thrown (replayed only once)', async () => {
    let n = 0;
    const auth = bearerAuth(() => Promise.resolve({ token: `tok-${++n}` }));
    let calls = 0;
    const srv = await serve((_req, res) => {
      calls += 1;
      sendJson(res, 401, { error: 'nope' });
    });
    const http = client({ baseUrl: srv.url, auth });
    const error = (await http.request({ method: 'POST', path: '/' }).catch((e: unknown) => e)) as HttpError;
    expect(isHttpError(error)).toBe(true);
    expect(error.status).toBe(401);
    expect(error.attempts).toBe(2);
    expect(calls).toBe(2);
    expect(auth.refreshCount).toBe(2);
    expect(JSON.stringify(error)).not.toContain('tok-');
  });

  it('bearer: a waiting caller can abort while the token refresh is in flight', async () => {
    const auth = bearerAuth(() => new Promise(() => {}));
    const srv = await serve(echoAuth);
    const http = client({ baseUrl: srv.url, auth });
    const controller = new AbortController();
    const pending = http.request({ path: '/', signal: controller.signal }).catch((e: unknown) => e);
    controller.abort('stop');
    const error = await pending;
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).cause).toBe('stop');
  });

  it('bearer: a provider failure surfaces to the caller and the next call tries again', async () => {
    let n = 0;
    const auth = bearerAuth(() => (++n === 1 ? Promise.reject(new Error('idp down')) : Promise.resolve({ token: 'tok-ok' })));
    const srv = await serve(echoAuth);
    const http = client({ baseUrl: srv.url, auth });
    await expect(http.request({ path: '/' })).rejects.toThrow('idp down');
    expect((await http.request({ path: '/' })).body).toEqual({ authorization: 'Bearer tok-ok', key: null });
    const bad = bearerAuth(() => Promise.resolve({ token: '' }));
    await expect(bad.apply({}, {})).rejects.toThrow(TypeError);
  });

  it('bearer: a token provider that never answers times out and the next call tries again', async () => {
    let n = 0;
    let sawAbort = false;
    const auth = bearerAuth(
      (signal) => {
        n += 1;
        if (n === 1) {
          return new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              sawAbort = true;
              reject(new Error('ignored: the timeout error wins'));
            });
          });
        }
        return Promise.resolve({ token: 'tok-late' });
      },
      { refreshTimeoutInMs: 50 },
    );
    const srv = await serve(echoAuth);
    const http = client({ baseUrl: srv.url, auth });
    const error = await http.request({ path: '/' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('bearerAuth: the token provider did not answer within 50 ms');
    expect(sawAbort).toBe(true);
    expect((await http.request({ path: '/' })).body).toEqual({ authorization: 'Bearer tok-late', key: null });
    expect(() => bearerAuth(() => Promise.resolve({ token: 'x' }), { refreshTimeoutInMs: 0 })).toThrow(RangeError);
  });

  it('validates its arguments', () => {
    expect(() => staticHeaders(null as never)).toThrow(TypeError);
    expect(() => staticHeaders({ a: 1 as never })).toThrow('staticHeaders: header a must be a string');
    expect(() => basicAuth(1 as never, 'x')).toThrow(TypeError);
    expect(() => basicAuth('x', 1 as never)).toThrow(TypeError);
    expect(() => bearerAuth('x' as never)).toThrow(TypeError);
    expect(() => bearerAuth(() => Promise.resolve({ token: 'x' }), { refreshBeforeExpiryInMs: -1 })).toThrow(RangeError);
    expect(() => bearerAuth(() => Promise.resolve({ token: 'x' }), { random: 0.5 as never })).toThrow(
      new TypeError('bearerAuth: random must be a function returning a number in [0, 1)'),
    );
  });

  it('bearer: the token retry backoff waits on the given clock with the given random source', async () => {
    const clock = createTestClock();
    let calls = 0;
    const auth = bearerAuth(
      () => {
        calls += 1;
        if (calls < 3) return Promise.reject(new NetworkError({ code: 'ECONNRESET', method: 'POST', url: 'https://auth.invalid/token' }));
        return Promise.resolve({ token: 'fresh' });
      },
      { clock, random: () => 0.25, retry: { baseDelayInMs: 100 } },
    );
    const headers: Record<string, string> = {};
    await auth.apply(headers, {});
    expect(headers).toEqual({ authorization: 'Bearer fresh' });
    // Full jitter: 0.25 × 100 ms, then 0.25 × 200 ms.
    expect(clock.delays).toEqual([25, 50]);
    expect(calls).toBe(3);
  });
});
