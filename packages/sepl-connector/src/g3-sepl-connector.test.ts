// SeplConnector with protocol 'g3' against the G3 simulator: the same API as G1/G2 (start, ready,
// add/update/delete, event with protocol parts, commands in the common shape, respond, close).
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import type { SeplCommand } from './command.js';
import { SeplNotConnectedError } from './errors.js';
import { g3CommandFromSepl, g3DataFromParts, seplCommandFromG3 } from './g3-commands.js';
import { MemoryDeviceStore } from './memory-store.js';
import type { ReadyInfo } from './session.js';
import { startSeplG3Simulator, type SeplG3Simulator } from './testing/g3-simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const TYPE = 'urn:infai:ses:device-type:1';

async function setup(store = new MemoryDeviceStore([{ id: 'lamp', type: TYPE, name: 'Lamp' }]), trusted = true): Promise<{ sim: SeplG3Simulator; connector: SeplConnector; store: MemoryDeviceStore }> {
  const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
  cleanup.push(() => sim.close());
  const connector = new SeplConnector({
    protocol: 'g3',
    g3: { tokenUrl: sim.tokenUrl, clientId: 'cc', hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl, mqttUrl: sim.mqttUrl, hubName: 'hall', ...(trusted ? { ca: sim.caPem } : {}) },
    user: 'alice',
    password: 'secret',
    store,
    reconnect: { initialDelayInMs: 10, maxDelayInMs: 50 },
  });
  cleanup.push(() => connector.close());
  return { sim, connector, store };
}

