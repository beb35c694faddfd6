import { describe, expect, it } from 'vitest';
import { isHttpError } from '../errors.js';
import { useLoopback } from '../test-support.js';
import { sendJson } from '../testing/index.js';

const loop = useLoopback();

describe('retryThrottledAnyMethod', () => {
  it('a 429 on a POST: retried only with the option', async () => {
    let seen = 0;
    const srv = await loop.serve((_req, res) => {
      seen += 1;
      if (seen === 1) return sendJson(res, 429, { code: '1306' });
      sendJson(res, 200, { seen });
    });
    const without = loop.client({ baseUrl: srv.url, retry: { throttledBaseDelayInMs: 1 } });
    const refused = await without.request({ method: 'POST', path: '/control', json: {} }).catch((e: unknown) => e);
    expect(isHttpError(refused) && refused.status).toBe(429);
    expect(seen).toBe(1);

    seen = 0;
    const withOption = loop.client({ baseUrl: srv.url, retry: { throttledBaseDelayInMs: 1, retryThrottledAnyMethod: true } });
    const res = await withOption.request<{ seen: number }>({ method: 'POST', path: '/control', json: {} });
    expect(res.body).toEqual({ seen: 2 });
    expect(res.$metadata.attempts).toBe(2);
  });

  it('a 503 on a POST is still not retried with the option (the server may have acted)', async () => {
    let seen = 0;
    const srv = await loop.serve((_req, res) => {
      seen += 1;
      sendJson(res, 503, {});
    });
    const http = loop.client({ baseUrl: srv.url, retry: { baseDelayInMs: 1, retryThrottledAnyMethod: true } });
    const err = await http.request({ method: 'POST', path: '/x', json: {} }).catch((e: unknown) => e);
    expect(isHttpError(err) && err.status).toBe(503);
    expect(seen).toBe(1);
  });

  it('a non-boolean is a TypeError naming the option', () => {
    expect(() => loop.client({ retry: { retryThrottledAnyMethod: 'yes' as unknown as boolean } })).toThrow(
      /retry\.retryThrottledAnyMethod must be a boolean, got string/,
    );
  });
});
