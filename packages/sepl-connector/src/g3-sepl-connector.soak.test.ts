// Soak: SeplConnector with protocol 'g3' for 30 simulated minutes (one fake clock for the
// connector's token expiry, HTTP retry waits, publish timeouts and reconnect backoff, and for the
// simulator's token lifetimes and broker outages) against the G3 simulator under a seeded fault
// schedule: dropped MQTT connections, stalled acknowledgements, broker outages (down, then back), hub REST 503s (retried, or
// failing when they outlast the retries), revoked access tokens (refresh) and revoked sessions
// (re-login), garbage commands. At the end every event the app sent was received exactly once,
// every command was answered exactly once (none lost, none twice), every REST operation either
// succeeded or failed with the 503, the platform's fleet equals the store, and nothing grew.
import { createTestClock, seededRandom, settle } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import { MemoryDeviceStore } from './memory-store.js';
import { countReadies } from './soak-support.js';
import { startSeplG3Simulator } from './testing/g3-simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const START = 1_700_000_000_000;
const STEP_MS = 10_000;
const STEPS = 190; // 31.7 simulated minutes
const TYPE = 'urn:infai:ses:device-type:1';
const BASE = ['d1', 'd2', 'd3'];

describe('SeplConnector protocol g3 soak', () => {
  it('seed 11: 30 simulated minutes of drops, stalls, outages, hub 503s and token expiry; every event once, every command answered once', async () => {
    const random = seededRandom(11);
    const clock = createTestClock({ start: START, auto: false });
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc', now: () => clock.now(), accessTtlS: 300, refreshTtlS: 900 });
    cleanup.push(() => sim.close());
    const store = new MemoryDeviceStore(BASE.map((id) => ({ id, type: TYPE, name: id })));
    const connector = new SeplConnector({
      protocol: 'g3',
      g3: { tokenUrl: sim.tokenUrl, clientId: 'cc', hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl, mqttUrl: sim.mqttUrl, ca: sim.caPem, hubName: 'soak' },
      user: 'alice',
      password: 'secret',
      store,
      clock,
      random,
      retry: { maxAttempts: 3, baseDelayInMs: 100, maxDelayInMs: 1_000 },
      reconnect: { initialDelayInMs: 1_000, maxDelayInMs: 30_000 },
    });
    cleanup.push(() => connector.close());
    const reported: string[] = [];
    connector.on('error', (e) => reported.push(e.message));
    const readies = countReadies(connector, clock);

    await settle(clock, connector.start());
    await readies.reconnected(0);
    const session = connector.g3!.session;
    const listeners = (['subscribed', 'closed', 'error', 'disconnected'] as const).map((e) => session.listenerCount(e));

    const handled: string[] = [];
    let responding = 0;
    const consumer = (async () => {
      for await (const command of connector.commands()) {
        handled.push(command.task_id);
        responding += 1;
        await connector.respond(command, { data: `done ${command.task_id}` }).finally(() => (responding -= 1));
      }
    })();

    const sentEvents: string[] = [];
    const sentCommands: string[] = [];
    const restOps = { ok: 0, failed: 0 };
    const counts = { drops: 0, outages: 0, garbage: 0, revokes: 0, faults: 0, stalls: 0 };
    let extra = 0;
    for (let step = 0; step < STEPS; step++) {
      clock.advance(STEP_MS);
      const roll = random();
      const device = BASE[Math.floor(random() * BASE.length)]!;
      if (roll < 0.35) {
        const data = `e${step}`;
        // now and then the broker holds its acknowledgement a little (a stall, well inside the timeout)
        if (random() < 0.2) {
          sim.control.faults.add({ kind: 'stall', method: 'PUBLISH', path: '/event/*', stallInMs: 20 });
          counts.stalls += 1;
        }
        await connector.event(device, 'reading', { data, metadata: '' });
        sentEvents.push(data);
      } else if (roll < 0.6) {
        sentCommands.push(await sim.broker.sendCommand(device, 'set', { data: String(step) }));
      } else if (roll < 0.68) {
        const before = readies.count;
        expect(sim.broker.dropConnections()).toBe(1);
        counts.drops += 1;
        await readies.reconnected(before);
      } else if (roll < 0.74) {
        const before = readies.count;
        expect(sim.broker.outage(5_000 + Math.floor(random() * 55_000)).dropped).toBe(1);
        counts.outages += 1;
        await readies.reconnected(before);
        expect(sim.broker.down).toBe(false);
      } else if (roll < 0.86) {
        // a device added, renamed or deleted, sometimes behind hub 503s (3 of them outlast the retries)
        const faults = Math.floor(random() * 4);
        if (faults > 0) {
          sim.control.faults.add({ kind: 'status', status: 503, path: '/hubs/*', count: faults });
          counts.faults += 1;
        }
        const existing = store.list().filter((d) => !BASE.includes(d.id));
        const op =
          existing.length > 0 && random() < 0.4
            ? connector.delete(existing[0]!.id)
            : connector.add(existing.length > 0 && random() < 0.5 ? { ...existing[0]!, name: `renamed ${step}` } : { id: `x${(extra += 1)}`, type: TYPE, name: `extra ${extra}` });
        try {
          await settle(clock, op);
          restOps.ok += 1;
        } catch (err) {
          expect(err).toMatchObject({ name: 'HttpError', status: 503, category: 'transient' });
          expect(faults).toBe(3);
          restOps.failed += 1;
        }
        sim.control.faults.clear();
      } else if (roll < 0.92) {
        // access tokens only (refresh), or the whole session (the refresh is refused: log in again)
        sim.rest.expireTokens('alice', random() < 0.5 ? 'access' : 'all');
        counts.revokes += 1;
      } else {
        await sim.broker.publish(`command/${device}/set`, '{not json');
        counts.garbage += 1;
        await expect.poll(() => reported.length, { timeout: 5_000, interval: 5 }).toBe(counts.garbage);
      }
      // every command so far answered (and its publish acknowledged) before the next fault
      await expect.poll(() => responding === 0 && sentCommands.every((id) => sim.broker.commands.get(id)!.responses.length === 1), { timeout: 5_000, interval: 5 }).toBe(true);
    }
    expect(clock.now() - START).toBeGreaterThanOrEqual(30 * 60_000);
    expect(counts.drops).toBeGreaterThan(8);
    expect(counts.outages).toBeGreaterThan(5);
    expect(counts.faults).toBeGreaterThan(5);
    expect(counts.revokes).toBeGreaterThan(5);
    expect(counts.garbage).toBeGreaterThan(5);
    expect(counts.stalls).toBeGreaterThan(3);
    expect(restOps.ok).toBeGreaterThan(10);
    expect(restOps.failed).toBeGreaterThan(0);

    // exactly once, in order
    const events = sim.broker.messages.filter((m) => m.kind === 'event').map((m) => (m.payload as { data: string }).data);
    expect(events).toEqual(sentEvents);
    expect(handled).toEqual(sentCommands);
    expect(sentCommands.map((id) => sim.broker.commands.get(id)!.responses)).toEqual(sentCommands.map((id) => [{ metadata: null, data: `done ${id}` }]));
    expect(reported.every((m) => /^command on command\/d\d\/set is not JSON$/.test(m))).toBe(true);
    // token expiry was lived through: refreshed, and logged in again after the session was revoked
    expect(sim.rest.grants.filter((g) => g === 'refresh_token').length).toBeGreaterThan(0);
    expect(sim.rest.grants.filter((g) => g === 'password').length).toBeGreaterThan(2);

    // a last change without faults brings the hub in line: the platform's fleet is the store's
    await settle(clock, connector.add({ id: 'd1', type: TYPE, name: 'd1' }));
    const hub = sim.hubs.get(connector.gatewayId!)!;
    expect(hub.device_local_ids).toEqual(store.list().map((d) => d.id));
    for (const d of store.list()) expect([...sim.devices.values()].find((x) => x.local_id === d.id)?.name).toBe(d.name);

    // flat: nothing buffered, no listener or timer left behind per connection or publish
    expect(session.stats.buffered).toBe(0);
    expect(session.stats.connections).toBe(counts.drops + counts.outages + 1);
    expect((['subscribed', 'closed', 'error', 'disconnected'] as const).map((e) => session.listenerCount(e))).toEqual(listeners);
    expect(clock.pending).toBeLessThanOrEqual(2);
    expect(sim.broker.connectedClients).toBe(1);
    await connector.close();
    await consumer;
    await expect.poll(() => sim.broker.connectedClients).toBe(0);
  });
});
