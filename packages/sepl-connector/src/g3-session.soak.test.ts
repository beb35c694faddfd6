// Soak: G3Session for 30 simulated minutes (fake clock for the session base's reconnect waits)
// against the simulator's real TLS broker under a seeded fault schedule: dropped connections,
// garbage and duplicated commands, events and commands interleaved. At the end every event the app
// sent was received exactly once (none failed: no publish is in flight when a drop is injected),
// every command the platform sent while the hub was subscribed was answered exactly once,
// subscriptions were restored after every drop, and nothing was left buffered.
import { createTestClock, seededRandom as seeded } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createG3Http } from './g3-http.js';
import type { G3Command } from './g3-messages.js';
import { G3PlatformClient } from './g3-platform.js';
import { G3Session } from './g3-session.js';
import { startSeplG3Simulator, type SeplG3Simulator } from './testing/g3-simulator.js';


/** The command topics a hub subscribed to, in order (the error topics left out). */
function commandSubs(sim: SeplG3Simulator, hubId: string): string[] {
  return (sim.broker.subscriptions.get(hubId) ?? []).filter((t) => t.startsWith('command/'));
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const STEP_MS = 10_000;
const STEPS = 190; // 31.7 simulated minutes

describe('G3Session soak', () => {
  it('seed 7: 30 simulated minutes of drops, garbage and duplicates; every event once, every command answered once', async () => {
    const random = seeded(7);
    // manual clock: the reconnect waits pass only when the test moves time; real I/O keeps real timers
    const clock = createTestClock({ start: 1_700_000_000_000, auto: false });
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc', now: () => clock.now() });
    cleanup.push(() => sim.close());
    const g3 = createG3Http({ retry: false }, { tokenUrl: sim.tokenUrl, clientId: 'cc', user: 'alice', password: 'secret' });
    cleanup.push(() => g3.http.close());
    const platform = new G3PlatformClient(g3.http, { hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl });
    const hubId = await platform.createHub('soak');
    const devices = ['d1', 'd2', 'd3'].map((id) => ({ id, name: id, type: 'urn:t' }));
    for (const d of devices) await platform.putDevice(d);
    await platform.syncHub(hubId, devices);

    const session = new G3Session({ url: sim.mqttUrl, hubId, user: 'alice', password: 'secret', ca: sim.caPem, devices: ['d1', 'd2', 'd3'], clock, random, reconnect: { initialDelayInMs: 1_000, maxDelayInMs: 30_000 } });
    cleanup.push(() => session.close());
    const reported: string[] = [];
    session.on('error', (e) => reported.push(e.message));
    await session.start();
    const subscribed = (): number => commandSubs(sim, hubId).length;
    await expect.poll(subscribed).toBe(3);

    const handled: G3Command[] = [];
    /** Answers whose QoS 2 handshake a drop cut short: the broker may have them (at most once, never repeated). */
    const unconfirmed: string[] = [];
    const consumer = (async () => {
      for await (const command of session) {
        handled.push(command);
        await session.respond(command, { data: `done ${command.correlationId}` }).catch(() => unconfirmed.push(command.correlationId));
      }
    })();

    const sentEvents: string[] = [];
    const sentCommands: string[] = [];
    let drops = 0;
    let garbage = 0;
    let duplicates = 0;
    for (let step = 0; step < STEPS; step++) {
      clock.advance(STEP_MS);
      const roll = random();
      const device = devices[Math.floor(random() * devices.length)]!.id;
      if (roll < 0.4) {
        const data = `e${step}`;
        await session.event(device, 'reading', { metadata: '', data });
        sentEvents.push(data);
      } else if (roll < 0.75) {
        sentCommands.push(await sim.broker.sendCommand(device, 'set', { data: String(step) }));
      } else if (roll < 0.85) {
        const before = subscribed();
        expect(sim.broker.dropConnections()).toBe(1);
        drops += 1;
        // the reconnect waits on the fake clock; the next connection subscribes every device again
        await expect
          .poll(
            () => {
              clock.advance(1_000);
              return subscribed();
            },
            { timeout: 5_000, interval: 5 },
          )
          .toBe(before + 3);
      } else if (roll < 0.93) {
        await sim.broker.publish(`command/${device}/set`, '{not json');
        garbage += 1;
        await expect.poll(() => reported.length, { timeout: 5_000, interval: 5 }).toBe(garbage);
      } else if (sentCommands.length > 0) {
        const id = sentCommands[Math.floor(random() * sentCommands.length)]!;
        const original = sim.broker.commands.get(id)!;
        await sim.broker.publish(`command/${original.deviceId}/set`, { correlation_id: id, payload: { data: 'again' } });
        duplicates += 1;
      }
      // every command sent so far is answered before the next fault (none is in flight at a drop)
      await expect.poll(() => sentCommands.every((id) => sim.broker.commands.get(id)!.responses.length === 1), { timeout: 5_000, interval: 5 }).toBe(true);
    }
    expect(clock.now() - 1_700_000_000_000).toBeGreaterThanOrEqual(30 * 60_000);
    expect(drops).toBeGreaterThan(10);
    expect(garbage).toBeGreaterThan(5);
    expect(duplicates).toBeGreaterThan(3);

    const events = sim.broker.messages.filter((m) => m.kind === 'event').map((m) => (m.payload as { data: string }).data);
    expect(events).toEqual(sentEvents);
    expect(sentCommands.map((id) => sim.broker.commands.get(id)!.responses)).toEqual(sentCommands.map((id) => [{ metadata: null, data: `done ${id}` }]));
    expect(handled.map((c) => c.correlationId)).toEqual(sentCommands);
    // a drop may cut an answer's PUBREC/PUBCOMP short: the broker had it already (asserted above)
    expect(unconfirmed.every((id) => sentCommands.includes(id))).toBe(true);
    expect(reported.every((m) => /^command on command\/d\d\/set is not JSON$/.test(m))).toBe(true);
    expect(reported).toHaveLength(garbage);
    expect(session.stats.buffered).toBe(0);
    expect(session.stats.connections).toBe(drops + 1);
    expect(sim.broker.connectedClients).toBe(1);
    await session.close();
    await consumer;
    await expect.poll(() => sim.broker.connectedClients).toBe(0);
  });
});
