import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestClock } from '@x/http-core/testing';
import { isAbortError } from '@x/http-core';
import { ComapClient, pollFleet, type FleetPollEvent, type SweepEvent, type UnitPollErrorEvent, type UnitPollEvent } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function setup(units: number, seed: number, fileRows?: number) {
  const clock = createTestClock({ start: Date.UTC(2026, 0, 5, 8) });
  // The simulator keeps the real limit (1 request/s, flat) on the same fake clock as the client.
  const sim: ComapSimulator = await startComapSimulator({ units, seed, now: () => clock.now(), ...(fileRows ? { fileRows } : {}) });
  open.push(sim);
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, clock });
  open.push(client);
  return { clock, sim, client, guids: sim.fleet.units.map((u) => u.unitGuid) };
}

describe('pollFleet soak (fake clock, real 1 request/s limit)', () => {
  it('30 simulated minutes with 503 bursts, a drop, an offline unit and alarms: every unit once per sweep, no 429, memory flat', async () => {
    const { clock, sim, client, guids } = await setup(12, 71);
    const [offline, alarmed] = [guids[3] as string, guids[7] as string];
    for (const u of sim.fleet.units) u.state.alarms = [];
    const sweeps: { units: Set<string>; events: (UnitPollEvent | UnitPollErrorEvent)[]; end: SweepEvent }[] = [];
    let current: (UnitPollEvent | UnitPollErrorEvent)[] = [];
    const heap: number[] = [];
    for await (const event of pollFleet(client, { sweeps: 30, intervalInMs: 60_000, concurrency: 1, clock })) {
      if (event.type !== 'sweep') {
        current.push(event);
        continue;
      }
      sweeps.push({ units: new Set(current.map((e) => e.unitGuid)), events: current, end: event });
      current = [];
      const n = event.sweep;
      if (n === 2) sim.faults.fail(2, 503, '/values'); // retried: nobody notices
      if (n === 3) sim.faults.fail(4, 503, '/values'); // one unit's four attempts fail
      if (n === 4) sim.faults.drop(1, '/values');
      if (n === 5) sim.setOnline(offline, false);
      if (n === 6) sim.setAlarm(alarmed, 'Sd Oil pressure');
      if (n === 9) sim.setAlarm(alarmed, 'Sd Oil pressure', false);
      if (n === 12) sim.setOnline(offline, true);
      if (n === 10 || n === 30) heap.push(process.memoryUsage().heapUsed);
    }
    expect(sweeps).toHaveLength(30);
    for (const s of sweeps) {
      expect(s.events).toHaveLength(12);
      expect([...s.units].sort()).toEqual([...guids].sort());
      expect(s.end.units).toBe(12);
      expect(s.end.ok + s.end.offline + s.end.failed).toBe(12);
    }
    // Sweep 4: the first unit polled took the four 503s (the client's maxAttempts) and is reported, typed.
    const failed = sweeps[3]!.events.filter((e): e is UnitPollErrorEvent => e.type === 'error');
    expect(failed.map((e) => [e.category, (e.error as { status?: number }).status])).toEqual([['transient', 503]]);
    expect(sweeps[3]!.end.failed).toBe(1);
    // ... and is polled first in the next sweep.
    expect(sweeps[4]!.events[0]!.unitGuid).toBe(failed[0]!.unitGuid);
    // The dropped connection was retried; the 2 retried 503s too.
    expect(sweeps.filter((s) => s.end.failed > 0).map((s) => s.end.sweep)).toEqual([4]);
    // Offline from sweep 6 to 12 by comm_state, polled first while it is.
    const offlineSweeps = sweeps.filter((s) => s.events.some((e) => e.unitGuid === offline && e.type === 'unit' && !e.online)).map((s) => s.end.sweep);
    expect(offlineSweeps).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(sweeps[7]!.events[0]).toMatchObject({ unitGuid: offline, online: false, offlineReason: 'comm_state' });
    // Alarm raised once (sweep 7), cleared once (sweep 10).
    const alarmEvents = sweeps.flatMap((s) => s.events.filter((e): e is UnitPollEvent => e.type === 'unit' && (e.raised.length > 0 || e.cleared.length > 0)));
    expect(alarmEvents.map((e) => [e.sweep, e.unitGuid, e.raised.map((a) => a.text), e.cleared.map((a) => a.text)])).toEqual([
      [7, alarmed, ['Sd Oil pressure'], []],
      [10, alarmed, [], ['Sd Oil pressure']],
    ]);
    expect(alarmEvents[0]!.raised[0]).toMatchObject({ level: 'shutdown', active: true });
    // Value changes are reported against the previous reading: the alarm moved unit_state.
    const unitState = (sweeps[6]!.events.find((e) => e.unitGuid === alarmed) as UnitPollEvent).changed.find((c) => c.name === 'Unit State');
    expect(unitState).toEqual({ valueGuid: expect.any(String), name: 'Unit State', before: 'OK', after: 'Alarm' });
    // Sweeps start a simulated minute apart: 30 sweeps span 29 minutes.
    expect(clock.now() - Date.UTC(2026, 0, 5, 8)).toBeGreaterThanOrEqual(29 * 60_000);
    expect(sim.stats.rateLimited).toBe(0);
    expect(heap[1]! - heap[0]!).toBeLessThan(16 * 1024 * 1024);
  }, 30_000);

  it('paces back-to-back sweeps at the rate limit (1 request/s): 40 units, 3 sweeps in 123 simulated seconds, no 429', async () => {
    const { clock, sim, client } = await setup(40, 72);
    const start = clock.now();
    const ends: SweepEvent[] = [];
    for await (const e of pollFleet(client, { sweeps: 3, clock })) if (e.type === 'sweep') ends.push(e);
    expect(ends.map((e) => [e.sweep, e.units, e.failed])).toEqual([[1, 40, 0], [2, 40, 0], [3, 40, 0]]);
    // 3 unit lists + 120 values calls at one per second (the first goes at once, the token too).
    const elapsed = clock.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(122_000);
    expect(elapsed).toBeLessThanOrEqual(122_000 * 1.02);
    expect(sim.stats.rateLimited).toBe(0);
  }, 30_000);

  it('a failing units list falls back to the previous sweep\'s list; on the first sweep it is thrown', async () => {
    const { clock, sim, client } = await setup(3, 74);
    sim.faults.plan.add({ kind: 'status', status: 503, count: 4, path: '/v1.1/*/units' });
    const first = await pollFleet(client, { clock }).next().catch((x: unknown) => x);
    expect((first as { status?: number }).status).toBe(503);
    const ends: SweepEvent[] = [];
    for await (const e of pollFleet(client, { clock, sweeps: 3 })) {
      if (e.type !== 'sweep') continue;
      ends.push(e);
      if (e.sweep === 1) sim.faults.plan.add({ kind: 'status', status: 503, count: 4, path: '/v1.1/*/units' });
    }
    expect(ends.map((e) => [e.sweep, e.units, e.failed])).toEqual([[1, 3, 0], [2, 3, 0], [3, 3, 0]]);
    expect(sim.requests.filter((r) => r.path.endsWith('/units')).map((r) => r.status)).toEqual([503, 503, 503, 503, 200, 503, 503, 503, 503, 200]);
  });

  it('a download whose body is slow to read does not hold up the sweeps (its slot goes back at the headers)', async () => {
    const { clock, sim, client } = await setup(5, 75, 20_000);
    const unit = sim.fleet.units[0]!;
    // A sink nobody reads: the download stalls on back-pressure mid-body until it is resumed.
    const sink = new PassThrough({ highWaterMark: 1024 });
    let downloaded = false;
    const download = client.download(unit.unitGuid, unit.files[0]!.fileName, sink).then((r) => {
      downloaded = true;
      return r;
    });
    const ends: SweepEvent[] = [];
    for await (const e of pollFleet(client, { clock, sweeps: 2 })) if (e.type === 'sweep') ends.push(e);
    expect([downloaded, ends.map((e) => [e.units, e.ok + e.offline, e.failed])]).toEqual([false, [[5, 5, 0], [5, 5, 0]]]);
    sink.resume();
    expect((await download).bytes).toBeGreaterThan(500_000);
    expect(sim.stats.rateLimited).toBe(0);
  });

  it('stops with an AbortError when its signal is aborted, and stops polling when the loop is left', async () => {
    const { clock, sim, client } = await setup(5, 73);
    const controller = new AbortController();
    const seen: FleetPollEvent[] = [];
    const error = await (async () => {
      for await (const e of pollFleet(client, { signal: controller.signal, clock })) {
        seen.push(e);
        if (seen.length === 3) controller.abort();
      }
    })().catch((x: unknown) => x);
    expect(isAbortError(error)).toBe(true);
    expect(seen).toHaveLength(3);
    const before = sim.requests.length;
    for await (const e of pollFleet(client, { clock, units: [sim.fleet.units[0]!.unitGuid] })) {
      expect(e).toMatchObject({ type: 'unit', sweep: 1, name: undefined, first: true, online: true });
      break;
    }
    // Leaving the loop stops the poller: one values call, nothing after it.
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.requests.length - before).toBe(1);
  });
});
