import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../index.js';
import { sendJson, startTestServer, type TestServer } from '../server.js';
import { ControlClient, ControlError } from './control-client.js';
import { createControl } from './control-api.js';
import { startControlServer, withControl } from './control-server.js';
import { simulatorLine, writeCaFile } from './simulator-line.js';
import { readFile } from 'node:fs/promises';
import { testCertificate } from '../certificate.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function simulator(): Promise<{ server: TestServer; control: ControlClient; received: string[]; revoked: string[] }> {
  const received: string[] = [];
  const revoked: string[] = [];
  const control = createControl({
    name: 'demo',
    received: () => received,
    clearReceived: () => void received.splice(0),
    revokeTokens: ({ token }) => {
      revoked.push(token ?? '*');
      return token === undefined ? 3 : 1;
    },
    push: (body) => {
      if (typeof (body as { event?: unknown }).event !== 'string') throw new TypeError('event must be a string');
      return { queued: (body as { event: string }).event };
    },
  });
  const server = await startTestServer(
    withControl(control, (req, res) => {
      received.push(`${req.method ?? ''} ${req.url ?? ''}`);
      sendJson(res, 200, { ok: true, n: received.length });
    }),
  );
  servers.push(server);
  return { server, control: new ControlClient(`${server.url}/control`), received, revoked };
}

