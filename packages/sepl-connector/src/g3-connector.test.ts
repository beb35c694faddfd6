// The G3 gateway end to end against the simulator: first start creates the hub and the devices,
// a restart with the same fleet writes nothing, add/delete keep the platform and the hub in line,
// events and command answers flow over MQTT.
import { afterEach, describe, expect, it } from 'vitest';
import { G3Connector, type G3ConnectorOptions } from './g3-connector.js';
import { MemoryDeviceStore } from './memory-store.js';
import { startSeplG3Simulator, type SeplG3Simulator } from './testing/g3-simulator.js';

/** The command topics a hub subscribed to, in order (the error topics left out). */
function commandSubs(sim: SeplG3Simulator, hubId: string): string[] {
  return (sim.broker.subscriptions.get(hubId) ?? []).filter((t) => t.startsWith('command/'));
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const TYPE = 'urn:infai:ses:device-type:1';

function connector(sim: SeplG3Simulator, store: MemoryDeviceStore, extra: Partial<G3ConnectorOptions> = {}): G3Connector {
  const c = new G3Connector({
    tokenUrl: sim.tokenUrl,
    clientId: 'cc',
    hubUrl: sim.hubUrl,
    deviceUrl: sim.deviceUrl,
    mqttUrl: sim.mqttUrl,
    ca: sim.caPem,
    user: 'alice',
    password: 'secret',
    store,
    hubName: 'hall',
    reconnect: { initialDelayInMs: 10, maxDelayInMs: 50 },
    ...extra,
  });
  cleanup.push(() => c.close());
  return c;
}

const writes = (sim: SeplG3Simulator, from = 0) => sim.requests.slice(from).filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && r.path !== '/auth/token').map((r) => `${r.method} ${r.path}`);

describe('G3Connector', () => {
  it('creates the hub and devices on first start; a restart with the same fleet writes nothing', async () => {
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
    cleanup.push(() => sim.close());
    const store = new MemoryDeviceStore([{ id: 'lamp', type: TYPE, name: 'Lamp' }]);
    const first = connector(sim, store);
    const info = await first.start();
    await expect.poll(() => commandSubs(sim, info.hubId)).toEqual(['command/lamp/+']);
    expect(info).toEqual({ protocol: 'g3', hubId: expect.stringMatching(/^urn:infai:ses:hub:/), hubCreated: true, hash: expect.any(String), synced: true });
    expect(store.getGatewayId()).toBe(info.hubId);
    expect(writes(sim)).toEqual(['POST /hubs', 'POST /devices', `PUT /hubs/${encodeURIComponent(info.hubId)}`]);
    expect(sim.hubs.get(info.hubId)).toMatchObject({ name: 'hall', device_local_ids: ['lamp'] });
    await first.close();
    const mark = sim.requests.length;
    const again = connector(sim, store);
    expect(await again.start()).toEqual({ protocol: 'g3', hubId: info.hubId, hubCreated: false, hash: info.hash, synced: false });
    expect(writes(sim, mark)).toEqual([]);
    await expect.poll(() => commandSubs(sim, info.hubId)).toEqual(['command/lamp/+', 'command/lamp/+']);
  });

  it('adds and deletes devices on the platform and the hub, sends events and answers commands', async () => {
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
    cleanup.push(() => sim.close());
    const c = connector(sim, new MemoryDeviceStore());
    const { hubId } = await c.start();
    await c.add({ id: 'plug', type: TYPE, name: 'Plug' });
    expect(sim.hubs.get(hubId)!.device_local_ids).toEqual(['plug']);
    await expect.poll(() => commandSubs(sim, hubId)).toEqual(['command/plug/+']);
    await c.event('plug', 'power', { metadata: '', data: '7' });
    const id = await sim.broker.sendCommand('plug', 'on', { data: '1' });
    const { value } = await c.commands().next();
    await c.respond(value as never, { data: 'done' });
    await expect.poll(() => sim.broker.commands.get(id)!.responses).toEqual([{ metadata: null, data: 'done' }]);
    expect(sim.broker.messages.map((m) => [m.kind, m.deviceId, m.serviceId])).toEqual([
      ['event', 'plug', 'power'],
      ['response', 'plug', 'on'],
    ]);
    await c.delete('plug');
    expect(sim.hubs.get(hubId)!.device_local_ids).toEqual([]);
    expect([...sim.devices.keys()]).toEqual([]);
  });

  it('a hub the platform no longer has is replaced by a new one', async () => {
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
    cleanup.push(() => sim.close());
    const store = new MemoryDeviceStore([], 'urn:infai:ses:hub:gone');
    const info = await connector(sim, store, { hubName: undefined }).start();
    expect(info.hubCreated).toBe(true);
    expect(sim.hubs.get(info.hubId)!.name).toMatch(/^alice-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('validates its options and its calls', async () => {
    expect(() => new G3Connector({ tokenUrl: '', clientId: 'c', hubUrl: 'h', deviceUrl: 'd', mqttUrl: 'm', user: 'u', password: 'p' })).toThrow(new TypeError('options.tokenUrl must be a non-empty string'));
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
    cleanup.push(() => sim.close());
    const c = connector(sim, new MemoryDeviceStore());
    expect(() => c.session).toThrow(new RangeError('start() the connector first'));
    await expect(c.delete('')).rejects.toThrow(new TypeError('deviceId must be a non-empty string'));
  });
});
