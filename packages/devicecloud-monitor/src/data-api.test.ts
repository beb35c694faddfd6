// Wire shapes follow digidotcom/python-devicecloud (devicecloud/streams.py: create_data_stream's <DataStream>,
// DataStream.read's timeline/order/size/startTime/endTime/pageCursor loop; core.py iter_json_pages' start/size/
// remainingSize); verified against the simulator only.
import { errorCategory, isHttpError } from '@x/http-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceCloudClient } from './client.js';
import { DeviceFields } from './devices.js';
import { DeviceCloudSimulator, renderDocument } from './testing/index.js';

let sim: DeviceCloudSimulator;
let client: DeviceCloudClient;

beforeEach(async () => {
  sim = await DeviceCloudSimulator.start({ secondInMs: 10, pushPort: false, tlsPort: false });
  client = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retry: false });
});
afterEach(async () => {
  await client.close();
  await sim.close();
});

const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const gets = () => sim.requests.filter((r) => r.method === 'GET').map((r) => r.url);
const T0 = Date.UTC(2026, 0, 1);

describe('data streams', () => {
  it('creates a stream with the exact <DataStream> body, gets it back, and lists every stream page by page', async () => {
    expect(await client.createDataStream({ streamId: '/dev1/temp', dataType: 'DOUBLE', units: 'C', description: 'a & b', dataTtl: 60, rollupTtl: 120 })).toBe('dev1/temp');
    const post = sim.requests.at(-1)!;
    expect(post.url).toBe('/ws/DataStream');
    expect(post.body).toBe('<DataStream><streamId>dev1/temp</streamId><dataType>DOUBLE</dataType><units>C</units><description>a &amp; b</description><dataTtl>60</dataTtl><rollupTtl>120</rollupTtl></DataStream>');
    expect(await client.getDataStream('dev1/temp')).toEqual({ streamId: 'dev1/temp', dataType: 'DOUBLE', units: 'C', description: 'a & b', dataTtl: 60, rollupTtl: 120, currentValue: undefined });
    expect(sim.requests.at(-1)!.url).toBe('/ws/DataStream/dev1/temp');
    for (const id of ['dev2/temp', 'dev3/temp']) await client.createDataStream({ streamId: id, dataType: 'LONG' });
    sim.requests.splice(0);
    const streams = await all(client.listDataStreams({ pageSize: 2 }));
    expect(streams.map((s) => [s.streamId, s.dataType, s.dataTtl])).toEqual([['dev1/temp', 'DOUBLE', 60], ['dev2/temp', 'LONG', 172800], ['dev3/temp', 'LONG', 172800]]);
    expect(gets()).toEqual(['/ws/DataStream?start=0&size=2', '/ws/DataStream?start=2&size=2']);
    expect((await all(client.listDataStreams({ condition: "dataType='LONG'" }))).map((s) => s.streamId)).toEqual(['dev2/temp', 'dev3/temp']);
  });

  it('an unknown stream is undefined; bad input names the parameter before any request', async () => {
    expect(await client.getDataStream('nope/x')).toBeUndefined();
    expect(await client.currentValue('nope/x')).toBeUndefined();
    const sent = sim.requests.length;
    await expect(client.createDataStream({ streamId: 'a/b', dataType: 'NUMBER' as never })).rejects.toThrow(new RangeError('stream.dataType must be one of INTEGER, LONG, FLOAT, DOUBLE, STRING, BINARY, JSON, GEOJSON, UNKNOWN'));
    await expect(client.createDataStream({ streamId: 'a/b', dataType: 'LONG', dataTtl: -1 })).rejects.toThrow(new RangeError('stream.dataTtl must be a non-negative integer (seconds)'));
    await expect(client.createDataStream({ streamId: 'a//b', dataType: 'LONG' })).rejects.toThrow(new TypeError('stream.streamId must be a non-empty stream path like "device/temp"'));
    await expect(client.getDataStream('')).rejects.toThrow(new TypeError('streamId must be a non-empty stream path like "device/temp"'));
    await expect(client.getDataStream('a/b', { timeoutInMs: -1 })).rejects.toThrow(RangeError);
    expect(sim.requests.length).toBe(sent);
  });
});

