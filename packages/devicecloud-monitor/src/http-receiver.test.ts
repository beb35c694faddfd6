// HTTP delivery shape per digidotcom/xbeewificloudkit @ cc37a84 (MonitorReceiverTest: PUT, Basic token,
// JSON Document.Msg) and digidotcom/function-drm-monitor @ 86fbe28 (PUT or POST, Msg object or array);
// see specs/devicecloud.md §B.9.
import { inspect } from 'node:util';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitorEvent } from './events.js';
import { startMonitorReceiver, type DeliveryInfo, type MonitorReceiver } from './http-receiver.js';
import { DeviceCloudSimulator } from './testing/index.js';

let receiver: MonitorReceiver;
let received: Array<{ events: MonitorEvent[]; info: DeliveryInfo }>;
let failNext = 0;
let errors: unknown[];
const auth = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

beforeEach(async () => {
  received = [];
  errors = [];
  failNext = 0;
  receiver = await startMonitorReceiver({
    username: 'hook',
    password: 's3cret:with:colons',
    path: '/monitor',
    maxBodyBytes: 4096,
    maxInflatedBytes: 8192,
    handler: (events, info) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('not now');
      }
      received.push({ events, info });
    },
    onError: (e) => errors.push(e),
  });
});
afterEach(async () => {
  await receiver.close();
});

const put = (body: string | Buffer, headers: Record<string, string> = {}, method = 'PUT', url = receiver.url) =>
  fetch(url, { method, headers: { Authorization: auth('hook', 's3cret:with:colons'), ...headers }, body });

const single = JSON.stringify({
  Document: {
    Msg: {
      timestamp: '2014-06-24T18:30:30.000Z',
      topic: '7603/DataPoint/dev/temp',
      operation: 'INSERTION',
      group: '*',
      DataPoint: { id: 'a', cstId: 7603, streamId: 'dev/temp', data: 21, timestamp: 1, serverTimestamp: 2, quality: 0, streamType: 'INTEGER' },
    },
  },
});