describe('SeplConnector protocol g3', () => {
  it('starts (hub created, fleet synced), emits ready per connection, answers a command in the common shape after a drop', async () => {
    const { sim, connector } = await setup();
    const ready: ReadyInfo[] = [];
    connector.on('ready', (info) => ready.push(info));
    const commands = connector.commands();
    const info = await connector.start();
    expect(info).toEqual({ protocol: 'g3', gatewayId: connector.gatewayId, hash: expect.stringMatching(/^[0-9a-f]{40}$/), resynced: true, url: sim.mqttUrl });
    expect(connector.gatewayId).toMatch(/^urn:infai:ses:hub:/);
    expect(connector.g3?.hubId).toBe(connector.gatewayId);
    expect(connector.state).toBe('ready');
    await expect.poll(() => ready.length).toBe(1);
    expect(sim.broker.dropConnections()).toBe(1);
    await expect.poll(() => ready.length).toBe(2);
    expect(ready[1]).toEqual({ ...info, resynced: false });
    const correlationId = await sim.broker.sendCommand('lamp', 'on', { data: '1', metadata: 'm' });
    const { value } = await commands.next();
    const command = value as SeplCommand & { g3: unknown };
    expect(command).toEqual({
      device_url: 'lamp',
      service_url: 'on',
      service_name: 'on',
      time: expect.stringMatching(/^\d+$/),
      task_id: correlationId,
      protocol_parts: [
        { name: 'data', value: '1' },
        { name: 'metadata', value: 'm' },
      ],
      device_instance_id: '',
      worker_id: '',
      output_name: '',
      g3: expect.objectContaining({ correlationId, deviceId: 'lamp', serviceId: 'on', completionStrategy: 'pessimistic' }),
    });
    await connector.respond(command, { data: 'ok' });
    await expect.poll(() => sim.broker.commands.get(correlationId)?.responses).toEqual([{ metadata: null, data: 'ok' }]);
    await expect(connector.respond(command, { data: 'again' })).rejects.toThrow(`command ${correlationId} was answered already`);
  });

  it('sends events with protocol parts and keeps the platform in line on add, update and delete', async () => {
    const { sim, connector, store } = await setup();
    await connector.start();
    const hubId = connector.gatewayId as string;
    await connector.event('lamp', 'power', { data: '42', metadata: 'W' });
    await expect.poll(() => sim.broker.messages.filter((m) => m.kind === 'event').map((m) => [m.deviceId, m.serviceId, m.payload])).toEqual([['lamp', 'power', { metadata: 'W', data: '42' }]]);
    await expect(connector.event('lamp', 'power', { value: '1' })).rejects.toThrow(new RangeError("parts: G3 carries only the parts 'data' and 'metadata', not 'value'"));
    await connector.add({ id: 'fan', type: TYPE, name: 'Fan' });
    expect(sim.hubs.get(hubId)?.device_local_ids).toEqual(['lamp', 'fan']);
    await connector.update({ id: 'fan', type: TYPE, name: 'Big fan' });
    expect([...sim.devices.values()].find((d) => d.local_id === 'fan')?.name).toBe('Big fan');
    await connector.delete('lamp');
    expect(sim.hubs.get(hubId)?.device_local_ids).toEqual(['fan']);
    expect(store.list()).toEqual([{ id: 'fan', type: TYPE, name: 'Big fan' }]);
  });

  it('before start(): add and delete change only the store, event and respond are not connected; close() ends iterators and done', async () => {
    const { sim, connector, store } = await setup(new MemoryDeviceStore());
    await connector.add({ id: 'fan', type: TYPE, name: 'Fan' });
    await connector.disconnect('fan');
    expect(store.list()).toEqual([]);
    expect(sim.requests).toEqual([]);
    await expect(connector.event('fan', 'power', { data: '1' })).rejects.toBeInstanceOf(SeplNotConnectedError);
    expect(() => connector.session).toThrow(new RangeError("protocol 'g3' has no websocket session: use connector.g3.session"));
    const commands = connector.commands();
    await connector.close();
    expect(await commands.next()).toEqual({ done: true, value: undefined });
    await expect(connector.done).resolves.toBeUndefined();
    expect(connector.state).toBe('closed');
  });

  it('an untrusted broker certificate is fatal: start(), done and the iterators reject with it, closed emitted once', async () => {
    const { connector } = await setup(undefined, false);
    const closed: Array<{ error: Error | undefined }> = [];
    connector.on('closed', (e) => closed.push(e));
    connector.on('error', () => undefined);
    const commands = connector.commands();
    const started = connector.start();
    await expect(started).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await expect(connector.done).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await expect(commands.next()).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(closed).toHaveLength(1);
    expect(connector.state).toBe('closed');
  });

  it('checks the g3 options, naming them', () => {
    const base = { protocol: 'g3' as const, user: 'u', password: 'p' };
    expect(() => new SeplConnector(base)).toThrow(new TypeError("options.g3 ({ tokenUrl, clientId, hubUrl, deviceUrl, mqttUrl }) is required with protocol 'g3'"));
    expect(() => new SeplConnector({ ...base, g3: { tokenUrl: 'http://t', clientId: '', hubUrl: 'h', deviceUrl: 'd', mqttUrl: 'm' } })).toThrow(new TypeError('options.g3.clientId must be a non-empty string'));
    expect(() => new SeplConnector({ ...base, protocol: 'g4' as never })).toThrow(new RangeError("options.protocol must be 'g1', 'g2' or 'g3'"));
  });

  it('maps payloads both ways', () => {
    const g3 = { deviceId: 'd', serviceId: 's', correlationId: 'c', data: null, metadata: null, completionStrategy: null, timestamp: null };
    expect(seplCommandFromG3(g3)).toMatchObject({ time: '', protocol_parts: [], task_id: 'c' });
    expect(g3CommandFromSepl(JSON.parse(JSON.stringify(seplCommandFromG3(g3))) as SeplCommand)).toEqual(g3);
    expect(() => g3CommandFromSepl({ task_id: 'c' } as SeplCommand)).toThrow(new TypeError('command.device_url and command.service_url must be non-empty strings'));
    expect(g3DataFromParts([{ name: 'data', value: '1' }])).toEqual({ metadata: null, data: '1' });
    expect(g3DataFromParts(null)).toEqual({ metadata: null, data: null });
  });
});
