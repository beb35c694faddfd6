// Soak: thirty simulated minutes of followMonitorHistory() on a fake clock against the real simulator
// over loopback, under a seeded random schedule of bursts (several events in the same millisecond, so
// the inclusive start bound re-reads them), pages smaller than a burst (cursor paging inside a
// round), 503 answers and dropped connections. Every published event must come out exactly once and
// in order, every failed round must be reported and retried, and nothing may be left running.
import { createTestClock, seededRandom } from '@x/http-core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceCloudClient } from './client.js';
import { DeviceCloudSimulator } from './testing/simulator.js';

afterEach(() => {
  vi.useRealTimers();
});

async function soak(seed: number, minutes: number) {
  const T0 = Date.UTC(2026, 0, 1);
  vi.useFakeTimers({ toFake: ['Date'] }); // the simulator stamps events with Date: it follows the fake clock
  vi.setSystemTime(T0);
  const sim = await DeviceCloudSimulator.start({ pushPort: false, tlsPort: false });
  const clock = createTestClock({ start: T0, auto: false });
  const random = seededRandom(seed);
  const warned: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => void warned.push(message) };
  const client = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retry: false, clock, logger });
  const id = await client.createPollingMonitor(['DataPoint']);
  const controller = new AbortController();
  const got: number[] = [];
  const intervalInMs = 5000;
  const done = (async () => {
    const events = client.followMonitorHistory(id, { intervalInMs, pageSize: 2, dedupeWindow: 64 }, { signal: controller.signal });
    for await (const e of events) if (e.type === 'DataPoint') got.push(Number(e.payload.data));
  })();
  const sleeps = () => clock.delays.filter((d) => d === intervalInMs).length;
  let published = 0;
  let faults = 0;
  const heap: number[] = [];
  const rounds = (minutes * 60_000) / intervalInMs;
  for (let round = 1; round <= rounds; round++) {
    await vi.waitUntil(() => sleeps() === round, { timeout: 5000, interval: 1 });
    const r = random();
    if (r < 0.6) {
      for (let i = Math.floor(random() * 4); i > 0; i--) sim.publishDataPoint({ streamId: 'soak/f', data: published++ }); // one millisecond
    } else if (r < 0.68) {
      sim.control.faults.add({ kind: 'status', status: 503, path: `/ws/v1/monitors/history/${id}` });
      faults++;
    } else if (r < 0.72) {
      sim.control.faults.add({ kind: 'drop', path: `/ws/v1/monitors/history/${id}` });
      faults++;
    }
    if (round % 60 === 0) heap.push(process.memoryUsage().heapUsed);
    clock.advance(intervalInMs);
    vi.setSystemTime(clock.now());
  }
  await vi.waitUntil(() => sleeps() === rounds + 1, { timeout: 5000, interval: 1 });
  controller.abort();
  await done;
  const left = { timers: clock.pending, faults: sim.control.faults.list().length };
  await client.close();
  await sim.close();
  return { got, published, faults, warned, heap, left, clockMinutes: (clock.now() - T0) / 60_000 };
}

describe('followMonitorHistory soak', () => {
  it('thirty simulated minutes: every event exactly once and in order, every failed round reported and retried, nothing left running', async () => {
    const r = await soak(11, 30);
    expect(r.clockMinutes).toBe(30);
    expect(r.published).toBeGreaterThan(300);
    expect(r.got).toEqual(Array.from({ length: r.published }, (_, i) => i));
    expect(r.faults).toBeGreaterThan(20);
    expect(r.warned).toEqual(Array.from({ length: r.faults }, () => 'monitor history read failed; retrying on the next round'));
    expect(r.left).toEqual({ timers: 0, faults: 0 });
    expect(Math.max(...r.heap) - Math.min(...r.heap)).toBeLessThan(32 * 1024 * 1024);
  }, 60_000);
});
