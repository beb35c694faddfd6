import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createHttpClient } from '../client.js';
import { isHttpError, isParseError } from '../errors.js';
import { createRouter, createTestClock, delay, failTimes, faults, malformedJson, readJsonBody, sendJson, slowBody, startTestServer, testCertificate } from './index.js';

describe('@x/http-core/testing', () => {
  it('router: params, 404, 405, any-method routes and handler failures → 500', async () => {
    const router = createRouter()
      .get('/units/:id/values/:name', (_req, res, params, url) => sendJson(res, 200, { params, q: url.searchParams.get('q') }))
      .post('/echo', async (req, res) => sendJson(res, 200, await readJsonBody(req)))
      .put('/p', (_req, res) => sendJson(res, 204, undefined))
      .patch('/p', (_req, res) => sendJson(res, 200, 'patched'))
      .delete('/p', (_req, res) => sendJson(res, 200, 'deleted'))
      .head('/p', (_req, res) => sendJson(res, 200, undefined))
      .options('/p', (_req, res) => sendJson(res, 200, 'options'))
      .all('/any/*', (req, res) => sendJson(res, 200, req.method))
      .get('/throws', () => {
        throw new Error('handler bug');
      })
      .get('/rejects', () => Promise.reject(new Error('async bug')));
    const srv = await startTestServer(router.handler);
    const http = createHttpClient({ baseUrl: srv.url, retry: false });
    try {
      expect((await http.request({ path: '/units/a%2Fb/values/x?q=1' })).body).toEqual({ params: { id: 'a/b', name: 'x' }, q: '1' });
      expect((await http.request({ method: 'POST', path: '/echo', json: [1, 'two'] })).body).toEqual([1, 'two']);
      expect((await http.request({ method: 'PUT', path: '/p' })).status).toBe(204);
      expect((await http.request({ method: 'PATCH', path: '/p' })).body).toBe('patched');
      expect((await http.request({ method: 'DELETE', path: '/p' })).body).toBe('deleted');
      expect((await http.request({ method: 'HEAD', path: '/p' })).body).toBeUndefined();
      expect((await http.request({ method: 'OPTIONS', path: '/p' })).body).toBe('options');
      expect((await http.request({ method: 'PATCH', path: '/any/thing' })).body).toBe('PATCH');
      const notFound = await http.request({ path: '/nope' }).catch((e: unknown) => e);
      expect(isHttpError(notFound) && notFound.status).toBe(404);
      expect(isHttpError(notFound) && notFound.body).toEqual({ error: 'not found', path: '/nope' });
      const wrongMethod = await http.request({ method: 'POST', path: '/p' }).catch((e: unknown) => e);
      expect(isHttpError(wrongMethod) && wrongMethod.status).toBe(405);
      for (const path of ['/throws', '/rejects']) {
        const failed = await http.request({ path }).catch((e: unknown) => e);
        expect(isHttpError(failed) && failed.status).toBe(500);
      }
      expect(srv.requestCount).toBe(12);
      expect(() => createRouter().get('no-slash', () => {})).toThrow(TypeError);
      expect(() => createRouter().get('/x', 5 as never)).toThrow(TypeError);
    } finally {
      await http.close();
      await srv.close();
    }
  });

  it('faults: failTimes, malformedJson, delay, slowBody', async () => {
    const flaky = failTimes(2, 502);
    const routes = createRouter()
      .get('/flaky', (req, res) => flaky(req, res))
      .get('/malformed', (req, res) => malformedJson()(req, res))
      .get('/delayed', (req, res) => delay(30)(req, res))
      .get('/slow', (req, res) => slowBody(['a', 'b'], 10, { 'x-slow': '1' })(req, res));
    const srv = await startTestServer(routes.handler);
    const http = createHttpClient({ baseUrl: srv.url, clock: createTestClock(), random: () => 0 });
    try {
      expect((await http.request({ path: '/flaky' })).attempts).toBe(3);
      expect(flaky.calls).toBe(3);
      const parse = await http.request({ path: '/malformed' }).catch((e: unknown) => e);
      expect(isParseError(parse) && parse.rawPreview).toBe('{"values": [1, 2,');
      const started = Date.now();
      expect((await http.request({ path: '/delayed' })).body).toEqual({ ok: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(25);
      const slow = await http.request({ path: '/slow', responseType: 'text' });
      expect(slow.body).toBe('ab');
      expect(slow.headers['x-slow']).toBe('1');
      expect(typeof faults.resetMidBody).toBe('function');
    } finally {
      await http.close();
      await srv.close();
    }
  });

  it('HTTPS with the shipped certificate or custom material; close() ends open connections', async () => {
    const cert = testCertificate();
    expect(cert.key).toContain('BEGIN PRIVATE KEY');
    expect(cert.ca).toBe(cert.cert);
    const srv = await startTestServer((_req, res) => sendJson(res, 200, { tls: true }), { tls: { key: cert.key, cert: cert.cert } });
    const http = createHttpClient({ baseUrl: srv.url.replace('127.0.0.1', 'localhost'), tls: { ca: cert.ca } });
    expect((await http.request({ path: '/' })).body).toEqual({ tls: true });
    expect(srv.connections.size).toBe(1);
    await srv.close();
    await srv.close(); // idempotent
    expect(srv.connections.size).toBe(0);
    await http.close();
    await http.close();
    await expect(http.request({ path: '/' })).rejects.toThrow('The client is closed');
  });

  it('a handler error after the headers were sent destroys the response', async () => {
    const srv = await startTestServer((_req, res) => {
      res.writeHead(200);
      res.write('partial');
      throw new Error('late failure');
    });
    try {
      const outcome = await new Promise<string>((resolve) => {
        const req = httpRequest(`${srv.url}/`, (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve('ended'));
          res.on('error', () => resolve('aborted'));
          res.on('aborted', () => resolve('aborted'));
        });
        req.on('error', () => resolve('aborted'));
        req.end();
      });
      expect(outcome).toBe('aborted');
      await expect(startTestServer(5 as never)).rejects.toThrow(TypeError);
      await expect(startTestServer(() => {}, { port: srv.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await srv.close();
    }
  });
});
