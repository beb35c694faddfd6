import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isAbortError, isTimeoutError } from '../errors.js';
import { useLoopback } from '../test-support.js';

const loop = useLoopback();

/** Resolves once the server has seen `count` requests. */
async function requestsSeen(srv: { requestCount: number }, count: number): Promise<void> {
  while (srv.requestCount < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('exchange (one attempt over undici dispatch)', () => {
  it('a call queued behind a busy connection fails at its deadline, and is never sent', async () => {
    const hanging: ServerResponse[] = [];
    const srv = await loop.serve((req, res) => {
      req.resume();
      if (req.url === '/hang') hanging.push(res);
      else res.end('{"ok":true}');
    });
    const http = loop.client({ baseUrl: srv.url, maxConnections: 1, timeoutInMs: 60_000 });
    const stop = new AbortController();
    const first = http.request({ path: '/hang', signal: stop.signal }).catch((e: unknown) => e);
    await requestsSeen(srv, 1);
    // The first call never gets an answer, so only the deadline can settle the queued one.
    const queued = await http.request({ path: '/queued', deadlineInMs: 100 }).catch((e: unknown) => e);
    expect(isTimeoutError(queued) && [queued.phase, queued.timeoutInMs]).toEqual(['deadline', 100]);
    stop.abort(new Error('done'));
    expect(isAbortError(await first)).toBe(true);
    const after = await http.request({ path: '/after' });
    expect(after.body).toEqual({ ok: true });
    // '/queued' was dropped when undici came to start it: the server saw '/hang' and '/after' only.
    expect(srv.requestCount).toBe(2);
    for (const res of hanging) res.destroy();
  });

  it('a buffered body that stalls halfway is cut by the deadline and by the caller signal; the connection is dropped', async () => {
    const closed: Promise<void>[] = [];
    const srv = await loop.serve((req, res) => {
      req.resume();
      closed.push(new Promise((resolve) => req.socket.once('close', () => resolve())));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
      res.write('{"partial":');
    });
    const http = loop.client({ baseUrl: srv.url, timeoutInMs: 60_000 });
    const late = await http.request({ path: '/a', deadlineInMs: 100 }).catch((e: unknown) => e);
    expect(isTimeoutError(late) && late.phase).toBe('deadline');
    await closed[0];

    const stop = new AbortController();
    const reason = new Error('user cancelled');
    const pending = http.request({ path: '/b', signal: stop.signal, deadlineInMs: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
    await requestsSeen(srv, 2);
    stop.abort(reason);
    const aborted = await pending;
    expect(isAbortError(aborted) && aborted.cause).toBe(reason);
    await closed[1];
    expect(srv.requestCount).toBe(2);
  });

  it("responseType 'none' reads a small body to its end and drops a large one; both succeed", async () => {
    const big = Buffer.alloc(1024 * 1024, 'x');
    let bigSocketClosed: Promise<void> | undefined;
    const srv = await loop.serve((req, res) => {
      req.resume();
      if (req.url === '/big') bigSocketClosed = new Promise((resolve) => req.socket.once('close', () => resolve()));
      res.end(req.url === '/big' ? big : 'small');
    });
    const http = loop.client({ baseUrl: srv.url });
    const small = await http.request({ path: '/small', responseType: 'none' });
    const large = await http.request({ path: '/big', responseType: 'none' });
    expect([small.status, small.body, large.status, large.body]).toEqual([200, undefined, 200, undefined]);
    // The large body was not drained: its connection was closed instead.
    await bigSocketClosed;
    expect((await http.request({ path: '/small', responseType: 'text' })).body).toBe('small');
  });

  it('text and json drop a UTF-8 byte order mark; bytes keep every byte in a fresh array', async () => {
    const payload = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    const srv = await loop.serve((req, res) => {
      req.resume();
      res.end(payload);
    });
    const http = loop.client({ baseUrl: srv.url });
    expect((await http.request({ path: '/', responseType: 'text' })).body).toBe('{"a":1}');
    expect((await http.request({ path: '/' })).body).toEqual({ a: 1 });
    const bytes = (await http.request<Uint8Array>({ path: '/', responseType: 'bytes' })).body;
    expect(Buffer.from(bytes).equals(payload)).toBe(true);
    expect([bytes.constructor, bytes.byteOffset, bytes.buffer.byteLength]).toEqual([Uint8Array, 0, payload.length]);
  });

  it('a stream request body is destroyed when the deadline cuts the upload', async () => {
    const srv = await loop.serve((req) => {
      req.resume();
    });
    const http = loop.client({ baseUrl: srv.url, timeoutInMs: 60_000 });
    let sent = false;
    const upload = new Readable({
      read() {
        if (!sent) this.push('first chunk, then nothing');
        sent = true;
      },
    });
    const error = await http.request({ method: 'POST', path: '/up', body: upload, deadlineInMs: 100 }).catch((e: unknown) => e);
    expect(isTimeoutError(error) && error.phase).toBe('deadline');
    expect(upload.destroyed).toBe(true);
  });

  it('an okStatus that throws fails the call with that error, not retried', async () => {
    const srv = await loop.serve((req, res) => {
      req.resume();
      res.end('{}');
    });
    const http = loop.client({ baseUrl: srv.url });
    const boom = new Error('okStatus failed');
    const error = await http
      .request({
        path: '/',
        okStatus: () => {
          throw boom;
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBe(boom);
    expect(srv.requestCount).toBe(1);
  });

  it('an informational 103 before the answer is skipped', async () => {
    const srv = await loop.serve((req, res) => {
      req.resume();
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"after":"hints"}');
    });
    const http = loop.client({ baseUrl: srv.url });
    const res = await http.request({ path: '/' });
    expect([res.status, res.body, res.headers.link]).toEqual([200, { after: 'hints' }, undefined]);
  });

  it('a call aborted while its credentials were being fetched is never sent', async () => {
    const srv = await loop.serve((req, res) => {
      req.resume();
      res.end('{}');
    });
    const stop = new AbortController();
    const reason = new Error('user cancelled');
    const auth = {
      apply: async (headers: Record<string, string>) => {
        await Promise.resolve();
        stop.abort(reason);
        headers.authorization = 'Bearer late-token-1234567';
      },
      secrets: () => ['late-token-1234567'],
    };
    const http = loop.client({ baseUrl: srv.url, auth });
    const error = await http.request({ path: '/', signal: stop.signal }).catch((e: unknown) => e);
    expect(isAbortError(error) && error.cause).toBe(reason);
    expect(srv.requestCount).toBe(0);
  });

  it('a dispatcher must have dispatch() and close()', () => {
    expect(() => loop.client({ dispatcher: { request: () => undefined, close: () => Promise.resolve() } as never })).toThrow(
      new TypeError('dispatcher.dispatch must be a function'),
    );
  });

  it('a dispatcher that throws while dispatching fails the call with a typed network error', async () => {
    const dispatcher = {
      dispatch: () => {
        throw Object.assign(new Error('pool gone'), { code: 'UND_ERR_DESTROYED' });
      },
      close: () => Promise.resolve(),
    };
    const http = loop.client({ baseUrl: 'http://127.0.0.1:9', dispatcher: dispatcher as never, retry: { maxAttempts: 1 } });
    await expect(http.request({ path: '/x' })).rejects.toMatchObject({ name: 'NetworkError', code: 'UND_ERR_DESTROYED', category: 'transient' });
  });
});
