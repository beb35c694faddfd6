// Soak: SeplConnector over G2 for 30 simulated minutes (one fake clock for request timeouts,
// heartbeats and reconnect backoff) against the websocket simulator under a seeded fault schedule:
// dropped connections, stalled platforms (requests unanswered until they time out), garbage frames,
// device changes, commands; it ends on refused credentials. At the end every event the app sent was
// received exactly once or reported as failed (a SeplTimeoutError while the platform stalled), every
// command was answered exactly once, and nothing grew.
import { createTestClock, seededRandom, settle } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import { MemoryDeviceStore } from './memory-store.js';
import { countReadies } from './soak-support.js';
import { startSeplSimulator } from './testing/simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const STEP_MS = 10_000;
const STEPS = 190; // 31.7 simulated minutes
const BASE = ['lamp', 'plug'];

describe('SeplConnector G2 soak', () => {
  it('seed 5: 30 simulated minutes of drops, stalls, garbage and device changes; every event once or failed, every command answered once', async () => {
    const random = seededRandom(5);
    const clock = createTestClock({ start: 1_700_000_000_000, auto: false });
    const sim = await startSeplSimulator({ users: { alice: 'secret' }, now: () => clock.now() });
    cleanup.push(() => sim.close());
    const store = new MemoryDeviceStore(BASE.map((id) => ({ id, type: 'urn:t', name: id })));
    const connector = new SeplConnector({
      url: sim.websocketUrl,
      user: 'alice',
      password: 'secret',
      store,
      clock,
      random,
      requestTimeoutInMs: 5_000,
      // pings run on the fake clock; the pong comes in real time, so give it many fake minutes
      pongTimeoutInMs: 300_000,
      reconnect: { initialDelayInMs: 1_000, maxDelayInMs: 30_000 },
    });
    cleanup.push(() => connector.close());
    const reported: string[] = [];
    connector.on('error', (e) => reported.push(e.name));
    const readies = countReadies(connector, clock);

    await settle(clock, connector.start());
    const listeners = (['ready', 'disconnected', 'error', 'closed'] as const).map((e) => connector.session.listenerCount(e));
    let responding = 0;
    const consumer = (async () => {
      for await (const command of connector.commands()) {
        responding += 1;
        await connector.respond(command, [{ name: 'data', value: `done ${command.task_id}` }]).finally(() => (responding -= 1));
      }
    })();
    consumer.catch(() => undefined); // its end is checked below

    const sentEvents: string[] = [];
    const failedEvents: string[] = [];
    const answers: Array<Promise<Record<string, unknown>>> = [];
    const taskIds: string[] = [];
    const counts = { drops: 0, stalls: 0, garbage: 0, changes: 0 };
    for (let step = 0; step < STEPS; step++) {
      clock.advance(STEP_MS);
      const roll = random();
      const device = BASE[Math.floor(random() * BASE.length)]!;
      if (roll < 0.4) {
        const data = `e${step}`;
        const stall = random() < 0.15;
        sim.answerRequests = !stall;
        try {
          await settle(clock, connector.event(device, 'reading', [{ name: 'data', value: data }]));
          sentEvents.push(data);
        } catch (err) {
          expect(err).toMatchObject({ name: 'SeplTimeoutError' });
          expect(stall).toBe(true);
          failedEvents.push(data);
          counts.stalls += 1;
        }
        sim.answerRequests = true;
      } else if (roll < 0.7) {
        answers.push(sim.sendCommand(device, 'set', [{ name: 'data', value: String(step) }], { onSent: (id) => taskIds.push(id) }));
        // answered, and the platform's acknowledgement back, before the clock moves on
        await expect.poll(() => sim.framesOf('response').length === answers.length && responding === 0, { timeout: 5_000, interval: 5 }).toBe(true);
      } else if (roll < 0.8) {
        const before = readies.count;
        expect(sim.dropConnections()).toBe(1);
        counts.drops += 1;
        await readies.reconnected(before);
      } else if (roll < 0.9) {
        const before = reported.length;
        sim.broadcast('{not json');
        counts.garbage += 1;
        await expect.poll(() => reported.length, { timeout: 5_000, interval: 5 }).toBe(before + 1);
      } else {
        await settle(clock, connector.add({ id: `x${step}`, type: 'urn:t', name: `extra ${step}` }));
        counts.changes += 1;
      }
    }
    expect(clock.now() - 1_700_000_000_000).toBeGreaterThanOrEqual(30 * 60_000);
    expect(counts.drops).toBeGreaterThan(5);
    expect(counts.stalls).toBeGreaterThan(3);
    expect(counts.garbage).toBeGreaterThan(10);
    expect(counts.changes).toBeGreaterThan(10);

    // every event received once (in order) or reported as failed; the failed ones never reached the platform's events
    const received = sim.events.filter((e) => e.service === 'reading').map((e) => e.parts?.find((p) => p.name === 'data')?.value);
    expect(received).toEqual(sentEvents);
    expect(failedEvents.filter((d) => received.includes(d))).toEqual([]);
    // every command answered exactly once
    const results = await Promise.all(answers);
    expect(results.map((r) => r.task_id)).toEqual(taskIds);
    const responses = sim.framesOf('response').map((f) => (f.payload as { task_id: string }).task_id);
    expect(responses).toEqual(taskIds);
    expect(reported.every((name) => name === 'SeplProtocolError')).toBe(true);
    expect(reported).toHaveLength(counts.garbage);

    // flat: nothing buffered, no listener or timer left behind
    expect(connector.session.stats.buffered).toBe(0);
    expect(connector.session.stats.connections).toBe(counts.drops + 1);
    expect((['ready', 'disconnected', 'error', 'closed'] as const).map((e) => connector.session.listenerCount(e))).toEqual(listeners);
    expect(clock.pending).toBeLessThanOrEqual(3);

    // refused credentials end it: done and the iterator's loop end with the SeplAuthError
    sim.rejectCredentials = true;
    sim.dropConnections();
    await settle(clock, connector.done.catch(() => undefined), { stepInMs: 1_000 });
    await expect(connector.done).rejects.toMatchObject({ name: 'SeplAuthError' });
    await expect(consumer).rejects.toMatchObject({ name: 'SeplAuthError' });
    expect(connector.state).toBe('closed');
  });
});
