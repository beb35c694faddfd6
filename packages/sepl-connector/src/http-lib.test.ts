import { startTestServer, type TestServer } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpLib } from './http-lib.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Seen {
  method: string;
  url: string;
  body: string;
  contentType: string | undefined;
}

async function server(respond: (seen: Seen, n: number) => [number, string]): Promise<{ srv: TestServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = await startTestServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const s = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] };
    seen.push(s);
    const [status, body] = respond(s, seen.length);
    res.writeHead(status, { 'content-type': 'text/plain', 'x-seen': String(seen.length) });
    res.end(body);
  });
  cleanup.push(() => srv.close());
  return { srv, seen };
}

describe('createHttpLib (the seed http_lib)', () => {
  it('sends get/post/put/delete and a real HEAD, returning status, headers and body', async () => {
    const { srv, seen } = await server((s) => [200, `${s.method} ${s.body}`]);
    const http = createHttpLib();
    cleanup.push(() => http.close());
    const get = await http.get(`${srv.url}/a?old=1`, { query: { q: 'x y', n: 2 } });
    expect(get).toMatchObject({ status: 200, body: 'GET ' });
    expect(get.headers['x-seen']).toBe('1');
    expect((await http.post(`${srv.url}/b`, '{"k":1}', { headers: { 'content-type': 'application/json' } })).body).toBe('POST {"k":1}');
    expect((await http.put(`${srv.url}/c`, 'ü')).body).toBe('PUT ü');
    expect((await http.delete(`${srv.url}/d`)).body).toBe('DELETE ');
    const head = await http.head(`${srv.url}/e`);
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(seen.map((s) => [s.method, s.url])).toEqual([
      ['GET', '/a?q=x+y&n=2'],
      ['POST', '/b'],
      ['PUT', '/c'],
      ['DELETE', '/d'],
      ['HEAD', '/e'],
    ]);
    expect(seen[1]!.contentType).toBe('application/json');
  });

  it('returns error statuses as results, not exceptions', async () => {
    const { srv } = await server(() => [404, 'Not Found']);
    const http = createHttpLib();
    cleanup.push(() => http.close());
    expect(await http.get(`${srv.url}/x`)).toMatchObject({ status: 404, body: 'Not Found' });
  });

  it('retries 5xx answers with the fixed delay, 1 + retries attempts', async () => {
    const { srv, seen } = await server((_, n) => (n < 3 ? [503, 'busy'] : [200, 'ok']));
    const http = createHttpLib({ retries: 2, retryDelayInMs: 10 });
    cleanup.push(() => http.close());
    expect(await http.get(`${srv.url}/x`)).toMatchObject({ status: 200, body: 'ok' });
    expect(seen).toHaveLength(3);
    const few = createHttpLib({ retries: 1, retryDelayInMs: 10 });
    cleanup.push(() => few.close());
    seen.length = 0;
    expect(await few.get(`${srv.url}/x`)).toMatchObject({ status: 503 });
    expect(seen).toHaveLength(2);
  });

  it('throws a network error after the retries when nothing listens', async () => {
    const { srv } = await server(() => [200, '']);
    const url = `${srv.url}/x`;
    await srv.close();
    const http = createHttpLib({ retries: 1, retryDelayInMs: 5 });
    cleanup.push(() => http.close());
    await expect(http.get(url)).rejects.toMatchObject({ kind: 'NetworkError' });
  });

  it('validates its options and arguments', async () => {
    expect(() => createHttpLib({ retries: -1 })).toThrow('options.retries must be a whole number >= 0');
    expect(() => createHttpLib({ timeoutInMs: 0 })).toThrow(RangeError);
    const http = createHttpLib();
    cleanup.push(() => http.close());
    await expect(http.get('nope')).rejects.toThrow(new TypeError('url must be an absolute URL'));
    await expect(http.post('http://127.0.0.1:1/', 5 as unknown as string)).rejects.toThrow('body must be a string');
  });
});
