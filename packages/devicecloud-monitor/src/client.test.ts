// Request/response shapes follow digidotcom/python-devicecloud @ 4940d6f (devicecloud/test/unit/test_monitor.py,
// test_core.py) and madglory/device_cloud @ 519975a (spec/device_cloud/monitor_spec.rb), see specs/devicecloud.md §B.
import { namespacedLogger } from '@x/http-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MonitorFields as M } from './conditions.js';
import { DeviceCloudClient } from './client.js';
import type { DeviceCloudSimulator } from './testing/index.js';
import { closeRestFixture, collect, startRestFixture } from './rest-test-support.js';

let sim: DeviceCloudSimulator;
let client: DeviceCloudClient;

// With push listeners: some tests here connect a push session.
beforeEach(async () => ({ sim, client } = await startRestFixture({ pushPort: 0, tlsPort: 0 })));
afterEach(() => closeRestFixture({ sim, client }));


describe('monitor REST API against the simulator', () => {
  it('creates a TCP monitor with every field, escaped XML, batch size and duration always sent', async () => {
    const id = await client.createTcpMonitor(['DeviceCore', 'FileData/db/*'], {
      batchSize: 5,
      batchDurationInSeconds: 0,
      compression: 'gzip',
      format: 'xml',
      ackOption: 'explicit',
      autoReplayOnConnect: true,
      description: 'a & b <c> "d"',
    });
    expect(id).toBe(178000);
    const req = sim.requests.find((r) => r.method === 'POST')!;
    expect(req.url).toBe('/ws/Monitor');
    expect(req.body).toBe(
      '<Monitor><monTopic>DeviceCore,FileData/db/*</monTopic><monBatchSize>5</monBatchSize><monBatchDuration>0</monBatchDuration>' +
        '<monFormatType>xml</monFormatType><monTransportType>tcp</monTransportType><monCompression>zlib</monCompression>' +
        '<monAutoReplayOnConnect>true</monAutoReplayOnConnect><monAckOption>explicit</monAckOption>' +
        '<monDescription>a &amp; b &lt;c&gt; &quot;d&quot;</monDescription></Monitor>',
    );
    const m = await client.getMonitorById(id);
    expect(m).toMatchObject({
      id,
      customerId: 7603,
      topics: ['DeviceCore', 'FileData/db/*'],
      transportType: 'tcp',
      format: 'xml',
      compression: 'zlib',
      batchSize: 5,
      batchDurationInSeconds: 0,
      ackOption: 'explicit',
      autoReplayOnConnect: true,
      description: 'a & b <c> "d"',
      status: 'INACTIVE',
    });
    expect(m!.raw.monBatchSize).toBe('5');
  });

  it('creates an HTTP monitor with token, method, headers and timeouts', async () => {
    const id = await client.createHttpMonitor(['DataPoint'], 'https://example.com/hook?a=1&b=2', {
      transportToken: { username: 'hook', password: 'p&ss<word>' },
      method: 'POST',
      headers: { 'x-api-key': 'k1', 'X-Other': 'v 2' },
      connectTimeoutInMs: 3000,
      responseTimeoutInMs: 4000,
      batchSize: 10,
    });
    const req = sim.requests.find((r) => r.method === 'POST')!;
    expect(req.body).toContain('<monTransportUrl>https://example.com/hook?a=1&amp;b=2</monTransportUrl>');
    expect(req.body).toContain('<monTransportToken>hook:p&amp;ss&lt;word&gt;</monTransportToken>');
    expect(req.body).toContain('<monTransportMethod>POST</monTransportMethod>');
    expect(req.body).toContain('<monTransportHeaders>x-api-key: k1\nX-Other: v 2</monTransportHeaders>');
    expect(req.body).toContain('<monConnectTimeout>3000</monConnectTimeout><monResponseTimeout>4000</monResponseTimeout>');
    const m = await client.getMonitorById(id);
    expect(m).toMatchObject({
      transportType: 'http',
      transportUrl: 'https://example.com/hook?a=1&b=2',
      transportMethod: 'POST',
      transportHeaders: { 'x-api-key': 'k1', 'X-Other': 'v 2' },
      connectTimeoutInMs: 3000,
      responseTimeoutInMs: 4000,
      batchSize: 10,
    });
  });

  it('lists with condition and pages by start/size following remainingSize', async () => {
    for (const t of ['DataPoint', 'DeviceCore', 'FileData', 'DataPoint/x']) await client.createTcpMonitor([t], { description: t });
    const ms = await collect(client.listMonitors(undefined, { pageSize: 3 }));
    expect(ms.map((m) => m.topics.join(','))).toEqual(['DataPoint', 'DeviceCore', 'FileData', 'DataPoint/x']);
    const lists = sim.requests.filter((r) => r.method === 'GET').map((r) => [r.url, r.accept]);
    expect(lists).toEqual([
      ['/ws/Monitor?start=0&size=3', 'application/json'],
      ['/ws/Monitor?start=3&size=3', 'application/json'],
    ]);
    const cond = M.monTopic.like('DataPoint%').and(M.monDescription.eq('DataPoint/x').or(M.monDescription.eq('DataPoint')));
    const filtered = await collect(client.listMonitors(cond));
    expect(filtered.map((m) => m.description)).toEqual(['DataPoint', 'DataPoint/x']);
    const last = new URL(sim.requests.at(-1)!.url, 'http://x');
    expect([...last.searchParams]).toEqual([
      ['condition', "monTopic like 'DataPoint%' and (monDescription='DataPoint/x' or monDescription='DataPoint')"],
      ['start', '0'],
      ['size', '1000'],
    ]);
    expect(await collect(client.listMonitors("monDescription='nothing'"))).toEqual([]);
    // Grouping matters on the wire: a & (b | c) is not (a & b) | c, which the reference SDK would send.
    const grouped = M.monTopic.like('DataPoint%').and(M.monDescription.eq('DataPoint/x').or(M.monDescription.eq('DeviceCore')));
    expect((await collect(client.listMonitors(grouped))).map((m) => m.description)).toEqual(['DataPoint/x']);
    const flattened = grouped.compile().replace(/[()]/g, '');
    expect(flattened).toBe("monTopic like 'DataPoint%' and monDescription='DataPoint/x' or monDescription='DeviceCore'");
    expect((await collect(client.listMonitors(flattened))).map((m) => m.description)).toEqual(['DeviceCore', 'DataPoint/x']);
  });

  it('getMonitor matches the exact topic list; getMonitorById gives undefined on 404', async () => {
    const a = await client.createTcpMonitor(['DeviceCore', 'FileData']);
    await client.createTcpMonitor(['FileData', 'DeviceCore']);
    expect((await client.getMonitor(['DeviceCore', 'FileData']))?.id).toBe(a);
    expect(await client.getMonitor(['DeviceCore'])).toBeUndefined();
    expect(await client.getMonitorById(12123)).toBeUndefined();
  });

  it('resetMonitor PUTs to the monitor; deleteMonitor deletes it', async () => {
    const id = await client.createTcpMonitor(['DataPoint']);
    await client.resetMonitor(id, { monDescription: 'reset & renamed' });
    const put = sim.requests.find((r) => r.method === 'PUT')!;
    expect([put.url, put.body]).toEqual([`/ws/Monitor/${id}`, `<Monitor><monId>${id}</monId><monDescription>reset &amp; renamed</monDescription></Monitor>`]);
    expect((await client.getMonitorById(id))?.description).toBe('reset & renamed');
    await client.deleteMonitor(id);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'DELETE', url: `/ws/Monitor/${id}` });
    expect(await client.getMonitorById(id)).toBeUndefined();
    await expect(client.deleteMonitor(id)).rejects.toMatchObject({ name: 'HttpError', status: 404, vendor: { message: `DELETE Monitor error. Error reading Monitor entity id='${id}'` } });
  });

  it('surfaces the 400 error body and the 401 without leaking the password', async () => {
    await expect(client.createTcpMonitor(['   '])).rejects.toThrow(TypeError);
    await expect(client.resetMonitor(1, { notMon: 1 })).rejects.toThrow(/notMon/);
    const bad = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: 'hunter2-secret', retry: false });
    const err = await bad.createTcpMonitor(['DataPoint']).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpError', status: 401 });
    expect(JSON.stringify(err) + String(err)).not.toContain('hunter2-secret');
    await bad.close();
    // A topic the server rejects: the vendor message of the XML error body.
    const raw = await fetch(`${sim.url}/ws/Monitor`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}` },
      body: '<Monitor><monTopic></monTopic></Monitor>',
    });
    expect(raw.status).toBe(400);
    expect(await raw.text()).toBe('<?xml version="1.0" encoding="ISO-8859-1"?><result><error>POST Monitor error. Invalid request. Invalid monTopic specified</error></result>');
  });

  it('the create response carries Location and the result XML, and XML listing works without Accept', async () => {
    const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
    const res = await fetch(`${sim.url}/ws/Monitor`, { method: 'POST', headers: { Authorization: auth }, body: '<Monitor><monTopic>DeviceCore</monTopic><monCompression>gzip</monCompression></Monitor>' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('Monitor/178000');
    expect(await res.text()).toBe('<?xml version="1.0" encoding="ISO-8859-1"?><result><location>Monitor/178000</location></result>');
    const xml = await (await fetch(`${sim.url}/ws/Monitor`, { headers: { Authorization: auth } })).text();
    expect(xml).toContain('<resultTotalRows>1</resultTotalRows><requestedStartRow>0</requestedStartRow><resultSize>1</resultSize><requestedSize>1000</requestedSize><remainingSize>0</remainingSize><Monitor><monId>178000</monId>');
    expect(xml).toContain('<monCompression>zlib</monCompression>');
    const json = (await (await fetch(`${sim.url}/ws/Monitor/178000.json`, { headers: { Authorization: auth } })).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ resultTotalRows: '1', requestedStartRow: '0', resultSize: '1', requestedSize: '1', remainingSize: '0' });
  });

  it('pushSession() binds credentials and host; the monitor streams DataPoints written over REST', async () => {
    const id = await client.createTcpMonitor(['DataPoint'], { batchSize: 1, batchDurationInSeconds: 0 });
    const s = client.pushSession(id, { secure: false, port: sim.pushPort });
    const got: unknown[] = [];
    const loop = (async () => {
      for await (const e of s.events()) {
        got.push(e.type === 'DataPoint' ? [e.payload.streamId, e.payload.data, e.payload.streamUnits] : e.type);
        if (got.length === 2) break;
      }
    })();
    await new Promise<void>((r) => s.once('connected', () => r()));
    const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
    const res = await fetch(`${sim.url}/ws/DataPoint/dev1/temp`, {
      method: 'POST',
      headers: { Authorization: auth },
      body: '<DataPoint><data>21.5</data><streamUnits>C</streamUnits></DataPoint>',
    });
    expect(res.status).toBe(201);
    await fetch(`${sim.url}/ws/DataPoint/dev1/state`, { method: 'POST', headers: { Authorization: auth }, body: '<list><DataPoint><data>on</data></DataPoint></list>' });
    await loop;
    expect(got).toEqual([
      ['dev1/temp', 21.5, 'C'],
      ['dev1/state', 'on', ''],
    ]);
  });

  it('pushSession() on a monitor this client created takes its ackOption: no acks to an ack-off monitor, acks to an explicit one, unless told otherwise', async () => {
    const off = await client.createTcpMonitor(['DataPoint/off/*'], { batchSize: 1, batchDurationInSeconds: 0 });
    const explicit = await client.createTcpMonitor(['DataPoint/explicit/*'], { batchSize: 1, batchDurationInSeconds: 0, ackOption: 'explicit' });
    /** One event handled by a session on `id`, then the session closed and its connection gone on the server side. */
    const handleOne = async (id: number, stream: string, ackOption?: 'off' | 'explicit') => {
      let handled = 0;
      const s = client.pushSession(id, { secure: false, port: sim.pushPort, ...(ackOption ? { ackOption } : {}), handler: () => void handled++ });
      await s.start();
      sim.publishDataPoint({ streamId: stream, data: 1 });
      await vi.waitUntil(() => handled === 1, { timeout: 5000, interval: 2 });
      if (id === explicit) await vi.waitUntil(() => sim.monitor(id)!.acks.length === 1, { timeout: 5000, interval: 2 });
      await s.close();
      await vi.waitUntil(() => sim.monitor(id)!.sink === undefined, { timeout: 5000, interval: 2 });
    };
    await handleOne(off, 'off/a');
    expect(sim.monitor(off)!.ignoredBytes).toBe(0);
    await handleOne(explicit, 'explicit/a');
    expect(sim.monitor(explicit)!.acks).toEqual([0]);
    await handleOne(off, 'off/b', 'explicit'); // told otherwise: the 10-byte ack goes out and the server ignores it
    expect(sim.monitor(off)!.ignoredBytes).toBe(10);
  });

  it('pushSession() defaults: TLS to port 3201 of the API host (3200 only when asked)', async () => {
    // python-devicecloud test_monitor_tcp.py: the push host is the base URL's host name.
    const real = new DeviceCloudClient({ username: 'u', password: 'p', baseUrl: 'https://devicecloud.digi.com:8443' });
    const opts = (s: { host: string; port: number; secure: boolean }) => ({ host: s.host, port: s.port, secure: s.secure });
    expect(opts(real.pushSession(1))).toEqual({ host: 'devicecloud.digi.com', port: 3201, secure: true });
    expect(opts(real.pushSession(1, { secure: false }))).toEqual({ host: 'devicecloud.digi.com', port: 3200, secure: false });
    expect(opts(new DeviceCloudClient({ username: 'u', password: 'p' }).pushSession(1))).toEqual({ host: 'remotemanager.digi.com', port: 3201, secure: true });
    expect(opts(new DeviceCloudClient({ username: 'u', password: 'p', baseUrl: 'http://[::1]:9' }).pushSession(1))).toMatchObject({ host: '::1', port: 3201 });
    await real.close();
  });

  it('close() closes the push sessions it made (running or never started) and namespaces their logger once', async () => {
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    const sink = (message: string, fields?: Record<string, unknown>) => lines.push([message, fields]);
    const app = namespacedLogger({ debug: sink, info: sink, warn: sink, error: sink }, 'fleet');
    const logged = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retry: false, logger: app });
    const id = await logged.createTcpMonitor(['DataPoint'], { batchSize: 1, batchDurationInSeconds: 0 });
    const running = logged.pushSession(id, { secure: false, port: sim.pushPort, handler: () => false });
    const idle = logged.pushSession(id, { secure: false, port: sim.pushPort });
    await running.start();
    sim.publishDataPoint({ streamId: 's', data: 1 });
    const end = Date.now() + 15_000;
    while (!lines.some(([m]) => m.includes('did not handle data block 0')) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    await logged.close();
    expect([running.state, idle.state]).toEqual(['closed', 'closed']);
    await expect(running.done).resolves.toBeUndefined();
    const namespaces = new Set(lines.map(([, f]) => f?.namespace));
    expect(namespaces).toEqual(new Set(['fleet:devicecloud-monitor']));
    expect(lines.some(([m]) => m.includes('did not handle data block 0'))).toBe(true);
  });

  it('writeDataPoint / writeDataPoints POST DataPoint XML (one, and a <list>) and resolve with the locations; a monitor sees the events', async () => {
    const id = await client.createTcpMonitor(['DataPoint'], { batchSize: 1, batchDurationInSeconds: 0 });
    const s = client.pushSession(id, { secure: false, port: sim.pushPort, ackOption: 'off', longs: 'bigint' });
    const got: unknown[] = [];
    const loop = (async () => {
      for await (const e of s.events()) {
        if (e.type === 'DataPoint') got.push([e.payload.streamId, e.payload.data, e.payload.streamUnits ?? null]);
        if (got.length === 3) break;
      }
    })();
    await new Promise<void>((r) => s.once('connected', () => r()));
    const one = await client.writeDataPoint('dev1/temp', { data: 21.5, streamUnits: 'C', quality: 1, timestamp: Date.UTC(2026, 0, 2) });
    expect(one.streamId).toBe('dev1/temp');
    expect(one.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: '/ws/DataPoint/dev1/temp',
      body: '<DataPoint><data>21.5</data><streamUnits>C</streamUnits><quality>1</quality><timestamp>2026-01-02T00:00:00.000Z</timestamp></DataPoint>',
    });
    const many = await client.writeDataPoints('dev1/big', [{ data: 9007199254740993n, streamType: 'LONG' }, { data: 'a<b', streamType: 'STRING' }]);
    expect(many.map((w) => w.streamId)).toEqual(['dev1/big', 'dev1/big']);
    expect(sim.requests.at(-1)!.body).toBe('<list><DataPoint><data>9007199254740993</data><streamType>LONG</streamType></DataPoint><DataPoint><data>a&lt;b</data><streamType>STRING</streamType></DataPoint></list>');
    await loop;
    expect(got[0]).toEqual(['dev1/temp', 21.5, 'C']);
    expect(got[2]).toEqual(['dev1/big', 'a<b', '']);
    await expect(client.writeDataPoint('/bad/', { data: 1 })).rejects.toThrow(/streamId/);
    await expect(client.writeDataPoints('s', [])).rejects.toThrow(/points must be a non-empty array/);
    await expect(client.writeDataPoint('s', { data: Number.NaN })).rejects.toThrow(/points\[0\]\.data must be a finite number/);
    await expect(client.writeDataPoint('s', { data: 1, streamType: 'BIG' as never })).rejects.toThrow(/streamType/);
    await expect(client.writeDataPoint('s', { data: 1, timestamp: new Date('x') })).rejects.toThrow(/timestamp/);
    await expect(client.writeDataPoint('s', { data: {} as never })).rejects.toThrow(TypeError);
  });

  it('validates input naming the parameter', async () => {
    expect(() => new DeviceCloudClient({ username: '', password: 'p' })).toThrow(/username/);
    expect(() => new DeviceCloudClient({ username: 'u', password: 'p', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => client.pushSession(-1)).toThrow(/monitorId/);
    await expect(client.listMonitors(undefined, { pageSize: 0 }).next()).rejects.toThrow(/pageSize/);
    await expect(client.createHttpMonitor(['DataPoint'], 'not a url')).rejects.toThrow(/transportUrl/);
    await expect(client.createTcpMonitor(['DataPoint'], { compression: 'brotli' as never })).rejects.toThrow(/compression/);
    await expect(client.createTcpMonitor(['DataPoint'], { batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(client.createHttpMonitor(['DataPoint'], 'http://x', { headers: { 'bad name': 'v' } })).rejects.toThrow(/headers/);
    await expect(client.createHttpMonitor(['DataPoint'], 'http://x', { method: 'GET' as never })).rejects.toThrow(/method/);
  });
});
