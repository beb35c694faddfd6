// Soak: many simulated minutes on the fake clock under a seeded fault schedule (failed connects,
// hanging connects, drops after n items, stalls, a slow consumer). The server keeps every item
// until it is acknowledged on the connection that delivered it and resends the rest after a
// reconnect, so at the end every produced item must have been consumed, each extra copy matched
// by an acknowledgement that found its connection gone, and nothing may have grown without bound.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../sleep.js';
import { createTestClock } from '../testing/clock.js';
import { seededRandom as seeded } from '../testing/seeded-random.js';
import { createSession } from './create-session.js';
import { FakeConnection } from './test-support.js';


const MINUTES = 30;
const HIGH_WATER_MARK = 8;

interface SoakConnection extends FakeConnection {
  dropAfter: number;
  stallAfter: number;
  live: boolean;
}

async function soak(seed: number) {
  const clock = createTestClock();
  const random = seeded(seed);
  const endAt = MINUTES * 60_000;
  const pending: number[] = []; // produced, not acknowledged: resent after a reconnect
  let produced = 0;
  const consumed = new Map<number, number>();
  const lostAcks = new Map<number, number>();
  const faults = { connectFailed: 0, connectHung: 0, dropped: 0, stalled: 0 };
  let maxTimers = 0;
  let stuck = false;
  let ids = 0;

  const produce = (): void => {
    pending.push(produced++);
    if (clock.now() + 100 < endAt) clock.setTimeout(produce, 100);
  };
  produce();

  const shared = new AbortController();
  const session = createSession<SoakConnection, number>(
    {
      connect: () => {
        const roll = random();
        if (roll < 0.15) {
          faults.connectFailed += 1;
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        }
        if (roll < 0.2) {
          faults.connectHung += 1;
          return new Promise<SoakConnection>(() => undefined);
        }
        const conn = Object.assign(new FakeConnection(++ids), {
          // A fifth are accepted and dropped at once (the bad-block case); the rest drop within 200 items.
          dropAfter: random() < 0.2 ? 0 : Math.floor(random() * 200),
          stallAfter: random() < 0.2 ? Math.floor(random() * 40) : Infinity,
          live: true,
        });
        return Promise.resolve(conn);
      },
      run: async (conn, ctx) => {
        let sent = 0;
        const sentIds = new Set<number>(); // this connection sends each unacknowledged item once
        while (!ctx.signal.aborted) {
          await conn.whenReadable(ctx.signal);
          if (sent === conn.stallAfter) {
            faults.stalled += 1;
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
            return;
          }
          if (sent === conn.dropAfter) {
            faults.dropped += 1;
            throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
          }
          const item = pending.find((id) => !sentIds.has(id));
          if (item === undefined) {
            ctx.alive(); // the server's heartbeat while there is nothing to send
            await sleep(200, ctx.signal, clock).catch(() => undefined);
            continue;
          }
          sentIds.add(item);
          sent += 1;
          ctx.deliver(item);
          await sleep(10, ctx.signal, clock).catch(() => undefined);
        }
      },
      disconnect: (conn) => {
        conn.live = false;
      },
      pause: (conn) => conn.pause(),
      resume: (conn) => conn.resume(),
      acknowledge: (item, conn) => {
        if (conn?.live) {
          const at = pending.indexOf(item);
          if (at !== -1) pending.splice(at, 1);
        } else {
          lostAcks.set(item, (lostAcks.get(item) ?? 0) + 1);
        }
      },
    },
    {
      clock,
      random,
      signal: shared.signal,
      reconnect: { initialDelayInMs: 500, maxDelayInMs: 30_000 },
      stableAfterInMs: 5000,
      connectTimeoutInMs: 3000,
      idleTimeoutInMs: 2000,
      highWaterMark: HIGH_WATER_MARK,
    },
  );
  const reasons = new Map<string, number>();
  session.on('disconnected', (e) => reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1));
  session.on('error', () => undefined);

  // Closes once production is over and everything was acknowledged; samples the timer count.
  const watch = (): void => {
    maxTimers = Math.max(maxTimers, clock.pending);
    if (clock.now() >= endAt && pending.length === 0) void session.close();
    else if (clock.now() >= endAt + 10 * 60_000) {
      stuck = true; // ten simulated minutes after production ended, something is wedged
      void session.close();
    }
    else clock.setTimeout(watch, 1000);
  };
  watch();

  for await (const item of session) {
    consumed.set(item, (consumed.get(item) ?? 0) + 1);
    const roll = random();
    // A consumer that is mostly quick and sometimes slow, so the buffer fills and reading pauses.
    await sleep(roll < 0.01 ? 2000 : Math.floor(roll * 60), undefined, clock);
  }
  await session.done;
  return { stuck, clock, session, shared, produced, pending, consumed, lostAcks, faults, reasons, maxTimers, endAt };
}

describe('session soak', () => {
  it.each([1, 7, 42])('seed %i: every item accounted for, nothing stuck, memory bounded', async (seed) => {
    const r = await soak(seed);
    expect(r.stuck).toBe(false);
    expect(r.produced).toBe((r.endAt / 100) | 0);
    expect(r.pending).toEqual([]);
    // Every produced item was consumed; each copy beyond the first is an acknowledgement that found
    // its connection gone (the server resent the item), never an unexplained duplicate.
    for (let id = 0; id < r.produced; id++) {
      const copies = r.consumed.get(id) ?? 0;
      expect(copies, `item ${id}`).toBe((r.lostAcks.get(id) ?? 0) + 1);
    }
    expect(r.consumed.size).toBe(r.produced);
    // The faults really happened, and the session got through all of them.
    expect(r.faults.connectFailed).toBeGreaterThan(5);
    expect(r.faults.connectHung).toBeGreaterThan(0);
    expect(r.faults.dropped).toBeGreaterThan(5);
    expect(r.faults.stalled).toBeGreaterThan(0);
    expect(r.reasons.get('stalled')).toBe(r.faults.stalled);
    expect(r.reasons.get('closed')).toBeLessThanOrEqual(1);
    // Bounded: the buffer never passed highWaterMark (the source honours pause), the timers stayed
    // few, and a closed session left no timer and no listener on the shared signal.
    const stats = r.session.stats;
    expect(stats.maxBuffered).toBeLessThanOrEqual(HIGH_WATER_MARK);
    expect(stats.dropped).toBe(0);
    expect(stats.buffered).toBe(0);
    expect(stats.consumed).toBe(stats.delivered);
    expect(r.maxTimers).toBeLessThanOrEqual(6);
    expect(r.clock.pending).toBe(0);
    expect(getEventListeners(r.shared.signal, 'abort')).toHaveLength(0);
    expect(r.session.state).toBe('closed');
    expect(r.clock.now()).toBeGreaterThanOrEqual(r.endAt);
  }, 60_000);
});
