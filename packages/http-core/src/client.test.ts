import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './client.js';
import { isNetworkError, isParseError } from './errors.js';
import { DEFAULT_USER_AGENT, VERSION } from './version.js';
import { createRouter, readBody, readJsonBody, sendJson, startTestServer, testCertificate, type TestServer } from './testing/index.js';
import { readFileSync } from 'node:fs';

const servers: TestServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startTestServer>[0], tls = false): Promise<TestServer> {
  const srv = await startTestServer(handler, { tls });
  servers.push(srv);
  return srv;
}
function client(options: Parameters<typeof createHttpClient>[0]): HttpClient {
  const c = createHttpClient(options);
  clients.push(c);
  return c;
}

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
    const srv = await serve((_req, res) => sendJson(res, 200, { secure: true }), true);
    expect(srv.url.startsWith('https://127.0.0.1:')).toBe(true);
    const trusted = client({ baseUrl: srv.url, tls: { ca: testCertificate().ca } });
    expect((await trusted.request({ path: '/' })).body).toEqual({ secure: true });
    const untrusted = client({ baseUrl: srv.url, retry: false });
    const error = await untrusted.request({ path: '/' }).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});
