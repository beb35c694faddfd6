/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field */
// The HTTP API over a real loopback socket, with data fed through the app's ingest (no vendors).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type FleetApp } from '../app.js';
import { startHttpServer } from './server.js';
import { ConfigError } from '../config.js';
import type { DeviceInfo } from '../model.js';
import { silentLogger } from '../log.js';

const genset: DeviceInfo = {
  vendor: 'comap',
  vendorId: 'g/1',
  name: 'Westport',
  kind: 'genset',
  model: 'InteliGen',
  online: true,
  primaryMetric: 'Load',
  commands: [
    { name: 'start', label: 'Start', dangerous: true, params: [] },
    { name: 'changeMode', label: 'Change mode', dangerous: true, params: [{ name: 'mode', type: 'enum', values: ['MAN', 'AUT'], required: true }] },
  ],
};
const gateway: DeviceInfo = { vendor: 'devicecloud', vendorId: 'gw-1', name: 'Gateway', kind: 'gateway', model: null, online: false, primaryMetric: null, commands: [] };
const GENSET = encodeURIComponent('comap:g/1');

async function json(app: FleetApp, path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(app.url + path, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('fleet HTTP API', () => {
  let app: FleetApp;
  let dir: string;
  const now = Date.now();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-api-'));
    const web = join(dir, 'web');
    await mkdir(web);
    await writeFile(join(web, 'index.html'), '<!doctype html><title>fleet</title>');
    await writeFile(join(web, 'app.js'), 'console.log(1);');
    await writeFile(join(dir, 'outside.txt'), 'not to be served');
    app = await startFleet({ port: 0, dataDir: 'memory://', webDir: web, logger: silentLogger });
    await app.ingest.device(genset);
    await app.ingest.device(gateway);
    await app.ingest.readings(
      [
        { deviceId: 'comap:g/1', metric: 'Load', value: 10, unit: '%', ts: now - 2 * 3_600_000 },
        { deviceId: 'comap:g/1', metric: 'Load', value: 20, unit: '%', ts: now - 30 * 60_000 },
        { deviceId: 'comap:g/1', metric: 'Load', value: 40, unit: '%', ts: now - 20 * 60_000 },
        { deviceId: 'comap:g/1', metric: 'Mode', value: '=AUT', unit: null, ts: now - 20 * 60_000 },
      ],
      { live: false },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports every vendor as disabled and the SEPL bridge as disabled when nothing is configured', async () => {
    const { status, body } = await json(app, '/api/status');
    expect(status).toBe(200);
    expect(body.demo).toBe(false);
    expect(body.storage).toEqual({ kind: 'pglite' });
    expect(Object.keys(body.vendors)).toEqual(['comap', 'devicecloud', 'thinq']);
    expect(body.vendors.thinq).toMatchObject({ vendor: 'thinq', enabled: false, state: 'disabled', reason: null, devices: 0, mode: null });
    expect(body.sepl).toMatchObject({ enabled: false, state: 'disabled', devicesRegistered: 0, recentCommands: [] });
  });

  it('lists devices with their last values, and filters', async () => {
    const { body } = await json(app, '/api/devices');
    expect(body.devices.map((d: any) => d.id)).toEqual(['comap:g/1', 'devicecloud:gw-1']);
    expect(body.devices[0].lastValues).toEqual({
      Load: { value: 40, unit: '%', ts: new Date(now - 20 * 60_000).toISOString() },
      Mode: { value: '=AUT', unit: null, ts: new Date(now - 20 * 60_000).toISOString() },
    });
    expect(body.devices[0].sepl).toEqual({ registered: false });
    expect((await json(app, '/api/devices?vendor=devicecloud')).body.devices.map((d: any) => d.id)).toEqual(['devicecloud:gw-1']);
    expect((await json(app, '/api/devices?kind=genset')).body.devices.map((d: any) => d.id)).toEqual(['comap:g/1']);
    expect((await json(app, `/api/devices/${GENSET}`)).body.name).toBe('Westport');
  });

  it('answers clear 4xx errors naming the parameter', async () => {
    expect(await json(app, '/api/devices?vendor=sepl')).toMatchObject({
      status: 400,
      body: { error: { code: 'bad_request', param: 'vendor', message: 'vendor: expected one of comap, devicecloud, thinq, got "sepl"' } },
    });
    expect((await json(app, '/api/devices?colour=red')).body.error).toEqual({
      code: 'bad_request',
      param: 'colour',
      message: 'colour: unknown query parameter (known: vendor, kind, limit, cursor)',
    });
    expect(await json(app, '/api/devices/comap%3Anope')).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'no device "comap:nope"' } } });
    expect((await json(app, `/api/devices/${GENSET}/readings?from=yesterday`)).body.error).toMatchObject({ param: 'from' });
    expect((await json(app, `/api/devices/${GENSET}/readings?from=2026-01-02&to=2026-01-01`)).body.error).toMatchObject({ param: 'from' });
    expect((await json(app, `/api/devices/${GENSET}/readings?limit=0`)).body.error).toMatchObject({ param: 'limit' });
    expect((await json(app, `/api/devices/${GENSET}/average?granularity=fortnight`)).body.error).toMatchObject({ param: 'granularity' });
    expect((await json(app, `/api/devices/${GENSET}/average?time_window=2d`)).body.error).toEqual({
      code: 'bad_request',
      param: 'time_window',
      message: "time_window: must be a positive whole number followed by h, m or s (e.g. '12h')",
    });
    expect((await json(app, `/api/devices/devicecloud%3Agw-1/average`)).body.error).toMatchObject({ param: 'metric' });
    expect(await json(app, '/api/devices', { method: 'POST' })).toMatchObject({ status: 405, body: { error: { code: 'method_not_allowed' } } });
    expect(await json(app, '/api/nothing')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await json(app, '/api/demo/fault', { method: 'POST' })).status).toBe(404);
  });

  it('returns readings in a range, by metric, with truncation', async () => {
    const all = await json(app, `/api/devices/${GENSET}/readings?from=${now - 3 * 3_600_000}&to=${now}`);
    expect(all.body.readings.map((r: any) => [r.metric, r.value])).toEqual([
      ['Load', 10],
      ['Load', 20],
      ['Load', 40],
      ['Mode', '=AUT'],
    ]);
    expect(all.body.truncated).toBe(false);
    const one = await json(app, `/api/devices/${GENSET}/readings?metric=Load&limit=2&from=${new Date(now - 3 * 3_600_000).toISOString()}`);
    expect(one.body).toMatchObject({ deviceId: 'comap:g/1', truncated: true, from: new Date(now - 3 * 3_600_000).toISOString() });
    expect(one.body.readings.map((r: any) => r.value)).toEqual([10, 20]);
  });

  it('averages like the SEPL average service (window relative to now; default metric is the primary one)', async () => {
    expect((await json(app, `/api/devices/${GENSET}/average?time_window=1h`)).body).toEqual([
      { time_stamp: new Date(now - 30 * 60_000).toISOString(), result: 30, data_points: 2 },
    ]);
    expect((await json(app, `/api/devices/${GENSET}/average`)).body).toEqual([
      { time_stamp: new Date(now - 2 * 3_600_000).toISOString(), result: (10 + 20 + 40) / 3, data_points: 3 },
    ]);
    const hourly = (await json(app, `/api/devices/${GENSET}/average?granularity=hour&time_window=3h&metric=Load`)).body as any[];
    expect(hourly.reduce((n, b) => n + b.data_points, 0)).toBe(3);
    expect((await json(app, `/api/devices/${GENSET}/average?metric=Mode`)).body).toEqual([]);
  });

  it('validates commands and reports an unreachable vendor without sending anything', async () => {
    const post = (id: string, body: unknown, type = 'application/json') =>
      json(app, `/api/devices/${id}/commands`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
    expect(await post('devicecloud%3Agw-1', { command: 'start' })).toMatchObject({
      status: 409,
      body: { error: { code: 'unsupported_command', message: 'Gateway does not accept "start" (it takes no commands)' } },
    });
    expect((await post(GENSET, { command: 'changeMode', params: { mode: 'OFF' } })).body.error).toEqual({
      code: 'bad_request',
      param: 'params.mode',
      message: 'params.mode: expected one of MAN, AUT',
    });
    expect((await post(GENSET, { command: 'changeMode' })).body.error.param).toBe('params.mode');
    expect((await post(GENSET, { command: 'start', params: { force: true } })).body.error.param).toBe('params.force');
    expect((await post(GENSET, { command: 'start' }, 'text/plain')).body.error.param).toBe('body');
    expect((await json(app, `/api/devices/${GENSET}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).body.error).toEqual({
      code: 'bad_request',
      param: 'body',
      message: 'body: not valid JSON',
    });
    expect((await post('comap%3Anope', { command: 'start' })).status).toBe(404);
    // ComAp-native body; the vendor is not connected: 503 with the failed record.
    const res = await post(GENSET, { command: 'changeMode', mode: 'MAN' });
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({ code: 'vendor_unavailable', message: 'comap is not connected right now' });
    expect(res.body.command).toMatchObject({ deviceId: 'comap:g/1', command: 'changeMode', params: { mode: 'MAN' }, source: 'api', status: 'failed' });
    const listed = await json(app, '/api/commands?limit=1');
    expect(listed.body.commands).toEqual([res.body.command]);
    expect((await json(app, `/api/devices/${GENSET}/commands`)).body.commands.map((c: any) => c.name)).toEqual(['start', 'changeMode']);
  });

  it('exports CSV with quoting and formula protection', async () => {
    const res = await fetch(`${app.url}/api/export.csv?deviceId=${GENSET}&from=${now - 3 * 3_600_000}`);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="fleet-readings.csv"');
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(await res.text()).toBe(
      'timestamp,device_id,vendor,vendor_id,device_name,metric,value,unit\r\n' +
        `${iso(now - 2 * 3_600_000)},comap:g/1,comap,g/1,Westport,Load,10,%\r\n` +
        `${iso(now - 30 * 60_000)},comap:g/1,comap,g/1,Westport,Load,20,%\r\n` +
        `${iso(now - 20 * 60_000)},comap:g/1,comap,g/1,Westport,Load,40,%\r\n` +
        `${iso(now - 20 * 60_000)},comap:g/1,comap,g/1,Westport,Mode,'=AUT,\r\n`,
    );
    expect((await json(app, '/api/export.csv?deviceId=comap%3Anope')).status).toBe(404);
  });

  it('streams live readings and device changes as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${app.url}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += value;
      }
    };
    await until('event: hello');
    await app.ingest.readings([{ deviceId: 'comap:g/1', metric: 'Load', value: 55, unit: '%', ts: now }], { live: true });
    await app.ingest.online('devicecloud:gw-1', true);
    await until('event: device');
    controller.abort();
    const events = text
      .split('\n\n')
      .filter((b) => b.includes('event: '))
      .map((b) => ({ event: /event: (\w+)/.exec(b)![1], data: JSON.parse(/data: (.*)/.exec(b)![1]!) }));
    expect(events.map((e) => e.event)).toEqual(['hello', 'reading', 'device']);
    expect(events[1]!.data).toEqual({ deviceId: 'comap:g/1', metric: 'Load', value: 55, unit: '%', ts: new Date(now).toISOString() });
    expect(events[2]!.data).toMatchObject({ id: 'devicecloud:gw-1', online: true });
    expect(text).toMatch(/^retry: 2000\n\nid: \d+\nevent: hello\n/);
  });

  it('serves the dashboard files and nothing outside dist/web', async () => {
    const index = await fetch(`${app.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toBe('<!doctype html><title>fleet</title>');
    const js = await fetch(`${app.url}/assets/app.js`);
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1);']);
    // A raw request path (fetch would normalise the dots away).
    const raw = await new Promise<number>((resolve, reject) => {
      request(`${app.url}/assets/%2e%2e/outside.txt`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(raw).toBe(404);
    expect((await fetch(`${app.url}/assets/missing.js`)).status).toBe(404);
  });

  it('requires the token as a bearer or cookie, set once through /?token= (and says when the dashboard is not built)', async () => {
    // A second server over this file's fleet (no second database to start): the same handler
    // startFleet uses, with an access token and a web folder holding no dashboard build.
    const token = 'correct-horse-battery-staple';
    const guarded = await startHttpServer(app, { host: '127.0.0.1', port: 0, accessToken: token, webDir: join(dir, 'none'), logger: silentLogger });
    const at = { url: guarded.url } as FleetApp;
    try {
      const denied = await json(at, '/api/status');
      expect(denied.status).toBe(401);
      expect(denied.body.error.code).toBe('unauthorized');
      expect(JSON.stringify(denied.body)).not.toContain(token);
      expect((await json(at, '/api/status', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await json(at, '/api/status', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const login = await fetch(`${at.url}/?token=${token}`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/');
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).toBe(`fleet_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
      expect((await json(at, '/api/status', { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
      expect((await fetch(`${at.url}/?token=nope`, { redirect: 'manual' })).status).toBe(401);
      // No dashboard build in this web folder: `/` says how to build it.
      const page = await fetch(`${at.url}/`, { headers: { cookie: cookie.split(';')[0]! } });
      expect([page.status, await page.text()]).toEqual([503, 'dashboard not built: run npm run build\n']);
    } finally {
      await guarded.close();
    }
  });
});

describe('access token', () => {
  it('refuses a non-loopback bind without a token', async () => {
    await expect(startFleet({ host: '0.0.0.0', port: 0, logger: silentLogger })).rejects.toThrow(ConfigError);
    await expect(startFleet({ host: '0.0.0.0', port: 0, logger: silentLogger })).rejects.toThrow(
      'server.host: binding 0.0.0.0 (not loopback) requires server.accessToken (or FLEET_ACCESS_TOKEN)',
    );
  });
});

/** One raw HTTP request (fetch would not let the test set `Host`): status and error code. */
function rawRequest(url: string, options: { method?: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const body = text.startsWith('{') ? (JSON.parse(text) as { error?: { code?: string } }) : {};
        resolve({ status: res.statusCode ?? 0, code: body.error?.code });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('Host and Origin checks (DNS rebinding, cross-site requests)', () => {
  let app: FleetApp;
  let port: string;
  const command = JSON.stringify({ command: 'start' });
  const post = (headers: Record<string, string>) =>
    rawRequest(`${app.url}/api/devices/comap%3Ag%2F1/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: command });

  beforeAll(async () => {
    app = await startFleet({ port: 0, dataDir: 'memory://', logger: silentLogger, config: { server: { allowedHosts: ['fleet.example.org', '.lan.example'] } } });
    await app.ingest.device(genset);
    port = new URL(app.url).port;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers 421 to a Host that is not this server: a rebound name, a missing Host', async () => {
    expect(await rawRequest(`${app.url}/api/status`, { headers: { host: 'evil.example' } })).toEqual({ status: 421, code: 'misdirected_request' });
    expect(await rawRequest(`${app.url}/api/status`, { headers: { host: `evil.example:${port}` } })).toEqual({ status: 421, code: 'misdirected_request' });
    expect(await rawRequest(`${app.url}/`, { headers: { host: 'localhost.evil.example' } })).toEqual({ status: 421, code: 'misdirected_request' });
    expect(await rawRequest(`${app.url}/api/status`, { headers: { host: 'lan.example.evil' } })).toEqual({ status: 421, code: 'misdirected_request' });
    // A rebinding page cannot start a genset either: refused before the route runs.
    expect(await post({ host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).toEqual({ status: 421, code: 'misdirected_request' });
  });

  it('answers for the bound address, localhost and the configured names (any case, with or without port)', async () => {
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `localhost:${port}`, 'LOCALHOST', 'fleet.example.org', 'Fleet.Example.Org.', 'lan.example', `box.lan.example:${port}`]) {
      expect([host, (await rawRequest(`${app.url}/api/status`, { headers: { host } })).status]).toEqual([host, 200]);
    }
  });

  it('refuses state-changing requests from a foreign Origin with 403, and lets same-origin ones through', async () => {
    const host = `127.0.0.1:${port}`;
    expect(await post({ host, origin: 'http://evil.example' })).toEqual({ status: 403, code: 'forbidden' });
    expect(await post({ host, origin: `http://localhost:${Number(port) + 1}` })).toEqual({ status: 403, code: 'forbidden' });
    expect(await post({ host, origin: 'null' })).toEqual({ status: 403, code: 'forbidden' });
    expect(await post({ host, origin: 'not a url' })).toEqual({ status: 403, code: 'forbidden' });
    // Same origin, a configured name (a proxy in front), or no Origin (curl, the CLI): the route runs (503: no vendor).
    expect(await post({ host, origin: `http://${host}` })).toEqual({ status: 503, code: 'vendor_unavailable' });
    expect(await post({ host, origin: 'https://fleet.example.org' })).toEqual({ status: 503, code: 'vendor_unavailable' });
    expect(await post({ host })).toEqual({ status: 503, code: 'vendor_unavailable' });
    // Reads pass the Origin check (without CORS headers the page cannot read the answer).
    expect(await rawRequest(`${app.url}/api/status`, { headers: { host, origin: 'http://evil.example' } })).toEqual({ status: 200, code: undefined });
  });

  it('validates server.allowedHosts (names or addresses, no scheme or port) and reads FLEET_ALLOWED_HOSTS', async () => {
    await expect(startFleet({ port: 0, dataDir: 'memory://', logger: silentLogger, config: { server: { allowedHosts: ['http://x.example', 'a.example:80', '*.example', 'ok.example', '::1'] } } })).rejects.toThrow(
      'invalid configuration (options.config):\n' +
        '  - server.allowedHosts[0]: expected a host name or IP address without scheme or port, got "http://x.example"\n' +
        '  - server.allowedHosts[1]: expected a host name or IP address without scheme or port, got "a.example:80"\n' +
        '  - server.allowedHosts[2]: expected a host name or IP address without scheme or port, got "*.example"',
    );
    await expect(startFleet({ port: 0, dataDir: 'memory://', logger: silentLogger, config: { server: { allowedHosts: 'x.example' } } })).rejects.toThrow(
      'server.allowedHosts: expected an array of non-empty strings',
    );
    const { applyEnv, parseConfig } = await import('../config.js');
    expect(parseConfig(applyEnv({}, { FLEET_ALLOWED_HOSTS: 'a.example, .b.example' })).server.allowedHosts).toEqual(['a.example', '.b.example']);
  });
});

describe('Host check on a wildcard bind', () => {
  it('answers for the machine\'s own addresses and refuses other names', async () => {
    const { createHostCheck, hostName } = await import('./host-check.js');
    const check = createHostCheck({ host: '0.0.0.0', boundAddress: '0.0.0.0' });
    expect([check.host('127.0.0.1'), check.host('localhost'), check.host('evil.example'), check.origin('localhost')]).toEqual([true, true, false, false]);
    const v6 = createHostCheck({ host: '::1', boundAddress: '::1' });
    expect([hostName('[::1]:8080'), v6.host(hostName('[::1]:8080')), v6.host('127.0.0.1')]).toEqual(['::1', true, false]);
  });
});
