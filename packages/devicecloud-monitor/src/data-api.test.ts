// Wire shapes follow digidotcom/python-devicecloud (devicecloud/streams.py: create_data_stream's <DataStream>,
// DataStream.read's timeline/order/size/startTime/endTime/pageCursor loop; core.py iter_json_pages' start/size/
// remainingSize); verified against the simulator only. Roll-ups and deletes: read()'s rollupInterval/rollupMethod/
// timezone, from_rollup_json's epoch-ms timestamp and float data, DataStream.delete, delete_datapoint,
// delete_datapoints_in_time_range; the bucket alignment is the simulator's (UTC, weeks from Monday).
import { errorCategory, isHttpError } from '@x/http-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceCloudClient } from './client.js';
import { closeRestFixture, collect, startRestFixture } from './rest-test-support.js';
import type { RollupQuery } from './data-rollups.js';
import { DeviceFields } from './devices.js';
import type { DeviceCloudSimulator} from './testing/index.js';
import { renderDocument } from './testing/index.js';

let sim: DeviceCloudSimulator;
let client: DeviceCloudClient;

beforeEach(async () => ({ sim, client } = await startRestFixture()));
afterEach(() => closeRestFixture({ sim, client }));

const gets = () => sim.requests.filter((r) => r.method === 'GET').map((r) => r.url);
const T0 = Date.UTC(2026, 0, 1); // a Thursday

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
    const streams = await collect(client.listDataStreams({ pageSize: 2 }));
    expect(streams.map((s) => [s.streamId, s.dataType, s.dataTtl])).toEqual([['dev1/temp', 'DOUBLE', 60], ['dev2/temp', 'LONG', 172800], ['dev3/temp', 'LONG', 172800]]);
    expect(gets()).toEqual(['/ws/DataStream?start=0&size=2', '/ws/DataStream?start=2&size=2']);
    expect((await collect(client.listDataStreams({ condition: "dataType='LONG'" }))).map((s) => s.streamId)).toEqual(['dev2/temp', 'dev3/temp']);
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
    const points = await collect(client.readDataPoints('dev1/n', { pageSize: 2 }));
    expect(points.map((p) => p.data)).toEqual(['40', '30', '20', '10', '0']);
    expect(points[0]).toMatchObject({ streamId: 'dev1/n', timestamp: new Date(T0 + 4000), description: '', quality: 0 });
    const urls = gets();
    expect(urls).toHaveLength(3);
    expect(urls[0]).toBe('/ws/DataPoint/dev1/n?timeline=client&order=descending&size=2');
    expect(urls[1]).toBe(`/ws/DataPoint/dev1/n?timeline=client&order=descending&size=2&pageCursor=${points[1]!.id}`);
    expect(urls[2]).toBe(`/ws/DataPoint/dev1/n?timeline=client&order=descending&size=2&pageCursor=${points[3]!.id}`);
  });

  it('reads oldest first between startTime (inclusive) and endTime (exclusive); an exact last page costs one empty request', async () => {
    const points = await collect(client.readDataPoints('dev1/n', { order: 'oldest', startTime: new Date(T0 + 1000), endTime: T0 + 3000, pageSize: 2 }));
    expect(points.map((p) => p.data)).toEqual(['10', '20']);
    expect(gets()[0]).toBe('/ws/DataPoint/dev1/n?timeline=client&order=ascending&size=2&startTime=2026-01-01T00%3A00%3A01.000Z&endTime=2026-01-01T00%3A00%3A03.000Z');
    expect(gets()).toHaveLength(2);
  });

  it('current value is the newest point; an unknown stream is a not-found HttpError; bad queries are RangeErrors', async () => {
    expect((await client.currentValue('dev1/n'))?.data).toBe('40');
    const err = await collect(client.readDataPoints('dev9/none')).catch((e: unknown) => e);
    expect(isHttpError(err) && err.status).toBe(404);
    expect(errorCategory(err)).toBe('not-found');
    await expect(collect(client.readDataPoints('dev1/n', { order: 'up' as never }))).rejects.toThrow(new RangeError('query.order must be "newest" or "oldest"'));
    await expect(collect(client.readDataPoints('dev1/n', { pageSize: 0 }))).rejects.toThrow(new RangeError('query.pageSize must be a positive integer'));
    await expect(collect(client.readDataPoints('dev1/n', { startTime: new Date('x') }))).rejects.toThrow(new RangeError('query.startTime must be a valid Date or epoch milliseconds'));
    await expect(collect(client.readDataPoints('dev1/n', { timeline: 'device' as never }))).rejects.toThrow(new RangeError('query.timeline must be "client" or "server"'));
  });

  it('a LONG above 2^53 written as a bigint is stored and read back digit for digit, and pushed as exact JSON digits', async () => {
    await client.writeDataPoint('dev1/big', { data: 9007199254740993n, streamType: 'LONG' });
    expect((await client.currentValue('dev1/big'))?.data).toBe('9007199254740993');
    expect((await collect(client.readDataPoints('dev1/big'))).map((p) => p.data)).toEqual(['9007199254740993']);
    expect((await client.getDataStream('dev1/big'))?.dataType).toBe('LONG');
    await client.writeDataPoint('dev1/big', { data: -9007199254740995n, streamType: 'LONG' });
    expect((await collect(client.readDataPoints('dev1/big', { order: 'oldest' }))).map((p) => p.data)).toEqual(['9007199254740993', '-9007199254740995']);
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
    expect((await collect(client.listDevices(DeviceFields.grpPath.eq('Staging'), { pageSize: 1 }))).map((d) => d.devId)).toEqual([11, 13]);
    expect(gets().slice(-2)).toEqual(["/ws/DeviceCore?condition=grpPath%3D%27Staging%27&start=0&size=1", "/ws/DeviceCore?condition=grpPath%3D%27Staging%27&start=1&size=1"]);
    expect((await collect(client.listDevices(DeviceFields.dpTags.like('%cellar%')))).map((d) => d.devId)).toEqual([13]);
    sim.publishDeviceCore({ devId: 12, devConnectwareId: '00000000-00000000-00409DFF-FF000002', dpConnectionStatus: 1 });
    expect((await client.getDevice('00000000-00000000-00409DFF-FF000002'))?.connected).toBe(true);
    expect((await collect(client.listDevices())).length).toBe(3);
    await expect(collect(client.listDevices({} as never))).rejects.toThrow(new TypeError('condition must be a string or a Condition'));
  });
});

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('bulk writes', () => {
  it('posts at most 250 points per request (python-devicecloud\'s chunk), in order, and checks every point before the first request', async () => {
    const points = Array.from({ length: 501 }, (_, i) => ({ data: i, streamType: 'INTEGER' as const, timestamp: T0 + i }));
    const written = await client.writeDataPoints('dev/bulk', points);
    const posts = sim.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => (r.body.match(/<DataPoint>/g) ?? []).length)).toEqual([250, 250, 1]);
    expect(posts[2]!.body).toBe(`<DataPoint><data>500</data><streamType>INTEGER</streamType><timestamp>${new Date(T0 + 500).toISOString()}</timestamp></DataPoint>`);
    expect(written).toHaveLength(501);
    const stored = sim.data.streams.get('dev/bulk')!.points;
    expect(written.map((w) => w.id)).toEqual(stored.map((p) => p.id));
    expect(stored.map((p) => p.data)).toEqual(points.map((p) => String(p.data)));
    sim.requests.splice(0);
    await expect(client.writeDataPoints('dev/bulk', [...points.slice(0, 300), { data: Number.NaN }])).rejects.toThrow(new RangeError('points[300].data must be a finite number'));
    expect(sim.requests).toEqual([]);
  });
});

