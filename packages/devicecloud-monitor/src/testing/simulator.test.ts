import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceCloudClient } from '../client.js';
import { parseDocument } from '../payload.js';
import { PushSession, type PushBatch } from '../session.js';
import { compileCondition } from './condition-eval.js';
import { DeviceCloudSimulator, renderDocument } from './index.js';

let sim: DeviceCloudSimulator;
const open: PushSession[] = [];
beforeEach(async () => {
  sim = await DeviceCloudSimulator.start({ secondInMs: 10 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop({ timeoutInMs: 100 })));
  await sim.close();
});

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 15_000; // generous for loaded CI machines (the test timeout is 20 s)
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function listen(topic: string, fields: Record<string, string> = {}) {
  const m = sim.createMonitor({ monTopic: topic, monBatchSize: '10', monBatchDuration: '0', ...fields });
  const batches: PushBatch[] = [];
  const s = new PushSession({ host: '127.0.0.1', port: sim.pushPort, secure: false, username: sim.username, password: sim.password, monitorId: m.id, handler: (b) => void batches.push(b) });
  open.push(s);
  await s.start();
  return { m, batches, events: () => batches.flatMap((b) => b.events) };
}

describe('simulator', () => {
  it('routes DeviceCore and FileData events by topic filters', async () => {
    const updates = await listen('[operation=U]DeviceCore');
    const creates = await listen('DeviceCore[C]');
    const files = await listen('FileData/db/dev1/*');
    sim.publishDeviceCore({ devId: 1, devConnectwareId: '00000000-00000000-00409DFF-FF000001', operation: 'create' });
    sim.publishDeviceCore({ devId: 1, devConnectwareId: '00000000-00000000-00409DFF-FF000001', dpConnectionStatus: 0 });
    sim.publishFileData({ path: '/db/dev1/logs', name: 'a.txt', content: 'hello', contentType: 'text/plain' });
    sim.publishFileData({ path: '/db/dev2/', name: 'b.txt', content: 'nope' });
    await waitFor(() => updates.events().length === 1 && creates.events().length === 1 && files.events().length === 1, 'routed events');
    await new Promise((r) => setTimeout(r, 30));
    expect(updates.events().map((e) => [e.type, e.operation])).toEqual([['DeviceCore', 'UPDATE']]);
    expect(creates.events().map((e) => [e.type, e.operation])).toEqual([['DeviceCore', 'INSERTION']]);
    const [file] = files.events();
    expect(file).toMatchObject({ type: 'FileData', topic: '7603/FileData/db/dev1/logs/a.txt' });
    expect(file?.type === 'FileData' && file.payload).toMatchObject({ id: { fdPath: '/db/dev1/logs/', fdName: 'a.txt' }, fdSize: 5, fdContentType: 'text/plain', fdData: 'aGVsbG8=' });
    const core = updates.events()[0]!;
    expect(core.type === 'DeviceCore' && core.payload).toMatchObject({ id: { devId: 1, devVersion: 0 }, dpConnectionStatus: 0, cstId: 7603 });
  });

  it('stall holds batches back, then delivers them in order; batch duration aggregates', async () => {
    const l = await listen('DataPoint', { monBatchDuration: '3' }); // 3 simulated seconds = 30 ms
    sim.faults.stall(l.m.id, 80);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) sim.publishDataPoint({ streamId: 's', data: i });
    await waitFor(() => l.events().length === 5, 'stalled events');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(70);
    expect(l.batches.map((b) => b.events.length)).toEqual([5]);
    expect(l.events().map((e) => e.type === 'DataPoint' && e.payload.data)).toEqual([0, 1, 2, 3, 4]);
    expect(() => sim.faults.stall(1, 10)).toThrow(RangeError);
  });

  it('a non-persistent monitor drops events while disconnected; a persistent one keeps them', () => {
    const plain = sim.createMonitor({ monTopic: 'DataPoint' });
    const kept = sim.createMonitor({ monTopic: 'DataPoint', monAutoReplayOnConnect: 'true' });
    sim.publishDataPoint({ streamId: 's', data: 1 });
    expect([plain.dropped, plain.pending.length, plain.fields.monStatus]).toEqual([1, 0, 'INACTIVE']);
    expect([kept.dropped, kept.pending.map((e) => e.replay)]).toEqual([0, [true]]);
  });

  it('documents render with escaping and parse back (JSON and XML)', () => {
    const ev = sim.publish({ type: 'Alarm', key: 'a&b', operation: 'update', body: { almName: '<hot> & "dry"', nested: { v: 1 } } });
    for (const format of ['json', 'xml'] as const) {
      const [e] = parseDocument(renderDocument([{ ...ev, replay: true }], format), format);
      expect(e).toMatchObject({ type: 'other', resource: 'Alarm', topic: '7603/Alarm/a&b', replay: true, group: '*' });
      expect((e!.payload as { almName: string }).almName).toBe('<hot> & "dry"');
    }
    expect(() => sim.publish({ type: 'bad type', key: 'x', body: {} })).toThrow(TypeError);
    expect(() => sim.publishDataPoint({ streamId: '', data: 1 })).toThrow(/streamId/);
  });

  it('generate() publishes DataPoints at the requested rate until stopped', async () => {
    const l = await listen('DataPoint');
    const stop = sim.generate({ eventsPerSecond: 100, devices: 2 });
    await waitFor(() => l.events().length >= 20, 'generated events');
    stop();
    const published = () => l.m.sent.reduce((n, b) => n + b.events.length, 0) + l.m.pending.length;
    const atStop = published();
    await waitFor(() => l.events().length === atStop, 'events published before stop()');
    await new Promise((r) => setTimeout(r, 250)); // two and a half generator ticks
    expect([published(), l.events().length]).toEqual([atStop, atStop]);
    const streams = new Set(l.events().map((e) => (e.type === 'DataPoint' ? e.payload.streamId.split('/')[0] : '')));
    expect([...streams].sort()).toEqual(['00000000-00000000-00409DFF-FF000000', '00000000-00000000-00409DFF-FF000001']);
    expect(() => sim.generate({ eventsPerSecond: 0 })).toThrow(RangeError);
    expect(() => sim.generate({ eventsPerSecond: 1, devices: 0 })).toThrow(RangeError);
  });

  it('pages like the reference test (pageSize 1: start=0 then start=1)', async () => {
    const client = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retry: false });
    sim.createMonitor({ monTopic: 'A' });
    sim.createMonitor({ monTopic: 'B' });
    const ids: number[] = [];
    for await (const m of client.listMonitors(undefined, { pageSize: 1 })) ids.push(m.id);
    await client.close();
    expect(ids).toEqual([178000, 178001]);
    expect(sim.requests.map((r) => r.url)).toEqual(['/ws/Monitor?start=0&size=1', '/ws/Monitor?start=1&size=1']);
  });

  it('PUT resets an HTTP monitor and re-enables delivery; DELETE stops it', async () => {
    const client = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retry: false });
    const id = await client.createHttpMonitor(['DataPoint'], 'http://127.0.0.1:9/unreachable', { batchSize: 1 });
    expect(sim.monitor(id)!.fields.monStatus).toBe('ACTIVE');
    await client.resetMonitor(id, { monTransportToken: 'u:p' });
    expect(sim.monitor(id)!.fields).toMatchObject({ monTransportToken: 'u:p', monStatus: 'ACTIVE' });
    await client.deleteMonitor(id);
    expect(sim.monitor(id)).toBeUndefined();
    await client.close();
  });
});