describe('data points', () => {
  beforeEach(async () => {
    await client.writeDataPoints('dev1/n', [0, 1, 2, 3, 4].map((i) => ({ data: i * 10, streamType: 'INTEGER' as const, timestamp: T0 + i * 1000 })));
    sim.requests.splice(0);
  });

  it('reads newest first by default, following pageCursor until a short page, with the exact query', async () => {
    const points = await all(client.readDataPoints('dev1/n', { pageSize: 2 }));
    expect(points.map((p) => p.data)).toEqual(['40', '30', '20', '10', '0']);
    expect(points[0]).toMatchObject({ streamId: 'dev1/n', timestamp: new Date(T0 + 4000), description: '', quality: 0 });
    const urls = gets();
    expect(urls).toHaveLength(3);
    expect(urls[0]).toBe('/ws/DataPoint/dev1/n?timeline=client&order=descending&size=2');
    expect(urls[1]).toBe(`/ws/DataPoint/dev1/n?timeline=client&order=descending&size=2&pageCursor=${points[1]!.id}`);
    expect(urls[2]).toBe(`/ws/DataPoint/dev1/n?timeline=client&order=descending&size=2&pageCursor=${points[3]!.id}`);
  });

  it('reads oldest first between startTime (inclusive) and endTime (exclusive); an exact last page costs one empty request', async () => {
    const points = await all(client.readDataPoints('dev1/n', { order: 'oldest', startTime: new Date(T0 + 1000), endTime: T0 + 3000, pageSize: 2 }));
    expect(points.map((p) => p.data)).toEqual(['10', '20']);
    expect(gets()[0]).toBe('/ws/DataPoint/dev1/n?timeline=client&order=ascending&size=2&startTime=2026-01-01T00%3A00%3A01.000Z&endTime=2026-01-01T00%3A00%3A03.000Z');
    expect(gets()).toHaveLength(2);
  });

  it('current value is the newest point; an unknown stream is a not-found HttpError; bad queries are RangeErrors', async () => {
    expect((await client.currentValue('dev1/n'))?.data).toBe('40');
    const err = await all(client.readDataPoints('dev9/none')).catch((e: unknown) => e);
    expect(isHttpError(err) && err.status).toBe(404);
    expect(errorCategory(err)).toBe('not-found');
    await expect(all(client.readDataPoints('dev1/n', { order: 'up' as never }))).rejects.toThrow(new RangeError('query.order must be "newest" or "oldest"'));
    await expect(all(client.readDataPoints('dev1/n', { pageSize: 0 }))).rejects.toThrow(new RangeError('query.pageSize must be a positive integer'));
    await expect(all(client.readDataPoints('dev1/n', { startTime: new Date('x') }))).rejects.toThrow(new RangeError('query.startTime must be a valid Date or epoch milliseconds'));
    await expect(all(client.readDataPoints('dev1/n', { timeline: 'device' as never }))).rejects.toThrow(new RangeError('query.timeline must be "client" or "server"'));
  });

  it('a LONG above 2^53 written as a bigint is stored and read back digit for digit, and pushed as exact JSON digits', async () => {
    await client.writeDataPoint('dev1/big', { data: 9007199254740993n, streamType: 'LONG' });
    expect((await client.currentValue('dev1/big'))?.data).toBe('9007199254740993');
    expect((await all(client.readDataPoints('dev1/big'))).map((p) => p.data)).toEqual(['9007199254740993']);
    expect((await client.getDataStream('dev1/big'))?.dataType).toBe('LONG');
    await client.writeDataPoint('dev1/big', { data: -9007199254740995n, streamType: 'LONG' });
    expect((await all(client.readDataPoints('dev1/big', { order: 'oldest' }))).map((p) => p.data)).toEqual(['9007199254740993', '-9007199254740995']);
  });

  it('a bigint event renders as bare JSON digits and exact XML text (pushed documents keep the LONG)', () => {
    const event = sim.publishDataPoint({ streamId: 'dev1/big', data: 9007199254740993n });
    expect(event.body.streamType).toBe('LONG');
    expect(renderDocument([event], 'json').toString()).toContain('"data":9007199254740993,');
    expect(renderDocument([event], 'xml').toString()).toContain('<data>9007199254740993</data>');
    const text = sim.publishDataPoint({ streamId: 'dev1/s', data: '12345678901234567890' });
    expect(renderDocument([text, event], 'json').toString()).toMatch(/"data":"12345678901234567890",.*"data":9007199254740993,/);
  });
});