describe('roll-ups', () => {
  beforeEach(async () => {
    const points: Array<[number, number]> = [[0, 1], [10 * MIN, 2], [40 * MIN, 4], [70 * MIN, 8], [25 * 60 * MIN, 16]];
    await client.writeDataPoints('dev/r', points.map(([at, data]) => ({ data, streamType: 'DOUBLE' as const, timestamp: T0 + at })));
  });
  const roll = async (query: RollupQuery) => (await collect(client.readRollups('dev/r', { order: 'oldest', ...query }))).map((p) => [iso(p.timestamp.getTime()), p.data]);

  it('aggregates per bucket with every method, oldest or newest first', async () => {
    expect(await roll({ interval: 'hour' })).toEqual([[iso(T0), 7 / 3], [iso(T0 + 60 * MIN), 8], [iso(T0 + 25 * 60 * MIN), 16]]);
    expect(await roll({ interval: 'half', method: 'sum' })).toEqual([[iso(T0), 3], [iso(T0 + 30 * MIN), 4], [iso(T0 + 60 * MIN), 8], [iso(T0 + 25 * 60 * MIN), 16]]);
    expect(await roll({ interval: 'day', method: 'count', order: 'newest' })).toEqual([[iso(T0 + 24 * 60 * MIN), 1], [iso(T0), 4]]);
    expect(await roll({ interval: 'week', method: 'max' })).toEqual([[iso(Date.UTC(2025, 11, 29)), 16]]);
    expect(await roll({ interval: 'month', method: 'min' })).toEqual([[iso(T0), 1]]);
    expect(await roll({ interval: 'hour', method: 'standarddev', endTime: T0 + 60 * MIN })).toEqual([[iso(T0), Math.sqrt(14) / 3]]);
    const [point] = await collect(client.readRollups('dev/r', { interval: 'month' }));
    expect(point).toEqual({ streamId: 'dev/r', timestamp: new Date(T0), data: 31 / 5 });
  });

  it('sends the interval, method and timezone with the read query and pages by pageCursor', async () => {
    sim.requests.splice(0);
    expect(await roll({ interval: 'half', method: 'sum', pageSize: 2 })).toHaveLength(4);
    const urls = sim.requests.map((r) => decodeURIComponent(r.url));
    expect(urls).toEqual([
      '/ws/DataPoint/dev/r?timeline=client&order=ascending&size=2&rollupInterval=half&rollupMethod=sum',
      `/ws/DataPoint/dev/r?timeline=client&order=ascending&size=2&rollupInterval=half&rollupMethod=sum&pageCursor=${T0 + 30 * MIN}`,
      `/ws/DataPoint/dev/r?timeline=client&order=ascending&size=2&rollupInterval=half&rollupMethod=sum&pageCursor=${T0 + 25 * 60 * MIN}`,
    ]);
    expect(await roll({ interval: 'day', timezone: 'UTC' })).toHaveLength(2);
    expect(decodeURIComponent(sim.requests.at(-1)!.url)).toBe('/ws/DataPoint/dev/r?timeline=client&order=ascending&size=1000&rollupInterval=day&rollupMethod=average&timezone=UTC');
  });

  it('timezone moves day, week and month boundaries to local midnight (DST included); an unknown zone is a 400', async () => {
    expect(await roll({ interval: 'day', method: 'count', timezone: 'America/New_York' })).toEqual([['2025-12-31T05:00:00.000Z', 4], ['2026-01-01T05:00:00.000Z', 1]]);
    expect(await roll({ interval: 'month', method: 'max', timezone: 'America/New_York' })).toEqual([['2025-12-01T05:00:00.000Z', 8], ['2026-01-01T05:00:00.000Z', 16]]);
    expect(await roll({ interval: 'hour', method: 'count', timezone: 'America/New_York', endTime: T0 + 60 * MIN })).toEqual([[iso(T0), 3]]);
    // Berlin switches to summer time at 02:00 on 29 March 2026: that day began at 23:00 UTC the day before (+1), not 22:00 (+2)
    await client.writeDataPoint('dev/berlin', { data: 1, streamType: 'INTEGER', timestamp: Date.UTC(2026, 2, 29, 12) });
    const [day] = await collect(client.readRollups('dev/berlin', { interval: 'day', timezone: 'Europe/Berlin' }));
    expect(day?.timestamp.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    const err = await collect(client.readRollups('dev/r', { interval: 'day', timezone: 'Mars/Olympus' })).catch((e: unknown) => e);
    expect(isHttpError(err) && [err.status, err.vendor?.message]).toEqual([400, 'GET DataPoint error. Invalid timezone parameter']);
  });

  it('text streams only count; bad input names the parameter before any request', async () => {
    await client.writeDataPoint('dev/text', { data: 'open', streamType: 'STRING', timestamp: T0 });
    expect((await collect(client.readRollups('dev/text', { interval: 'day', method: 'count' }))).map((p) => p.data)).toEqual([1]);
    const err = await collect(client.readRollups('dev/text', { interval: 'day' })).catch((e: unknown) => e);
    expect(isHttpError(err) && [err.status, err.vendor?.message]).toEqual([400, 'GET DataPoint error. Rollups only support numerical DataPoints']);
    const sent = sim.requests.length;
    await expect(collect(client.readRollups('dev/r', { interval: 'minute' as never }))).rejects.toThrow(new RangeError('query.interval must be one of half, hour, day, week, month'));
    await expect(collect(client.readRollups('dev/r', { interval: 'day', method: 'median' as never }))).rejects.toThrow(new RangeError('query.method must be one of sum, average, min, max, count, standarddev'));
    await expect(collect(client.readRollups('dev/r', { interval: 'day', timezone: '' }))).rejects.toThrow(new TypeError('query.timezone must be a non-empty string'));
    await expect(collect(client.readRollups('dev/r', { interval: 'day', pageSize: 0 }))).rejects.toThrow(new RangeError('query.pageSize must be a positive integer'));
    expect(sim.requests.length).toBe(sent);
  });
});

describe('deleting streams and points', () => {
  it('deletes one point by id, a device-time range, every point, then the stream; false once gone', async () => {
    const written = await client.writeDataPoints('dev/d', [0, 1, 2, 3].map((i) => ({ data: i, streamType: 'INTEGER' as const, timestamp: T0 + i * 1000 })));
    const data = async () => (await collect(client.readDataPoints('dev/d', { order: 'oldest' }))).map((p) => p.data);
    expect(await client.deleteDataPoint('dev/d', written[1]!.id)).toBe(true);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'DELETE', url: `/ws/DataPoint/dev/d/${written[1]!.id}` });
    expect(await data()).toEqual(['0', '2', '3']);
    expect(await client.deleteDataPoint('dev/d', written[1]!.id)).toBe(false);
    expect(await client.deleteDataPoints('dev/d', { startTime: T0 + 2000, endTime: new Date(T0 + 3000) })).toBe(true);
    expect(decodeURIComponent(sim.requests.at(-1)!.url)).toBe(`/ws/DataPoint/dev/d?startTime=${iso(T0 + 2000)}&endTime=${iso(T0 + 3000)}`);
    expect(await data()).toEqual(['0', '3']);
    expect(await client.deleteDataPoints('dev/d')).toBe(true);
    expect(sim.requests.at(-1)!.url).toBe('/ws/DataPoint/dev/d');
    expect(await data()).toEqual([]);
    expect(await client.deleteDataStream('dev/d')).toBe(true);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'DELETE', url: '/ws/DataStream/dev/d' });
    expect(await client.getDataStream('dev/d')).toBeUndefined();
    expect(await client.deleteDataStream('dev/d')).toBe(false);
    expect(await client.deleteDataPoints('dev/d')).toBe(false);
    const err = await collect(client.readDataPoints('dev/d')).catch((e: unknown) => e);
    expect(errorCategory(err)).toBe('not-found');
  });

  it('bad input names the parameter before any request', async () => {
    await expect(client.deleteDataStream('a//b')).rejects.toThrow(new TypeError('streamId must be a non-empty stream path like "device/temp"'));
    await expect(client.deleteDataPoint('a/b', 'x/y')).rejects.toThrow(new TypeError('pointId must be a non-empty id without "/"'));
    await expect(client.deleteDataPoints('a/b', { endTime: Number.NaN })).rejects.toThrow(new RangeError('range.endTime must be a valid Date or epoch milliseconds'));
    await expect(client.deleteDataPoints('a/b', {}, { timeoutInMs: -1 })).rejects.toThrow(RangeError);
    expect(sim.requests).toEqual([]);
  });
});
