// The history path and its start_time/end_time/size/cursor parameters are Digi's (doc-remotemanager.digi.com
// /api/v1-monitors); the answer's v1 envelope is verified against the simulator only (see monitor-history.ts).
import { errorCategory, isHttpError } from '@x/http-core';
import { createTestClock } from '@x/http-core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceCloudClient } from './client.js';
import { closeRestFixture, collect, startRestFixtureAt } from './rest-test-support.js';
import { DedupeWindow } from './dedupe-window.js';
import { eventKey } from './event-key.js';
import type { MonitorEvent } from './events.js';
import { historyPage } from './monitor-history.js';
import type { DeviceCloudSimulator } from './testing/index.js';

let sim: DeviceCloudSimulator;
let client: DeviceCloudClient;
const T0 = Date.UTC(2026, 0, 1);

beforeEach(async () => ({ sim, client } = await startRestFixtureAt(T0)));
afterEach(() => closeRestFixture({ sim, client }));

const gets = () => sim.requests.filter((r) => r.method === 'GET').map((r) => decodeURIComponent(r.url));
const streamIds = (events: MonitorEvent[]) => events.map((e) => (e.type === 'DataPoint' ? e.payload.streamId : e.type));

/** Publishes one point per second of simulated time, starting at T0 + `from` seconds. */
function publish(count: number, from = 0): void {
  for (let i = 0; i < count; i++) {
    vi.setSystemTime(T0 + (from + i) * 1000);
    sim.publishDataPoint({ streamId: `dev/s${from + i}`, data: from + i });
  }
}