describe('HTTP monitor receiver', () => {
  it('accepts a JSON PUT with one Msg object and answers 200 after the handler', async () => {
    const res = await put(single, { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]!.events).toEqual([
      {
        topic: '7603/DataPoint/dev/temp',
        operation: 'INSERTION',
        timestamp: '2014-06-24T18:30:30.000Z',
        group: '*',
        replay: false,
        type: 'DataPoint',
        payload: { id: 'a', cstId: 7603, streamId: 'dev/temp', data: 21, timestamp: 1, serverTimestamp: 2, quality: 0, streamType: 'INTEGER' },
      },
    ]);
    expect(received[0]!.info).toMatchObject({ method: 'PUT', format: 'json', compressed: false });
    expect(received[0]!.info.headers.authorization).toBeUndefined();
  });

  it('accepts POST, deflate bodies, XML with a Msg array, and empty keep-alive documents', async () => {
    const xml =
      '<Document><Msg topic="1/FileData/db/a/b.txt" operation="create" timestamp="t1" replay="true"><FileData><id><fdPath>/db/a/</fdPath><fdName>b.txt</fdName></id><cstId>1</cstId><fdSize>5</fdSize><fdArchive>false</fdArchive></FileData></Msg>' +
      '<Msg topic="1/Alarm/7" operation="update" timestamp="t2"><Alarm><almId>7</almId></Alarm></Msg></Document>';
    const res = await put(deflateSync(xml), { 'Content-Type': 'text/xml', 'Content-Encoding': 'deflate' }, 'POST');
    expect(res.status).toBe(200);
    expect(received[0]!.info).toMatchObject({ method: 'POST', format: 'xml', compressed: true });
    expect(received[0]!.events).toEqual([
      {
        topic: '1/FileData/db/a/b.txt',
        operation: 'create',
        timestamp: 't1',
        replay: true,
        type: 'FileData',
        payload: { id: { fdPath: '/db/a/', fdName: 'b.txt' }, cstId: 1, fdSize: 5, fdArchive: false },
      },
      { topic: '1/Alarm/7', operation: 'update', timestamp: 't2', replay: false, type: 'other', resource: 'Alarm', payload: { almId: '7' } },
    ]);
    expect((await put('{"Document":{}}')).status).toBe(200);
    expect((await put(deflateSync(single))).status).toBe(200); // sniffed zlib without a header
    expect(received).toHaveLength(2);
  });

  it('rejects with the right statuses', async () => {
    expect((await fetch(receiver.url)).status).toBe(405);
    expect((await fetch(receiver.url, { method: 'DELETE' })).headers.get('allow')).toBe('PUT, POST');
    expect((await put(single, {}, 'PUT', receiver.url.replace('/monitor', '/other'))).status).toBe(404);
    expect((await fetch(receiver.url, { method: 'PUT', body: single })).status).toBe(401);
    const wrong = await fetch(receiver.url, { method: 'PUT', body: single, headers: { Authorization: auth('hook', 'nope') } });
    expect([wrong.status, wrong.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="monitor"']);
    expect((await put('x'.repeat(5000))).status).toBe(413);
    expect((await put(deflateSync(`{"Document":{"Msg":"${'a'.repeat(20000)}"}}`), { 'Content-Encoding': 'deflate' })).status).toBe(413);
    expect((await put(Buffer.from([0x78, 0x9c, 1, 2, 3]), { 'Content-Encoding': 'deflate' })).status).toBe(400);
    expect((await put(single, { 'Content-Encoding': 'br' })).status).toBe(415);
    expect((await put('hello', { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await put('{"Document":', { 'Content-Type': 'application/json' })).status).toBe(400);
    expect((await put('{"nope":1}')).status).toBe(400);
    failNext = 1;
    expect((await put(single)).status).toBe(503);
    expect(received).toHaveLength(0);
    expect(errors.length).toBeGreaterThanOrEqual(10);
    expect(errors.some((e) => e instanceof Error && e.message === 'not now')).toBe(true);
    expect(JSON.stringify(errors.map(String))).not.toContain('s3cret');
  });

  it('scrubs the transport token (and its Basic credential) from every error preview, message and inspect', async () => {
    const token = 's3cret:with:colons';
    const basic = Buffer.from(`hook:${token}`).toString('base64');
    // A sender echoing the token in a broken body, a compressed body, a URL and a non-monitor document.
    expect((await put(`{"Document":{"Msg":"${token}" ${basic}`, { 'Content-Type': 'application/json' })).status).toBe(400);
    expect((await put(`<Document><Msg>${token}</Msg><Msg>${basic}`, { 'Content-Type': 'text/xml' })).status).toBe(400);
    expect((await put(`{"note":"${token}"}`)).status).toBe(400);
    expect((await put(Buffer.concat([Buffer.from([0x78, 0x9c]), Buffer.from(token)]), { 'Content-Encoding': 'deflate' })).status).toBe(400);
    expect((await put(single, {}, 'PATCH', `${receiver.url}?t=${encodeURIComponent(token)}&u=${token}`)).status).toBe(405);
    expect(errors).toHaveLength(5);
    for (const err of errors) {
      const all = `${inspect(err, { depth: 5, showHidden: true })} ${JSON.stringify(err)} ${String(err)} ${(err as { rawPreview?: string }).rawPreview ?? ''}`;
      expect(all).not.toContain(token);
      expect(all).not.toContain(basic);
      expect(all).not.toContain('s3cret');
    }
    expect((errors[0] as { rawPreview: string }).rawPreview).toContain('[REDACTED]');
    expect(inspect(receiver, { depth: 5, showHidden: true })).not.toContain('s3cret');
  });

  it('receives the simulator HTTP monitor deliveries, which retry until the handler succeeds', async () => {
    const sim = await DeviceCloudSimulator.start({ secondInMs: 5, httpRetryDelayInMs: 10 });
    try {
      failNext = 2;
      const m = sim.createMonitor({
        monTopic: 'DataPoint',
        monTransportType: 'http',
        monTransportUrl: receiver.url,
        monTransportToken: 'hook:s3cret:with:colons',
        monTransportMethod: 'POST',
        monTransportHeaders: 'x-api-key: k1',
        monBatchSize: '2',
        monBatchDuration: '0',
        monCompression: 'zlib',
      });
      sim.publishDataPoint({ streamId: 's', data: 1 });
      sim.publishDataPoint({ streamId: 's', data: 2 });
      sim.publishDataPoint({ streamId: 's', data: 3 });
      const end = Date.now() + 15_000; // generous for loaded CI machines
      // The simulator records a delivery when its response arrives, after our handler ran.
      while ((received.flatMap((r) => r.events).length < 3 || sim.deliveries.length < 4) && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(received.flatMap((r) => r.events.map((e) => (e.type === 'DataPoint' ? e.payload.data : null)))).toEqual([1, 2, 3]);
      expect(received[0]!.info).toMatchObject({ method: 'POST', compressed: true, format: 'json' });
      expect(received[0]!.info.headers['x-api-key']).toBe('k1');
      expect(sim.deliveries.map((d) => [d.blockId, d.status])).toEqual([
        [0, 503],
        [0, 503],
        [0, 200],
        [1, 200],
      ]);
      expect(sim.monitor(m.id)!.fields.monStatus).toBe('ACTIVE');
    } finally {
      await sim.close();
    }
  });

  it('validates options', async () => {
    await expect(startMonitorReceiver({ handler: 1 as never })).rejects.toThrow(/handler/);
    await expect(startMonitorReceiver({ handler: () => undefined, username: 'a' })).rejects.toThrow(/password/);
    await expect(startMonitorReceiver({ handler: () => undefined, maxBodyBytes: 0 })).rejects.toThrow(/maxBodyBytes/);
  });
});
