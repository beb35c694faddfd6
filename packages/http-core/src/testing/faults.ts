import type { IncomingMessage, ServerResponse } from 'node:http';
import { type TestHandler, sendJson } from './server.js';
import { waitUnlessClosed } from './wait-unless-closed.js';

/** A handler that counts the requests it saw. */
export type CountingHandler = TestHandler & { readonly calls: number };

function counting(fn: (req: IncomingMessage, res: ServerResponse, call: number) => void | Promise<void>): CountingHandler {
  let calls = 0;
  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    calls += 1;
    return fn(req, res, calls);
  }) as CountingHandler;
  Object.defineProperty(handler, 'calls', { get: () => calls });
  return handler;
}

const okHandler: TestHandler = (_req, res) => sendJson(res, 200, { ok: true });

/** Answers after `ms` of real time (the request body is drained first). */
export function delay(ms: number, handler: TestHandler = okHandler): CountingHandler {
  return counting(async (req, res) => {
    req.resume();
    await waitUnlessClosed(ms, res);
    if (!res.destroyed) await handler(req, res);
  });
}

/** The first `n` requests get `status` (JSON `{ error }`), later ones go to `handler`. */
export function failTimes(n: number, status: number, handler: TestHandler = okHandler, headers: Record<string, string> = {}): CountingHandler {
  return counting((req, res, call) => {
    if (call <= n) {
      req.resume();
      sendJson(res, status, { error: `failure ${call} of ${n}` }, headers);
      return undefined;
    }
    return handler(req, res);
  });
}

/** The first `times` requests get 429 with `Retry-After: retryAfterSeconds`, later ones go to `handler`. */
export function tooManyRequests(retryAfterSeconds: number | string, handler: TestHandler = okHandler, times = 1): CountingHandler {
  return failTimes(times, 429, handler, { 'retry-after': String(retryAfterSeconds) });
}

/**
 * Lets `handler` send its headers and the first `afterBytes` bytes of its body (default half of
 * what it writes), then resets the connection.
 */
export function resetMidBody(handler?: TestHandler, afterBytes?: number): CountingHandler {
  const inner: TestHandler =
    handler ??
    ((_req, res) => {
      const body = 'x'.repeat(4096);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    });
  return counting((req, res) => {
    req.resume();
    let sent = 0;
    const cut = (chunk: unknown): boolean => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return false;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      const limit = afterBytes ?? Math.floor(buffer.length / 2);
      const take = Math.max(0, Math.min(buffer.length, limit - sent));
      if (take > 0) originalWrite(buffer.subarray(0, take));
      sent += take;
      if (sent >= limit) {
        // Flush what was written, then kill the socket.
        setTimeout(() => res.socket?.destroy(), 20);
        return true;
      }
      return false;
    };
    const originalWrite = res.write.bind(res) as (chunk: Uint8Array) => boolean;
    res.write = ((chunk: unknown) => {
      cut(chunk);
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      if (!cut(chunk)) setTimeout(() => res.socket?.destroy(), 20);
      return res;
    }) as typeof res.end;
    return inner(req, res);
  });
}

/** 200 with `Content-Type: application/json` and a body that is not JSON. */
export function malformedJson(body = '{"values": [1, 2,'): CountingHandler {
  return counting((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

/** Sends headers at once, then one chunk every `intervalInMs`. */
export function slowBody(chunks: readonly (string | Uint8Array)[], intervalInMs: number, headers: Record<string, string | number> = {}): CountingHandler {
  return counting(async (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
    res.flushHeaders();
    for (const chunk of chunks) {
      await waitUnlessClosed(intervalInMs, res);
      if (res.destroyed) return;
      res.write(chunk);
    }
    res.end();
  });
}
