import { afterEach, describe, expect, it } from 'vitest';
import { AverageClient, parseAverageRows } from './average.js';
import { SeplConnector } from './client.js';
import { GRANULARITIES } from './granularity.js';
import { MemoryDeviceStore } from './memory-store.js';
import { startSeplSimulator } from './testing/simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const NOW = Date.parse('2016-12-06T13:30:00.000Z');

async function setup() {
  const sim = await startSeplSimulator({ now: () => NOW });
  cleanup.push(() => sim.close());
  const client = new AverageClient({ baseUrl: sim.url });
  cleanup.push(() => client.close());
  return { sim, client };
}

describe('average query', () => {
  it('parses the example answer of the platform README and sorts it ascending', () => {
    // the two rows of the README example (SENERGY-Platform/client-connector-lib@2adec56, Apache-2.0)
    const rows = parseAverageRows([
      { time_stamp: '2016-12-06T13:00:00.000Z', result: 6.1011, data_points: 53 },
      { time_stamp: '2016-11-29T12:00:00.000Z', result: 6.0534, data_points: 1652 },
    ]);
    expect(rows).toEqual([
      { time_stamp: new Date('2016-11-29T12:00:00.000Z'), result: 6.0534, data_points: 1652 },
      { time_stamp: new Date('2016-12-06T13:00:00.000Z'), result: 6.1011, data_points: 53 },
    ]);
  });

  it.each([
    [{}, 'average answer is not a JSON array'],
    [[null], 'average row is not an object'],
    [[{ result: 1, data_points: 1 }], 'average row without time_stamp'],
    [[{ time_stamp: 'yesterday', result: 1, data_points: 1 }], "average row has an invalid time_stamp 'yesterday'"],
    [[{ time_stamp: '2016-12-06T13:00:00.000Z', result: '1', data_points: 1 }], 'average row result is not a number'],
    [[{ time_stamp: '2016-12-06T13:00:00.000Z', result: 1, data_points: 1.5 }], 'average row data_points is not a whole number'],
  ])('rejects bad rows %j with a protocol error', (body, message) => {
    expect(() => parseAverageRows(body)).toThrow(message);
    try {
      parseAverageRows(body);
    } catch (err) {
      expect((err as { name: string; kind: string; rawPreview: string }).name).toBe('SeplProtocolError');
      expect((err as { kind: string }).kind).toBe('ProtocolError');
      expect((err as { rawPreview: string }).rawPreview).toBe(JSON.stringify(body));
    }
  });

  it('queries every granularity against the simulator', async () => {
    const { sim, client } = await setup();
    const id = 'iot#e17a0000-0000-4000-8000-000000000001';
    sim.addDataPoint(id, 4, Date.parse('2016-12-06T13:05:10.000Z'));
    sim.addDataPoint(id, 8, Date.parse('2016-12-06T13:20:40.000Z'));
    sim.addDataPoint(id, 3, Date.parse('2016-11-29T12:00:00.000Z'));
    const expected: Record<string, Array<[string, number, number]>> = {
      all: [['2016-11-29T12:00:00.000Z', 5, 3]],
      second: [
        ['2016-11-29T12:00:00.000Z', 3, 1],
        ['2016-12-06T13:05:10.000Z', 4, 1],
        ['2016-12-06T13:20:40.000Z', 8, 1],
      ],
      minute: [
        ['2016-11-29T12:00:00.000Z', 3, 1],
        ['2016-12-06T13:05:00.000Z', 4, 1],
        ['2016-12-06T13:20:00.000Z', 8, 1],
      ],
      fifteen_minute: [
        ['2016-11-29T12:00:00.000Z', 3, 1],
        ['2016-12-06T13:00:00.000Z', 4, 1],
        ['2016-12-06T13:15:00.000Z', 8, 1],
      ],
      thirty_minute: [
        ['2016-11-29T12:00:00.000Z', 3, 1],
        ['2016-12-06T13:00:00.000Z', 6, 2],
      ],
      hour: [
        ['2016-11-29T12:00:00.000Z', 3, 1],
        ['2016-12-06T13:00:00.000Z', 6, 2],
      ],
      day: [
        ['2016-11-29T00:00:00.000Z', 3, 1],
        ['2016-12-06T00:00:00.000Z', 6, 2],
      ],
      week: [
        ['2016-11-28T00:00:00.000Z', 3, 1],
        ['2016-12-05T00:00:00.000Z', 6, 2],
      ],
      month: [
        ['2016-11-01T00:00:00.000Z', 3, 1],
        ['2016-12-01T00:00:00.000Z', 6, 2],
      ],
      quarter: [['2016-10-01T00:00:00.000Z', 5, 3]],
      year: [['2016-01-01T00:00:00.000Z', 5, 3]],
    };
    for (const granularity of GRANULARITIES) {
      const rows = await client.average(id, { granularity });
      expect(rows.map((r) => [r.time_stamp.toISOString(), r.result, r.data_points]), granularity).toEqual(expected[granularity]);
    }
    // without granularity the service uses `all`
    expect((await client.average(id)).map((r) => r.data_points)).toEqual([3]);
  });

  it('limits the rows to the time window', async () => {
    const { sim, client } = await setup();
    sim.addDataPoint('dev', 10, NOW - 45_000);
    sim.addDataPoint('dev', 20, NOW - 20 * 60_000);
    sim.addDataPoint('dev', 30, NOW - 11 * 3_600_000);
    sim.addDataPoint('dev', 40, NOW - 13 * 3_600_000);
    const sum = async (timeWindow: '45s' | '30m' | '12h') => (await client.average('dev', { timeWindow })).map((r) => [r.result, r.data_points]);
    expect(await sum('45s')).toEqual([[10, 1]]);
    expect(await sum('30m')).toEqual([[15, 2]]);
    expect(await sum('12h')).toEqual([[20, 3]]);
    expect(await client.average('unknown', { granularity: 'hour', timeWindow: '12h' })).toEqual([]);
  });

  it('averages the events a connector sent, by local and platform id', async () => {
    const sim = await startSeplSimulator({ users: { u: 'p' } });
    cleanup.push(() => sim.close());
    const connector = new SeplConnector({ url: sim.websocketUrl, user: 'u', password: 'p', store: new MemoryDeviceStore([{ id: 'meter', type: 'iot#t', name: 'Meter' }]) });
    cleanup.push(() => connector.close());
    const info = await connector.start();
    for (const value of ['1', '2', '6']) await connector.event('meter', 'reading', { metadata: '', data: value });
    const client = new AverageClient({ baseUrl: sim.url });
    cleanup.push(() => client.close());
    expect((await client.average('meter')).map((r) => [r.result, r.data_points])).toEqual([[3, 3]]);
    const platformId = sim.gateways.get(info.gatewayId!)!.devices.get('meter')!.platformId;
    expect((await client.average(platformId, { granularity: 'day' })).map((r) => [r.result, r.data_points])).toEqual([[3, 3]]);
  });

  it('validates its input before sending anything', async () => {
    const { client } = await setup();
    await expect(client.average('', {})).rejects.toThrow(new TypeError('deviceId must be a non-empty string'));
    await expect(client.average('d', { granularity: 'none' as 'all' })).rejects.toThrow(RangeError);
    await expect(client.average('d', { timeWindow: '12d' as '12h' })).rejects.toThrow('query.timeWindow must be a positive whole number');
    expect(() => new AverageClient({ baseUrl: 'ws://x/' })).toThrow('options.baseUrl must be an http: or https: URL');
    // the shared option validators: a duration a timer cannot hold is a RangeError naming it
    expect(() => new AverageClient({ baseUrl: 'http://x/', timeoutInMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => new AverageClient({ baseUrl: 'http://x/', timeoutInMs: 2 ** 31 })).toThrow('options.timeoutInMs');
    await expect(client.average('d', { deadlineInMs: -1 })).rejects.toThrow('average() query.deadlineInMs');
  });

  it('reports a server-side rejection as an HttpError', async () => {
    const { sim } = await setup();
    const raw = await fetch(`${sim.url}devices/x/average?granularity=none`);
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: 'granularity must be one of all, second, minute, fifteen_minute, thirty_minute, hour, day, week, month, quarter, year' });
    const client = new AverageClient({ baseUrl: `${sim.url}nothing-here/` });
    cleanup.push(() => client.close());
    await expect(client.average('x')).rejects.toMatchObject({ name: 'HttpError', status: 404 });
  });
});
