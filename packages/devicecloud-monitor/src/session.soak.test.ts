// Soak: thirty simulated minutes of a push session on a fake clock (backoff, stable and idle timers)
// against the real simulator over loopback, under a seeded random fault schedule: dropped
// connections, acks lost in flight, desynchronising blocks, corrupt documents, poison headers,
// failed and `false` handlers, and stalls (quiet stretches that trip the idle watchdog). Explicit
// acks + auto replay + replayUnacknowledged: every published event must be handled, with the dedupe
// window exactly once and without it repeats only where an ack died with its connection, every fault
// accounted for, nothing may grow.
import { getEventListeners } from 'node:events';
import { createTestClock, seededRandom as seeded } from '@x/http-core/testing';
import { describe, expect, it } from 'vitest';
import { encodePublishMessage } from './frame.js';
import { DeviceCloudPushSession } from './session.js';
import { DESYNC_FRAME } from './testing/push-server.js';
import { DeviceCloudSimulator } from './testing/simulator.js';


const tick = () => new Promise((r) => setTimeout(r, 2));

/** A PublishMessage whose frame is intact but whose compression flag is 2: skipped, never a reconnect. */
const POISON = Buffer.from('0003' + '00000010' + '0bad' + '0001' + '02' + '01' + '00000006' + '7b7d20202020', 'hex');

async function soak(seed: number, steps: number, dedupeWindow?: number) {
  const sim = await DeviceCloudSimulator.start({ secondInMs: 1, random: seeded(seed + 1) });
  const clock = createTestClock({ auto: false });
  const random = seeded(seed);
  const m = sim.createMonitor({ monTopic: 'DataPoint', monBatchSize: '2', monBatchDuration: '0', monAckOption: 'explicit', monAutoReplayOnConnect: 'true' });
  const handled = new Map<number, number>();
  const shared = new AbortController();
  const session = new DeviceCloudPushSession({
    host: '127.0.0.1', port: sim.pushPort, secure: false, username: sim.username, password: sim.password, monitorId: m.id,
    replayUnacknowledged: true, clock, random, signal: shared.signal, idleTimeoutInMs: 20_000,
    ...(dedupeWindow !== undefined ? { dedupeWindow } : {}),
    reconnect: { initialDelayInMs: 500, maxDelayInMs: 8000 },
    handler: (batch) => {
      // Handler faults: a throw or a `false` (not handled) now and then; the block must come back.
      const fault = random();
      if (fault < 0.02) throw new Error('store down');
      if (fault < 0.04) return false;
      for (const e of batch.events) if (e.type === 'DataPoint') handled.set(Number(e.payload.data), (handled.get(Number(e.payload.data)) ?? 0) + 1);
      return true;
    },
  });
  const reports = new Map<string, number>();
  session.on('error', (e) => reports.set(String((e as { code?: string }).code), (reports.get(String((e as { code?: string }).code)) ?? 0) + 1));
  const reasons = new Map<string, number>();
  session.on('disconnected', (d) => reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1));
  await session.start();
  const corrupt = encodePublishMessage({ blockId: 9999, count: 1, compression: 'none', format: 'json', data: Buffer.from('{not json') });
  const injected = { drop: 0, desync: 0, corrupt: 0, poison: 0, lostAcks: 0 };
  let published = 0;
  const heap: number[] = [];
  for (let step = 0; step < steps; step++) {
    const r = random();
    if (r < 0.45) for (let i = 1 + Math.floor(random() * 3); i > 0; i--) sim.publishDataPoint({ streamId: 'soak/v', data: published++ });
    else if (r < 0.5 && sim.faults.disconnect(m.id)) injected.drop++;
    else if (r < 0.52 && sim.faults.rawWrite(m.id, DESYNC_FRAME)) injected.desync++;
    else if (r < 0.54 && sim.faults.rawWrite(m.id, corrupt)) injected.corrupt++;
    else if (r < 0.56 && sim.faults.rawWrite(m.id, POISON)) injected.poison++;
    else if (r < 0.6) {
      // The next ack is lost as if the link dropped while it was in flight; the drop follows.
      sim.faults.loseAcks(m.id, 1);
      injected.lostAcks++;
    }
    else if (r > 0.97) clock.advance(25_000); // a stall: nothing arrives for longer than the idle timeout
    clock.advance(1000);
    await tick();
    if (step % 200 === 199) heap.push(process.memoryUsage().heapUsed);
  }
  // Quiet end: let reconnects and replays finish.
  const end = Date.now() + 30_000;
  while ((handled.size < published || m.inflight.size > 0 || m.pending.length > 0) && Date.now() < end) {
    clock.advance(1000);
    await tick();
  }
  const stats = session.stats;
  shared.abort();
  await session.done;
  await sim.close();
  return { published, handled, injected, reports, reasons, stats, heap, listeners: getEventListeners(shared.signal, 'abort').length, m, duplicatesDropped: session.duplicatesDropped };
}

