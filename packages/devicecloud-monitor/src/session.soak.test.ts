// Soak: ten simulated minutes of a push session on a fake clock (backoff, stable and idle timers)
// against the real simulator over loopback, under a seeded random fault schedule: dropped
// connections, desynchronising blocks, corrupt blocks and stalls (quiet stretches that trip the idle
// watchdog). Explicit acks + auto replay + replayUnacknowledged: every published event must be
// handled, repeats only where an ack died with its connection, every fault accounted for, nothing may grow.
import { getEventListeners } from 'node:events';
import { createTestClock } from '@x/http-core/testing';
import { describe, expect, it } from 'vitest';
import { encodePublishMessage } from './frame.js';
import { DeviceCloudPushSession } from './session.js';
import { DESYNC_FRAME } from './testing/push-server.js';
import { DeviceCloudSimulator } from './testing/simulator.js';

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STEPS = 600; // one simulated second each
const tick = () => new Promise((r) => setTimeout(r, 3));

async function soak(seed: number) {
  const sim = await DeviceCloudSimulator.start({ secondInMs: 1, random: seeded(seed + 1) });
  const clock = createTestClock({ auto: false });
  const random = seeded(seed);
  const m = sim.createMonitor({ monTopic: 'DataPoint', monBatchSize: '2', monBatchDuration: '0', monAckOption: 'explicit', monAutoReplayOnConnect: 'true' });
  const handled = new Map<number, number>();
  const shared = new AbortController();
  const session = new DeviceCloudPushSession({
    host: '127.0.0.1', port: sim.pushPort, secure: false, username: sim.username, password: sim.password, monitorId: m.id,
    replayUnacknowledged: true, clock, random, signal: shared.signal, idleTimeoutInMs: 20_000,
    reconnect: { initialDelayInMs: 500, maxDelayInMs: 8000 },
    handler: (batch) => {
      for (const e of batch.events) if (e.type === 'DataPoint') handled.set(Number(e.payload.data), (handled.get(Number(e.payload.data)) ?? 0) + 1);
    },
  });
  const reports = new Map<string, number>();
  session.on('error', (e) => reports.set(String((e as { code?: string }).code), (reports.get(String((e as { code?: string }).code)) ?? 0) + 1));
  const reasons = new Map<string, number>();
  session.on('disconnected', (d) => reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1));
  await session.start();
  const corrupt = encodePublishMessage({ blockId: 9999, count: 1, compression: 'none', format: 'json', data: Buffer.from('{not json') });
  const injected = { drop: 0, desync: 0, corrupt: 0 };
  let published = 0;
  const heap: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const r = random();
    if (r < 0.45) for (let i = 1 + Math.floor(random() * 3); i > 0; i--) sim.publishDataPoint({ streamId: 'soak/v', data: published++ });
    else if (r < 0.5 && sim.faults.disconnect(m.id)) injected.drop++;
    else if (r < 0.53 && sim.faults.rawWrite(m.id, DESYNC_FRAME)) injected.desync++;
    else if (r < 0.56 && sim.faults.rawWrite(m.id, corrupt)) injected.corrupt++;
    else if (r > 0.97) clock.advance(25_000); // a stall: nothing arrives for longer than the idle timeout
    clock.advance(1000);
    await tick();
    if (step % 200 === 199) heap.push(process.memoryUsage().heapUsed);
  }
  // Quiet end: let reconnects and replays finish.
  const end = Date.now() + 20_000;
  while ((handled.size < published || m.inflight.size > 0 || m.pending.length > 0) && Date.now() < end) {
    clock.advance(1000);
    await tick();
  }
  const stats = session.stats;
  shared.abort();
  await session.done;
  await sim.close();
  return { published, handled, injected, reports, reasons, stats, heap, listeners: getEventListeners(shared.signal, 'abort').length, m };
}

describe('push session soak (fake clock, seeded faults)', () => {
  it('ten simulated minutes: every event handled (again only when its ack died with its connection), every fault accounted for, nothing grows', async () => {
    const r = await soak(20_261_121);
    expect(r.published).toBeGreaterThan(400);
    expect(r.injected.drop + r.injected.desync).toBeGreaterThan(20);
    // Delivered: every published value, once.
    expect([...r.handled.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: r.published }, (_, i) => i));
    // An ack written just before the server dropped the connection is lost with it: those blocks come
    // back as replays. Each lost connection can repeat at most its unacknowledged window (16 blocks of 2).
    const duplicates = [...r.handled.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(duplicates).toBeLessThanOrEqual((r.injected.drop + r.injected.desync) * 32);
    // Reported: each corrupt block that reached a connection as BAD_DOCUMENT, each desync as FRAME_TOO_LARGE.
    expect(r.reports.get('FRAME_TOO_LARGE') ?? 0).toBeLessThanOrEqual(r.injected.desync);
    expect(r.reports.get('BAD_DOCUMENT') ?? 0).toBeLessThanOrEqual(r.injected.corrupt);
    expect((r.reports.get('FRAME_TOO_LARGE') ?? 0) + (r.reports.get('BAD_DOCUMENT') ?? 0)).toBeGreaterThan(0);
    expect([...r.reports.keys()].filter((k) => k !== 'FRAME_TOO_LARGE' && k !== 'BAD_DOCUMENT')).toEqual([]);
    // Every connection but the last ended by a drop, a desync or the idle watchdog; the last was closed.
    expect(r.reasons.get('closed')).toBe(1);
    expect((r.reasons.get('failed') ?? 0) + (r.reasons.get('stalled') ?? 0) + 1).toBe(r.stats.connections);
    // Flat: the buffer never exceeded the high-water mark, the server holds nothing, no listener is left.
    expect(r.stats.maxBuffered).toBeLessThanOrEqual(4);
    expect(r.stats.buffered).toBe(0);
    expect(r.m.inflight.size).toBe(0);
    expect(r.listeners).toBe(0);
    expect(Math.max(...r.heap) - Math.min(...r.heap)).toBeLessThan(32 * 1024 * 1024);
  }, 60_000);
});