describe('simulator REST details', () => {
  const auth = () => ({ Authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}` });

  it('PUT /ws/Monitor with the id in the body resets (as the Ruby gem does)', async () => {
    const m = sim.createMonitor({ monTopic: 'DataPoint' });
    const res = await fetch(`${sim.url}/ws/Monitor`, { method: 'PUT', headers: auth(), body: `<Monitor><monId>${m.id}</monId><monBatchSize>7</monBatchSize></Monitor>` });
    expect([res.status, await res.text()]).toEqual([200, '<?xml version="1.0" encoding="ISO-8859-1"?><result/>']);
    expect(sim.monitor(m.id)!.batchSize).toBe(7);
  });

  it('404 as JSON or XML, 401 with a challenge, 400 for bad values and conditions', async () => {
    const json = await fetch(`${sim.url}/ws/Monitor/12123`, { headers: { ...auth(), Accept: 'application/json' } });
    expect([json.status, await json.json()]).toEqual([404, { error: ["GET Monitor error. Error reading Monitor entity id='12123'"] }]);
    const xml = await fetch(`${sim.url}/ws/Monitor/12123`, { headers: auth() });
    expect(await xml.text()).toBe(`<?xml version="1.0" encoding="ISO-8859-1"?><result><error>GET Monitor error. Error reading Monitor entity id=&apos;12123&apos;</error></result>`);
    const unauth = await fetch(`${sim.url}/ws/Monitor`);
    expect([unauth.status, unauth.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="SecurityRealm"']);
    const bad = await fetch(`${sim.url}/ws/Monitor`, { method: 'POST', headers: auth(), body: '<Monitor><monTopic>DataPoint</monTopic><monBatchSize>x</monBatchSize></Monitor>' });
    expect([bad.status, await bad.text()]).toEqual([400, '<?xml version="1.0" encoding="ISO-8859-1"?><result><error>POST Monitor error. Invalid request. Invalid monBatchSize specified</error></result>']);
    expect((await fetch(`${sim.url}/ws/Monitor?condition=${encodeURIComponent("monId='1")}`, { headers: auth() })).status).toBe(400);
    expect((await fetch(`${sim.url}/ws/Monitor`, { method: 'POST', headers: auth(), body: '<nope' })).status).toBe(400);
    expect((await fetch(`${sim.url}/ws/Monitor`, { method: 'POST', headers: auth(), body: '<Monitor><monTopic>DataPoint</monTopic><monTransportType>http</monTransportType></Monitor>' })).status).toBe(400);
    expect((await fetch(`${sim.url}/ws/Other`, { headers: auth() })).status).toBe(404);
    expect((await fetch(`${sim.url}/ws/DataPoint/x`, { method: 'POST', headers: auth(), body: '<DataPoint><streamUnits>C</streamUnits></DataPoint>' })).status).toBe(400);
    expect((await fetch(`${sim.url}/ws/Monitor`, { method: 'PATCH', headers: auth(), body: '' })).status).toBe(405);
  });
});

describe('condition evaluation', () => {
  const f = { monId: '12', monTopic: 'DataPoint/x', monDescription: "it's", monStatus: 'ACTIVE' };
  it.each([
    ["monId='12'", true],
    ["monId>'9'", true],
    ["monId<'9'", false],
    ["monTopic like 'Data%'", true],
    ["monTopic like 'Data_oint/_'", true],
    ["monDescription='it''s'", true],
    ["monId='1' or monId='12' and monStatus='ACTIVE'", true],
    ["(monId='1' or monId='12') and monStatus='INACTIVE'", false],
    ["missing='x'", false],
    ["MONID='12' AND monStatus='ACTIVE'", false],
  ])('%s → %s', (text, expected) => {
    expect(compileCondition(text)(f)).toBe(expected);
  });
  it('rejects what it cannot read', () => {
    for (const bad of ["monId='1", "monId='1' and", 'monId 1', "(monId='1'", "monId='1')", '#']) expect(() => compileCondition(bad)).toThrow(SyntaxError);
  });
});