const KNOWN_REPORTS = ['FRAME_TOO_LARGE', 'BAD_DOCUMENT', 'UNKNOWN_COMPRESSION', 'PUSH_HANDLER_FAILED', 'PUSH_NOT_HANDLED'];

type Soak = Awaited<ReturnType<typeof soak>>;

function expectAccounted(r: Soak): void {
  expect(r.injected.drop + r.injected.desync).toBeGreaterThan(20);
  expect(r.injected.lostAcks).toBeGreaterThan(10);
  // Delivered: every published value at least once.
  expect([...r.handled.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: r.published }, (_, i) => i));
  // Reported: each corrupt block that reached a connection, each poison header, each desync, each handler fault.
  expect(r.reports.get('FRAME_TOO_LARGE') ?? 0).toBeLessThanOrEqual(r.injected.desync);
  expect(r.reports.get('BAD_DOCUMENT') ?? 0).toBeLessThanOrEqual(r.injected.corrupt);
  expect(r.reports.get('UNKNOWN_COMPRESSION') ?? 0).toBeLessThanOrEqual(r.injected.poison);
  expect(r.reports.get('UNKNOWN_COMPRESSION') ?? 0).toBeGreaterThan(0);
  expect((r.reports.get('PUSH_HANDLER_FAILED') ?? 0) + (r.reports.get('PUSH_NOT_HANDLED') ?? 0)).toBeGreaterThan(0);
  expect([...r.reports.keys()].filter((k) => !KNOWN_REPORTS.includes(k))).toEqual([]);
  // Every connection ended by a drop, a desync, a redelivery or the idle watchdog, except the one open at
  // the end, which was closed; when the end fell into a reconnect wait, no connection was open to close.
  const closed = r.reasons.get('closed') ?? 0;
  expect(closed).toBeLessThanOrEqual(1);
  expect((r.reasons.get('failed') ?? 0) + (r.reasons.get('stalled') ?? 0) + closed).toBe(r.stats.connections);
  // Nothing stalled, flat: the buffer never exceeded the high-water mark, the server holds nothing, no listener is left.
  expect(r.stats.maxBuffered).toBeLessThanOrEqual(4);
  expect(r.stats.buffered).toBe(0);
  expect(r.m.inflight.size).toBe(0);
  expect(r.m.pending).toEqual([]);
  expect(r.listeners).toBe(0);
  expect(Math.max(...r.heap) - Math.min(...r.heap)).toBeLessThan(32 * 1024 * 1024);
}

describe('push session soak (fake clock, seeded faults)', () => {
  it('thirty simulated minutes with the dedupe window (default with replayUnacknowledged): every event handled exactly once', async () => {
    const r = await soak(20_261_121, 1800);
    expect(r.published).toBeGreaterThan(1200);
    expectAccounted(r);
    expect([...r.handled.values()].filter((n) => n !== 1)).toEqual([]);
    expect(r.duplicatesDropped).toBeGreaterThan(0);
  }, 120_000);

  it('ten simulated minutes without the dedupe window: at least once, repeats only from acks lost with their connection', async () => {
    const r = await soak(7_777, 600, 0);
    expectAccounted(r);
    const duplicates = [...r.handled.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(duplicates).toBeGreaterThan(0);
    // Each lost connection can repeat at most its unacknowledged window (16 blocks of 2).
    expect(duplicates).toBeLessThanOrEqual((r.injected.drop + r.injected.desync) * 32);
    expect(r.duplicatesDropped).toBe(0);
  }, 60_000);
});