describe('polling monitors and monitor history', () => {
  it('a polling monitor saves its events (none pushed) and history pages them oldest first by cursor', async () => {
    const id = await client.createPollingMonitor(['DataPoint'], { description: 'poll & catch up' });
    expect(sim.requests.at(-1)!.body).toBe('<Monitor><monTopic>DataPoint</monTopic><monTransportType>polling</monTransportType><monFormatType>json</monFormatType><monDescription>poll &amp; catch up</monDescription></Monitor>');
    expect((await client.getMonitorById(id))?.transportType).toBe('polling');
    publish(5);
    sim.publishDeviceCore({ devId: 7, devConnectwareId: '00000000-00000000-00409DFF-FF000007' }); // another topic: not saved
    sim.requests.splice(0);
    const pages = await collect(client.monitorHistoryPages(id, { pageSize: 2 }));
    expect(pages.map((p) => streamIds(p.events))).toEqual([['dev/s0', 'dev/s1'], ['dev/s2', 'dev/s3'], ['dev/s4']]);
    expect(pages.map((p) => p.cursor === undefined)).toEqual([false, false, true]);
    expect(gets()).toEqual([`/ws/v1/monitors/history/${id}?size=2`, `/ws/v1/monitors/history/${id}?size=2&cursor=${pages[0]!.cursor}`, `/ws/v1/monitors/history/${id}?size=2&cursor=${pages[1]!.cursor}`]);
    const [first] = pages[0]!.events;
    expect(first).toMatchObject({ type: 'DataPoint', operation: 'INSERTION', timestamp: new Date(T0).toISOString(), replay: false, topic: `${sim.customerId}/DataPoint/dev/s0` });
    expect(first?.type === 'DataPoint' && first.payload.data).toBe(0);
    expect(sim.monitors().find((m) => m.id === id)?.sent).toEqual([]);
  });

  it('catch-up after an outage: a persistent monitor is read from the last handled time (inclusive) or a stored cursor, deduped by eventKey', async () => {
    const id = await client.createTcpMonitor(['DataPoint'], { autoReplayOnConnect: true, ackOption: 'explicit' });
    const volatile = await client.createTcpMonitor(['DataPoint/dev/*']);
    publish(4);
    const handled = new DedupeWindow(100);
    const before = await collect(client.monitorHistory(id, { endTime: T0 + 2000 })); // end exclusive: s0, s1
    expect(streamIds(before)).toEqual(['dev/s0', 'dev/s1']);
    for (const e of before) handled.remember(eventKey(e, id));
    // the outage: more events, then resume at the server time of the last handled event
    publish(3, 4);
    const resumed = await collect(client.monitorHistory(id, { startTime: new Date(before.at(-1)!.timestamp) }));
    expect(streamIds(resumed)).toEqual(['dev/s1', 'dev/s2', 'dev/s3', 'dev/s4', 'dev/s5', 'dev/s6']);
    expect(streamIds(resumed.filter((e) => !handled.isDuplicate(eventKey(e, id))))).toEqual(['dev/s2', 'dev/s3', 'dev/s4', 'dev/s5', 'dev/s6']);
    // a stored cursor continues exactly after its page, also when events arrived since
    const [page] = await collect(client.monitorHistoryPages(id, { pageSize: 3, endTime: T0 + 10_000 }));
    publish(1, 7);
    expect(streamIds(await collect(client.monitorHistory(id, { cursor: page!.cursor! })))).toEqual(['dev/s3', 'dev/s4', 'dev/s5', 'dev/s6', 'dev/s7']);
    // a monitor without autoReplayOnConnect saves nothing
    expect(await collect(client.monitorHistory(volatile))).toEqual([]);
  });

  it('LONG values stay exact with longs: bigint; an unknown monitor is not-found; bad input names the parameter before any request', async () => {
    const id = await client.createPollingMonitor(['DataPoint']);
    sim.publishDataPoint({ streamId: 'dev/big', data: 9007199254740993n });
    const [event] = await collect(client.monitorHistory(id, { longs: 'bigint' }));
    expect(event?.type === 'DataPoint' && event.payload.data).toBe(9007199254740993n);
    const err = await collect(client.monitorHistory(id + 100)).catch((e: unknown) => e);
    expect(isHttpError(err) && err.status).toBe(404);
    expect(errorCategory(err)).toBe('not-found');
    const sent = sim.requests.length;
    await expect(collect(client.monitorHistory(-1))).rejects.toThrow(new RangeError('monitorId must be a non-negative integer'));
    await expect(collect(client.monitorHistory(id, { pageSize: 1001 }))).rejects.toThrow(new RangeError('query.pageSize must be an integer 1..1000'));
    await expect(collect(client.monitorHistory(id, { startTime: Number.NaN }))).rejects.toThrow(new RangeError('query.startTime must be a valid Date or epoch milliseconds'));
    await expect(collect(client.monitorHistory(id, { cursor: '' }))).rejects.toThrow(new TypeError('query.cursor must be a non-empty string'));
    await expect(client.createPollingMonitor(['DataPoint'], { format: 'csv' as never })).rejects.toThrow(new RangeError('format must be one of json, xml'));
    expect(sim.requests.length).toBe(sent);
  });

  it('the simulator rejects bad history parameters with 400', async () => {
    const id = await client.createPollingMonitor(['DataPoint']);
    const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
    for (const query of ['size=0', 'size=1001', 'start_time=yesterday', 'cursor=bm9wZQ']) {
      const res = await fetch(`${sim.url}/ws/v1/monitors/history/${id}?${query}`, { headers: { authorization: auth, accept: 'application/json' } });
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('historyPage reads the v1 envelope and refuses anything else', () => {
    expect(historyPage({ count: 0, size: 10, list: [] }, 'number')).toEqual({ events: [], cursor: undefined });
    expect(historyPage({ count: 1, list: [{ topic: '1/X/a', operation: 'UPDATE', timestamp: 't', X: { a: 1 } }], cursor: 'c1' }, 'number')).toEqual({
      events: [{ topic: '1/X/a', operation: 'UPDATE', timestamp: 't', replay: false, type: 'other', resource: 'X', payload: { a: 1 } }],
      cursor: 'c1',
    });
    expect(historyPage({ items: [] }, 'number')).toBeUndefined();
    expect(historyPage('<result/>', 'number')).toBeUndefined();
  });
});

describe('followMonitorHistory', () => {
  it('reads, waits the interval, reads on from the newest event seen without repeats; retries a failed round; ends on abort', async () => {
    const clock = createTestClock({ start: T0, auto: false });
    const warned: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string, fields?: Record<string, unknown>) => void warned.push(`${message} ${String(fields?.error)}`) };
    const follower = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retry: false, clock, logger });
    const id = await follower.createPollingMonitor(['DataPoint']);
    publish(2);
    const controller = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const e of follower.followMonitorHistory(id, { intervalInMs: 5000 }, { signal: controller.signal })) got.push(streamIds([e])[0]!);
    })();
    const sleeps = () => clock.delays.filter((d) => d === 5000).length;
    const round = async (n: number) => {
      await vi.waitUntil(() => sleeps() === n, { timeout: 5000, interval: 2 });
    };
    await round(1);
    expect(got).toEqual(['dev/s0', 'dev/s1']);
    // a new event at dev/s1's server time: the next read starts there (inclusive), so the old dev/s1 comes back and is dropped
    publish(1, 1);
    sim.publishDataPoint({ streamId: 'dev/late', data: 9 });
    clock.advance(5000);
    await round(2);
    expect(got).toEqual(['dev/s0', 'dev/s1', 'dev/s1', 'dev/late']);
    expect(gets().filter((u) => u.includes('/history/')).at(-1)).toBe(`/ws/v1/monitors/history/${id}?size=1000&start_time=${new Date(T0 + 1000).toISOString()}`);
    sim.control.faults.add({ kind: 'status', status: 503, path: '/ws/v1/monitors/history/*' });
    publish(1, 2);
    clock.advance(5000);
    await round(3);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^monitor history read failed; retrying on the next round HttpError: .*503/);
    expect(got).toHaveLength(4);
    clock.advance(5000);
    await round(4);
    expect(got.slice(4)).toEqual(['dev/s2']);
    controller.abort();
    await done;
    expect(clock.pending).toBe(0);
    await expect(collect(follower.followMonitorHistory(id + 100))).rejects.toThrow(/404|not found/i);
    await expect(collect(follower.followMonitorHistory(id, { intervalInMs: -1 }))).rejects.toThrow(new RangeError('options.intervalInMs must be a finite number >= 0'));
    await expect(collect(follower.followMonitorHistory(id, { dedupeWindow: 0 }))).rejects.toThrow(new RangeError('options.dedupeWindow must be a positive integer'));
    await follower.close();
  });
});