describe('DeviceCore lookup', () => {
  beforeEach(() => {
    sim.addDevice({ devId: 11, devConnectwareId: '00000000-00000000-00409DFF-FF000001', grpPath: 'Staging', dpTags: 'roof,north', dpConnectionStatus: 1 });
    sim.addDevice({ devId: 12, devConnectwareId: '00000000-00000000-00409DFF-FF000002', grpPath: 'Prod', dpConnectionStatus: 0 });
    sim.addDevice({ devId: 13, devConnectwareId: '00000000-00000000-00409DFF-FF000003', grpPath: 'Staging', dpTags: 'cellar' });
  });

  it('gets a device by its device id with a devConnectwareId condition', async () => {
    const d = await client.getDevice('00000000-00000000-00409DFF-FF000001');
    expect(d).toMatchObject({ devId: 11, deviceId: '00000000-00000000-00409DFF-FF000001', group: 'Staging', tags: ['roof', 'north'], connected: true, terminated: false });
    expect(gets().at(-1)).toBe("/ws/DeviceCore?condition=devConnectwareId%3D%2700000000-00000000-00409DFF-FF000001%27&start=0&size=1");
    expect(await client.getDevice('00000000-00000000-00409DFF-FFFFFFFF')).toBeUndefined();
    await expect(client.getDevice('')).rejects.toThrow(new TypeError('deviceId must be a non-empty string'));
  });

  it('gets a device by its inventory id (GET /ws/DeviceCore/{devId}); 404 is undefined; a bad id is a RangeError', async () => {
    expect(await client.getDeviceById(12)).toMatchObject({ devId: 12, deviceId: '00000000-00000000-00409DFF-FF000002', group: 'Prod', tags: [], connected: false });
    expect(gets().at(-1)).toBe('/ws/DeviceCore/12');
    expect(await client.getDeviceById(99)).toBeUndefined();
    await expect(client.getDeviceById(-1)).rejects.toThrow(new RangeError('devId must be a non-negative integer'));
  });

  it('lists by group and by tag, paging with start/size, and sees devices a DeviceCore event changed', async () => {
    expect((await all(client.listDevices(DeviceFields.grpPath.eq('Staging'), { pageSize: 1 }))).map((d) => d.devId)).toEqual([11, 13]);
    expect(gets().slice(-2)).toEqual(["/ws/DeviceCore?condition=grpPath%3D%27Staging%27&start=0&size=1", "/ws/DeviceCore?condition=grpPath%3D%27Staging%27&start=1&size=1"]);
    expect((await all(client.listDevices(DeviceFields.dpTags.like('%cellar%')))).map((d) => d.devId)).toEqual([13]);
    sim.publishDeviceCore({ devId: 12, devConnectwareId: '00000000-00000000-00409DFF-FF000002', dpConnectionStatus: 1 });
    expect((await client.getDevice('00000000-00000000-00409DFF-FF000002'))?.connected).toBe(true);
    expect((await all(client.listDevices())).length).toBe(3);
    await expect(all(client.listDevices({} as never))).rejects.toThrow(new TypeError('condition must be a string or a Condition'));
  });
});
