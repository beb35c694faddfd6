import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHttpClient } from './client.js';
import { isAbortError, isNetworkError, isParseError } from './errors.js';
import { DEFAULT_USER_AGENT, VERSION } from './version.js';
import { readFileSync } from 'node:fs';
import { createRouter, readBody, readJsonBody, sendJson, testCertificate } from './testing/index.js';
import { lineSink, useLoopback } from './test-support.js';

const { serve, client } = useLoopback();

describe('createHttpClient: requests and bodies', () => {
  it('sends method, path, query, headers and a JSON body; parses a JSON response', async () => {
    const seen: unknown[] = [];
    const router = createRouter().post('/v1/units/:id/values', async (req, res, params, url) => {
      seen.push({ params, search: url.search, headers: { ua: req.headers['user-agent'], ct: req.headers['content-type'], extra: req.headers['x-extra'], accept: req.headers.accept }, body: await readJsonBody(req) });
      sendJson(res, 201, { ok: 1 }, { 'x-request-id': 'r1' });
    });
    const srv = await serve(router.handler);
    const http = client({ baseUrl: `${srv.url}/v1`, headers: { 'X-Extra': 'default' } });
    const res = await http.request<{ ok: number }>({
      method: 'POST',
      path: 'units/a b/values',
      query: { guids: 'a,b', n: 1, flag: true, skip: undefined, list: ['x', 'y'] },
      headers: { 'x-extra': '1' },
      json: { any: 'value' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ok: 1 });
    expect(res.headers['x-request-id']).toBe('r1');
    expect(res.attempts).toBe(1);
    expect(res.retryDelayInMs).toBe(0);
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.url).toBe(`${srv.url}/v1/units/a%20b/values?guids=a%2Cb&n=1&flag=true&list=x&list=y`);
    expect(seen).toEqual([
      {
        params: { id: 'a b' },
        search: '?guids=a%2Cb&n=1&flag=true&list=x&list=y',
        headers: { ua: `@x/http-core/${VERSION} node/${process.versions.node}`, ct: 'application/json', extra: '1', accept: 'application/json' },
        body: { any: 'value' },
      },
    ]);
  });

  it('user agent default matches package.json and can be overridden', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(DEFAULT_USER_AGENT).toBe(`@x/http-core/${pkg.version} node/${process.versions.node}`);
    const srv = await serve((req, res) => sendJson(res, 200, { ua: req.headers['user-agent'] }));
    const http = client({ baseUrl: srv.url, userAgent: '@x/comap/0.1.0' });
    expect((await http.request({ path: '/' })).body).toEqual({ ua: `@x/comap/0.1.0 node/${process.versions.node}` });
  });

  it('sends form, bytes, string and stream bodies; returns text, bytes, stream and none', async () => {
    const srv = await serve(async (req, res) => {
      const text = await readBody(req);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${req.headers['content-type'] ?? '-'}|${text}`);
    });
    const http = client({ baseUrl: srv.url });
    expect((await http.request({ method: 'POST', path: '/', form: { a: '1', b: 'x y' }, responseType: 'text' })).body).toBe(
      'application/x-www-form-urlencoded|a=1&b=x+y',
    );
    expect((await http.request({ method: 'PUT', path: '/', body: new Uint8Array([104, 105]), responseType: 'text' })).body).toBe('-|hi');
    expect((await http.request({ method: 'PUT', path: '/', body: 'str', headers: { 'content-type': 'text/plain' }, responseType: 'bytes' })).body).toEqual(
      new Uint8Array(Buffer.from('text/plain|str')),
    );
    const streamed = await http.request<Readable>({ method: 'POST', path: '/', body: Readable.from(['a', 'b']), responseType: 'stream' });
    const chunks: Buffer[] = [];
    for await (const chunk of streamed.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('-|ab');
    const none = await http.request({ path: '/', responseType: 'none' });
    expect(none.body).toBeUndefined();
    expect(none.status).toBe(200);
  });

  it('gives undefined for an empty JSON body and a ParseError with a bounded preview for bad JSON', async () => {
    const srv = await serve((req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"token":"abcd1234secret", "x": "${'y'.repeat(5000)}`);
    });
    const http = client({ baseUrl: srv.url });
    expect((await http.request({ path: '/empty' })).body).toBeUndefined();
    const error = await http.request({ path: '/bad' }).catch((e: unknown) => e);
    expect(isParseError(error)).toBe(true);
    if (!isParseError(error)) throw error;
    expect(error.rawPreview.length).toBe(2048);
    expect(error.rawPreview.startsWith('{"token":"[REDACTED]", "x": "yyy')).toBe(true);
    expect(error.message).toBe(`Response body is not valid JSON: GET ${srv.url}/bad (HTTP 200)`);
  });

  it('talks HTTPS to a server with the test certificate when given the CA', async () => {
    const srv = await serve((_req, res) => sendJson(res, 200, { secure: true }), { tls: true });
    expect(srv.url.startsWith('https://127.0.0.1:')).toBe(true);
    const trusted = client({ baseUrl: srv.url, tls: { ca: testCertificate().ca } });
    expect((await trusted.request({ path: '/' })).body).toEqual({ secure: true });
    const untrusted = client({ baseUrl: srv.url });
    const error = await untrusted.request({ path: '/' }).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect((error as { attempts: number }).attempts).toBe(1); // not retried: retrying cannot fix trust
    expect((error as { code: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});

describe('createHttpClient: validation, logging, URLs', () => {
  it('rejects bad options with TypeError/RangeError naming the parameter', async () => {
    expect(() => createHttpClient(null as never)).toThrow('options must be an object');
    expect(() => createHttpClient({ baseUrl: 'not a url' })).toThrow('baseUrl must be an absolute URL');
    expect(() => createHttpClient({ baseUrl: 'ftp://x/' })).toThrow('baseUrl must be an http: or https: URL');
    expect(() => createHttpClient({ timeoutInMs: 0 })).toThrow(RangeError);
    expect(() => createHttpClient({ deadlineInMs: -5 })).toThrow('deadlineInMs must be a number > 0, got -5');
    expect(() => createHttpClient({ maxConnections: 0 })).toThrow('maxConnections');
    expect(() => createHttpClient({ userAgent: 5 as never })).toThrow('userAgent must be a string');
    expect(() => createHttpClient({ auth: {} as never })).toThrow('auth must be an AuthProvider');
    expect(() => createHttpClient({ rateLimiter: {} as never })).toThrow('rateLimiter must be a RateLimiter');
    expect(() => createHttpClient({ retry: { maxAttempts: 0 } })).toThrow('retry.maxAttempts must be an integer >= 1, got 0');
    expect(() => createHttpClient({ retry: { baseDelayInMs: -1 } })).toThrow('retry.baseDelayInMs must be a number >= 0, got -1');
    expect(() => createHttpClient({ retry: 'yes' as never })).toThrow('retry must be an object or false');
    expect(() => createHttpClient({ headers: { a: 1 as never } })).toThrow('headers.a must be a string');
    expect(() => createHttpClient({ logger: { debug() {} } as never })).toThrow(new TypeError('logger.info must be a function'));
    expect(() => createHttpClient({ clock: { now: () => 0 } as never })).toThrow(new TypeError('clock.setTimeout must be a function'));
    expect(() => createHttpClient({ dispatcher: 'agent' as never })).toThrow(new TypeError('dispatcher must be an object'));
    expect(() => createHttpClient({ random: 0.5 as never })).toThrow(new TypeError('random must be a function returning a number in [0, 1)'));
    expect(() => createHttpClient({ tls: 'insecure' as never })).toThrow(new TypeError('tls must be an object'));
    expect(() => createHttpClient({ redact: { headers: 'x-key' as never } })).toThrow(new TypeError('redact.headers must be an array of strings'));
    const http = client({});
    await expect(http.request(null as never)).rejects.toThrow('options must be an object');
    await expect(http.request({ path: '/x' })).rejects.toThrow('path must be an absolute URL when the client has no baseUrl');
    await expect(http.request({ path: 5 as never })).rejects.toThrow('path must be a string');
    await expect(http.request({ path: 'http://h/', method: 'TRACE' as never })).rejects.toThrow(RangeError);
    await expect(http.request({ path: 'http://h/', responseType: 'xml' as never })).rejects.toThrow(RangeError);
    await expect(http.request({ path: 'http://h/', json: {}, body: 'x' })).rejects.toThrow('Pass only one of json, form and body');
    await expect(http.request({ path: 'http://h/', body: 5 as never })).rejects.toThrow('body must be a string, a Uint8Array or a Readable stream');
    await expect(http.request({ path: 'http://h/', form: 5 as never })).rejects.toThrow('form must be an object or URLSearchParams');
    await expect(http.request({ path: 'http://h/', query: { a: {} as never } })).rejects.toThrow('query.a must be a string, number, boolean or an array of them');
    await expect(http.request({ path: 'http://h/', query: 'a=1' as never })).rejects.toThrow('query must be an object or URLSearchParams');
    await expect(http.request({ path: 'http://h/', signal: {} as never })).rejects.toThrow('signal must be an AbortSignal');
    await expect(http.request({ path: 'http://h/', okStatus: 200 as never })).rejects.toThrow('okStatus must be a function');
    await expect(http.request({ path: 'http://h/', parseVendorError: {} as never })).rejects.toThrow(new TypeError('parseVendorError must be a function'));
    await expect(http.request({ path: 'http://h/', idempotent: 'yes' as never })).rejects.toThrow(new TypeError('idempotent must be a boolean'));
    await expect(http.request({ path: 'http://h/', auth: true as never })).rejects.toThrow(new TypeError('auth must be false or left out'));
    await expect(http.request({ path: 'http://h/', timeoutInMs: -1 })).rejects.toThrow(RangeError);
    await expect(http.request({ path: 'ftp://h/' })).rejects.toThrow('path must be an http: or https: URL');
    await expect(http.request({ path: 'http://h/', headers: { 'x-a': 'bad\nvalue' } })).rejects.toThrow(TypeError);
  });

  it('resolves paths against the base URL, keeps absolute URLs, merges query strings and accepts URLSearchParams', async () => {
    const srv = await serve((req, res) => sendJson(res, 200, req.url));
    const http = client({ baseUrl: `${srv.url}/api/v2/?ignored=1` });
    expect(http.baseUrl).toBe(`${srv.url}/api/v2/`);
    expect((await http.request({ path: '/units' })).body).toBe('/api/v2/units');
    expect((await http.request({ path: 'units?a=1', query: new URLSearchParams([['b', '2'], ['b', '3']]) })).body).toBe('/api/v2/units?a=1&b=2&b=3');
    expect((await http.request({ path: `${srv.url}/root`, query: { n: 0, none: null } })).body).toBe('/root?n=0');
    expect((await http.request({ path: 'x', query: {} })).body).toBe('/api/v2/x');
  });

  it('okStatus and parseVendorError shape errors; HEAD has no body', async () => {
    const srv = await serve((req, res) => {
      if (req.url === '/304') {
        res.writeHead(304);
        res.end();
        return;
      }
      sendJson(res, 409, { errorCode: 'DUP', errorMessage: 'already exists' });
    });
    const http = client({ baseUrl: srv.url });
    expect((await http.request({ path: '/304', okStatus: (s) => s === 304 || s < 300 })).status).toBe(304);
    const error = await http
      .request({ method: 'PUT', path: '/dup', parseVendorError: (body, status, headers) => ({ code: `${(body as { errorCode: string }).errorCode}/${status}/${headers['content-type']}`, message: (body as { errorMessage: string }).errorMessage }) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, vendor: { code: 'DUP/409/application/json; charset=utf-8', message: 'already exists' } });
    expect((error as Error).message).toBe(`HTTP 409 Conflict: PUT ${srv.url}/dup (already exists)`);
    const throwing = await http.request({ path: '/dup', parseVendorError: () => { throw new Error('parser bug'); } }).catch((e: unknown) => e);
    expect((throwing as { vendor?: unknown }).vendor).toBeUndefined();
    const head = await http.request({ method: 'HEAD', path: '/304', okStatus: () => true });
    expect(head.body).toBeUndefined();
    expect(JSON.parse(JSON.stringify(head))).toMatchObject({ status: 304, attempts: 1, url: `${srv.url}/304` });
  });

  it('logs attempts, retries and the final failure with redacted fields', async () => {
    let calls = 0;
    const srv = await serve((_req, res) => sendJson(res, ++calls === 1 ? 503 : 400, { n: calls }));
    const { lines, sink } = lineSink();
    const { consoleLogger } = await import('./logger.js');
    const { createTestClock } = await import('./testing/index.js');
    const http = client({ baseUrl: srv.url, logger: consoleLogger('debug', sink), clock: createTestClock(), random: () => 0.5 });
    await http.request({ path: '/x', query: { token: 'tok-secret-1' } }).catch(() => undefined);
    const parsed = lines.map((l) => {
      const [, level, message, json] = /^\[http-core\] (\w+) (.+?) (\{.*\})$/.exec(l) ?? [];
      const fields = JSON.parse(json ?? '{}') as Record<string, unknown>;
      return { level, message, url: fields.url, attempt: fields.attempt, status: fields.status, delayInMs: fields.delayInMs, code: fields.code };
    });
    const url = `${srv.url}/x?token=[REDACTED]`;
    expect(parsed).toEqual([
      { level: 'debug', message: 'http request', url, attempt: 1, status: undefined, delayInMs: undefined, code: undefined },
      { level: 'debug', message: 'http response', url, attempt: 1, status: 503, delayInMs: undefined, code: undefined },
      { level: 'warn', message: 'http retry', url, attempt: 1, status: undefined, delayInMs: 100, code: 'HTTP_503' },
      { level: 'debug', message: 'http request', url, attempt: 2, status: undefined, delayInMs: undefined, code: undefined },
      { level: 'debug', message: 'http response', url, attempt: 2, status: 400, delayInMs: undefined, code: undefined },
      { level: 'debug', message: 'http call failed', url, attempt: 2, status: undefined, delayInMs: undefined, code: 'HTTP_400' },
    ]);
    expect(lines.join('\n')).not.toContain('tok-secret-1');
  });

  it('fails fast instead of sleeping past the deadline, and a custom classifier can stop retries', async () => {
    const srv = await serve((_req, res) => sendJson(res, 503, {}));
    const { createTestClock } = await import('./testing/index.js');
    const clock = createTestClock();
    // The deadline also runs on a real timer (it cuts attempts in flight), so it is far longer than
    // any attempt on a loaded machine; the backoff is longer still.
    const http = client({ baseUrl: srv.url, clock, random: () => 0.99, deadlineInMs: 30_000, retry: { baseDelayInMs: 60_000, maxDelayInMs: 60_000 } });
    const error = await http.request({ path: '/' }).catch((e: unknown) => e);
    expect((error as { status: number; attempts: number }).status).toBe(503);
    expect((error as { attempts: number }).attempts).toBe(1);
    expect(clock.delays).toEqual([]); // a 59 400 ms backoff would pass the 30 000 ms deadline
    const noRetry = client({ baseUrl: srv.url, clock, retry: { classify: () => 'client' } });
    expect(((await noRetry.request({ path: '/' }).catch((e: unknown) => e)) as { attempts: number }).attempts).toBe(1);
  });

  it('close() lets a call waiting to retry finish on the open pool, then closes; new calls are refused', async () => {
    const { createTestClock, failTimes } = await import('./testing/index.js');
    const handler = failTimes(1, 503);
    const srv = await serve(handler);
    const clock = createTestClock({ auto: false });
    const http = client({ baseUrl: srv.url, clock, random: () => 0.5 });
    const call = http.request({ path: '/' });
    while (clock.pending === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    let closed = false;
    const closing = http.close().then(() => {
      closed = true;
    });
    expect(http.close()).toBe(http.close()); // one close, however often asked
    await expect(http.request({ path: '/' })).rejects.toThrow('The client is closed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    clock.advance(100); // the backoff wait: floor(0.5 · 200)
    const res = await call;
    expect([res.status, res.attempts]).toEqual([200, 2]);
    await closing;
    expect(closed).toBe(true);
    expect(handler.calls).toBe(2);
  });

  it('many concurrent calls can share one AbortSignal without a MaxListenersExceededWarning', async () => {
    const srv = await serve((_req, res) => sendJson(res, 200, { ok: true }));
    const http = client({ baseUrl: srv.url });
    const timed = client({ baseUrl: srv.url, deadlineInMs: 30_000 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const calls = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? http : timed).request({ path: '/', signal: controller.signal }));
      expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array.from({ length: 30 }, () => 200));
      const sink = (): Writable => new Writable({ write: (_chunk, _enc, cb) => cb() });
      const downloads = Array.from({ length: 15 }, () => timed.download({ path: '/', to: sink(), signal: controller.signal }));
      expect(await Promise.all(downloads)).toEqual(Array.from({ length: 15 }, () => ({ bytes: 11 })));
      // …and an abort still reaches every call in flight.
      const stalled = await serve(() => undefined);
      const pending = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? http : timed).request({ path: `${stalled.url}/`, signal: controller.signal }).catch((e: unknown) => e));
      while (stalled.requestCount < 30) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort('stop');
      const errors = await Promise.all(pending);
      expect(errors.every((e) => isAbortError(e) && e.cause === 'stop')).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).toEqual([]);
  });

  it('a stream response errors with typed errors and releases the limiter slot when closed', async () => {
    const { createRateLimiter } = await import('./rate-limiter.js');
    const { resetMidBody } = await import('./testing/index.js');
    const srv = await serve(resetMidBody());
    const limiter = createRateLimiter({ maxConcurrent: 1 });
    const http = client({ baseUrl: srv.url, rateLimiter: limiter, deadlineInMs: 30_000 });
    const res = await http.request<Readable>({ path: '/', responseType: 'stream' });
    expect(limiter.active).toBe(1);
    const error = await (async () => {
      for await (const _chunk of res.body) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.active).toBe(0);
  });
});