describe('simulator control API', () => {
  it('a 503 burst with Retry-After is retried by createHttpClient and the answer arrives', async () => {
    const sim = await simulator();
    const fault = await sim.control.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, path: '/units*', count: 2 });
    expect(fault).toEqual({ id: 1, kind: 'status', path: '/units*', method: '*', remaining: 2, status: 503, retryAfterSeconds: 0 });
    const client = createHttpClient({ baseUrl: sim.server.url, retry: { maxAttempts: 4, baseDelayInMs: 1, maxDelayInMs: 5 } });
    try {
      const other = await client.request({ method: 'GET', path: '/other' });
      expect(other.status).toBe(200);
      const response = await client.request({ method: 'GET', path: '/units/1' });
      expect([response.status, response.body]).toEqual([200, { ok: true, n: 2 }]);
    } finally {
      await client.close();
    }
    expect(sim.received).toEqual(['GET /other', 'GET /units/1']);
    // POST /control/faults, /other, two 503s, the answer.
    expect(sim.server.requestCount).toBe(1 + 1 + 2 + 1);
    expect(await sim.control.faults()).toEqual([]);
  });

  it('stall, drop, method filters, list and clear', async () => {
    const sim = await simulator();
    await sim.control.addFault({ kind: 'stall', stallInMs: 150, path: '/slow' });
    await sim.control.addFault({ kind: 'drop', method: 'post', path: '/x/*', count: 5 });
    const started = Date.now();
    expect((await fetch(`${sim.server.url}/slow`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await fetch(`${sim.server.url}/x/1`)).status).toBe(200);
    await expect(fetch(`${sim.server.url}/x/1`, { method: 'POST' })).rejects.toThrow(TypeError);
    expect((await sim.control.faults()).map((f) => [f.kind, f.method, f.remaining])).toEqual([['drop', 'POST', 4]]);
    expect(await sim.control.clearFaults()).toBe(4);
    expect((await fetch(`${sim.server.url}/x/1`, { method: 'POST' })).status).toBe(200);
  });

  it('vendor handlers: revoke, push, received (since/limit), clear; unsupported ones answer 501', async () => {
    const sim = await simulator();
    expect(await sim.control.info()).toEqual({
      name: 'demo',
      endpoints: ['GET /control', 'GET /control/faults', 'POST /control/faults', 'DELETE /control/faults', 'POST /control/tokens/revoke', 'POST /control/push', 'GET /control/received', 'DELETE /control/received'],
    });
    expect([await sim.control.revokeTokens('abc'), await sim.control.revokeTokens()]).toEqual([1, 3]);
    expect(sim.revoked).toEqual(['abc', '*']);
    expect(await sim.control.push({ event: 'door-open' })).toEqual({ queued: 'door-open' });
    await fetch(`${sim.server.url}/a`);
    await fetch(`${sim.server.url}/b`);
    expect(await sim.control.received({ since: 1, limit: 5 })).toEqual({ total: 2, since: 1, records: ['GET /b'] });
    await sim.control.clearReceived();
    expect((await sim.control.received()).total).toBe(0);
    await expect(sim.control.dropConnections()).rejects.toThrow(new ControlError(501, 'POST /control/connections/drop: 501 the demo simulator does not support POST /control/connections/drop'));
    await expect(sim.control.ca()).rejects.toMatchObject({ status: 501 });
  });

  it.each([
    ['POST', '/faults', '{"kind":"stall"}', 400, 'stallInMs must be an integer from 0 to 600000, got undefined'],
    ['POST', '/faults', '{"kind":"status","status":200}', 400, 'status must be an HTTP error status (400-599), got 200'],
    ['POST', '/faults', '{"kind":"status","status":503,"count":0}', 400, 'count must be an integer from 1 to 1000000, got 0'],
    ['POST', '/faults', '{"kind":"status","status":429,"retryAfterSeconds":"soon"}', 400, 'retryAfterSeconds must be an integer from 0 to 86400, got "soon"'],
    ['POST', '/faults', '{"kind":"explode"}', 400, 'kind must be "status", "stall" or "drop", got "explode"'],
    ['POST', '/faults', '{"kind":"stall","stal":5}', 400, 'unknown field "stal" (did you mean "stallInMs"?); allowed: kind, path, method, count, status, retryAfterSeconds, body, stallInMs'],
    ['POST', '/faults', '{"kind":"drop","path":"units"}', 400, 'path must be a string starting with "/" or "*", got "units"'],
    ['POST', '/faults', '[1]', 400, 'body must be a JSON object'],
    ['POST', '/faults', '{nope', 400, 'body must be a JSON object'],
    ['POST', '/tokens/revoke', '{"token":5}', 400, 'token must be a non-empty string'],
    ['POST', '/push', '{"event":5}', 400, 'event must be a string'],
    ['GET', '/received?since=-1', undefined, 400, 'since must be a non-negative integer, got "-1"'],
    ['PUT', '/faults', '{}', 405, 'no control endpoint PUT /control/faults; see GET /control'],
    ['GET', '/nothing', undefined, 404, 'no control endpoint GET /control/nothing; see GET /control'],
  ])('%s %s %s → %i %s', async (method, path, body, status, message) => {
    const sim = await simulator();
    const response = await fetch(`${sim.server.url}/control${path}`, { method, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toBe(message);
  });

  it('a separate loopback control server with the CA; the simulate line carries control and caPath', async () => {
    const ca = await writeCaFile(testCertificate().ca);
    servers.push({ close: () => ca.remove() });
    expect(await readFile(ca.path, 'utf8')).toBe(testCertificate().ca);
    const started = await startControlServer({ name: 'tls-demo', ca: { pem: testCertificate().ca, path: ca.path } });
    servers.push(started);
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/control$/);
    expect(await new ControlClient(started.url).ca()).toEqual({ pem: testCertificate().ca, path: ca.path });
    expect(simulatorLine({ url: 'https://127.0.0.1:1', user: 'u' }, { control: started.url, caPath: ca.path })).toBe(
      `${JSON.stringify({ url: 'https://127.0.0.1:1', user: 'u', control: started.url, caPath: ca.path })}\n`,
    );
    await expect(startControlServer({ name: 'x', host: '0.0.0.0' })).rejects.toThrow(new RangeError('host must be a loopback address (127.0.0.1, ::1, localhost), got 0.0.0.0'));
    expect(() => simulatorLine({ control: 'x' }, { control: started.url })).toThrow(new TypeError('fields must not set control: pass it in extras'));
    expect(() => simulatorLine({}, { control: 'http://127.0.0.1:1/' })).toThrow(TypeError);
    expect(() => createControl({ name: '' })).toThrow(new TypeError('options.name must be a non-empty string'));
    expect(() => new ControlClient('http://127.0.0.1:1/')).toThrow(TypeError);
  });
});
