import { systemClock } from '@x/http-core';
import { testCertificate } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector, type SeplConnectorOptions } from './client.js';
import type { SeplDevice } from './device.js';
import { MemoryDeviceStore } from './memory-store.js';
import { startSeplSimulator } from './testing/simulator.js';

const TYPE = 'iot#d66ec9bc-e37f-4f35-a788-027301aad6c2';
const lamp: SeplDevice = { id: 'ZWAY_lamp_10', type: TYPE, name: 'Lamp' };

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(options: Partial<SeplConnectorOptions> = {}, simOptions: Parameters<typeof startSeplSimulator>[0] = {}) {
  const sim = await startSeplSimulator({ users: { bob: 'pw-bob' }, ...simOptions });
  cleanup.push(() => sim.close());
  const connector = new SeplConnector({
    protocol: 'g1',
    lookupUrl: sim.lookupUrl,
    user: 'bob',
    password: 'pw-bob',
    store: new MemoryDeviceStore([lamp]),
    reconnect: { initialDelayInMs: 20, maxDelayInMs: 50 },
    lookupRetryDelayInMs: 20,
    ...options,
  });
  cleanup.push(() => connector.close());
  return { sim, connector };
}

describe('G1 seed protocol against the simulator', () => {
  it('looks up the websocket, sends credentials, registers devices and sends update', async () => {
    const { sim, connector } = await setup();
    const info = await connector.start();
    await sim.waitForFrame((f) => f.handler === 'update');
    expect(info).toMatchObject({ protocol: 'g1', gatewayId: undefined, resynced: true, url: `${sim.websocketUrl}/` });
    expect(sim.received.map((f) => [f.generation, f.handler])).toEqual([
      ['g1', 'credentials'],
      ['g1', 'update'],
    ]);
    expect(sim.received[0]!.payload).toEqual({ user: 'bob', gid: undefined });
    expect(sim.registrations).toEqual([{ user: 'bob', path: '/discovery', devices: [{ id: 'ZWAY_lamp_10', zway_type: TYPE, title: 'Lamp' }] }]);
  });

  it('registers an added device by POST followed by the update frame', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    await connector.add({ id: 'new-1', type: TYPE, name: 'New' });
    await sim.waitForFrame((f) => f.handler === 'update', { after: 2 });
    expect(sim.registrations.at(-1)!.devices).toEqual([{ id: 'new-1', zway_type: TYPE, title: 'New' }]);
    expect(sim.received.map((f) => f.handler)).toEqual(['credentials', 'update', 'update']);
  });

  it('has no unregister: disconnect and delete are unsupported', async () => {
    const { connector } = await setup();
    await connector.start();
    await expect(connector.delete('ZWAY_lamp_10')).rejects.toMatchObject({ name: 'SeplUnsupportedError', message: 'delete does not exist in the seed protocol (G1)' });
    await expect(connector.disconnect('ZWAY_lamp_10')).rejects.toMatchObject({ name: 'SeplUnsupportedError' });
    expect(await connector.store.get('ZWAY_lamp_10')).toEqual(lamp);
  });

  it('frames events as change: and responses as response:, commands arrive as raw JSON', async () => {
    const { sim, connector } = await setup({ clock: { ...systemClock, now: () => 1_500_554_317_000 } });
    await connector.start();
    await connector.event('ZWAY_lamp_10', 'sepl_get', { header: '', body: '21.5' });
    const change = await sim.waitForFrame((f) => f.handler === 'change');
    expect(change.raw).toBe(
      'change:{"device_url":"ZWAY_lamp_10","service_url":"sepl_get","service_name":"sepl_get","time":"1500554317","protocol_parts":[{"name":"header","value":""},{"name":"body","value":"21.5"}]}',
    );
    const answered = sim.sendCommand('ZWAY_lamp_10', 'sepl_get', null);
    const { value: command } = await connector.commands().next();
    expect(command.protocol_parts).toBeNull();
    expect(sim.sent.at(-1)!.raw.startsWith('{"worker_id"')).toBe(true);
    await connector.respond(command, { body: 'on' });
    const response = await answered;
    expect(response).toEqual({ ...command, protocol_parts: [{ name: 'body', value: 'on' }] });
    expect(sim.framesOf('response')[0]!.raw).toBe(`response:${JSON.stringify(response)}`);
    expect(sim.events.map((e) => [e.generation, e.deviceId, e.platformId?.startsWith('iot#')])).toEqual([['g1', 'ZWAY_lamp_10', true]]);
  });

  it('skips the lookup when the websocket URL is given', async () => {
    const sim = await startSeplSimulator({ users: { bob: 'pw-bob' } });
    cleanup.push(() => sim.close());
    const direct = new SeplConnector({ protocol: 'g1', url: sim.websocketUrl, user: 'bob', password: 'pw-bob' });
    cleanup.push(() => direct.close());
    expect((await direct.start()).url).toBe(`${sim.websocketUrl}/`);
    expect(sim.registrations).toEqual([{ user: 'bob', path: '/discovery', devices: [] }]);
  });

  it('registers at the lookup host with a custom path when configured', async () => {
    const { sim, connector } = await setup({ registrationBase: 'lookup', registrationPath: 'api/devices' }, { registrationPath: 'api/devices' });
    await connector.start();
    expect(sim.registrations[0]!.path).toBe('/api/devices');
  });

  it('retries the lookup until it answers', async () => {
    const sim = await startSeplSimulator();
    cleanup.push(() => sim.close());
    const bad = new SeplConnector({ protocol: 'g1', lookupUrl: `${sim.url}missing`, user: 'bob', password: 'pw-bob', lookupRetryDelayInMs: 20 });
    cleanup.push(() => bad.close());
    const errors: string[] = [];
    const twice = new Promise<void>((resolve) =>
      bad.on('error', (e) => {
        errors.push(`${e.name} ${(e as unknown as { status: number }).status}`);
        if (errors.length === 2) resolve();
      }),
    );
    void bad.start().catch(() => undefined);
    await twice;
    expect(errors).toEqual(['HttpError 404', 'HttpError 404']);
    expect(bad.state).toBe('connecting');
  });

  it('stops with SeplAuthError when the registration rejects the credentials', async () => {
    const { sim, connector } = await setup({ password: 'nope' });
    await expect(connector.start()).rejects.toMatchObject({ name: 'SeplAuthError', message: 'credentials rejected by the registration endpoint (status 401)' });
    expect(connector.state).toBe('closed');
    expect(sim.registrations).toEqual([]);
  });

  it('reconnects after a dropped socket: lookup, credentials and registration again', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    await sim.waitForFrame((f) => f.handler === 'update');
    const ready = new Promise((resolve) => connector.once('ready', resolve));
    sim.dropConnections();
    await ready;
    await sim.waitForFrame((f) => f.handler === 'update', { after: 3 });
    expect(sim.received.map((f) => f.handler)).toEqual(['credentials', 'update', 'credentials', 'update']);
    expect(sim.registrations).toHaveLength(2);
  });

  it('reconnects after a silent server (no pong within pongTimeoutInMs)', async () => {
    const { sim, connector } = await setup({ pingAfterInMs: 40, pongTimeoutInMs: 200 });
    await connector.start();
    const reconnecting = new Promise<{ error: Error | undefined }>((resolve) => connector.once('reconnecting', resolve));
    sim.answerPings = false;
    expect((await reconnecting).error?.message).toBe('no pong within 200 ms after a ping');
    sim.answerPings = true;
    await new Promise((resolve) => connector.once('ready', resolve));
    expect(sim.framesOf('credentials', 'g1')).toHaveLength(2);
    expect(sim.registrations).toHaveLength(2);
  });

  it('with https set, upgrades ws: to wss: and registers over https (TLS simulator)', async () => {
    const { key, cert, ca } = testCertificate();
    const sim = await startSeplSimulator({ users: { bob: 'pw-bob' }, tls: { key, cert } });
    cleanup.push(() => sim.close());
    expect(sim.lookupUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/lookup$/);
    const plainUrl = sim.websocketUrl.replace('wss:', 'ws:');
    const connector = new SeplConnector({ protocol: 'g1', url: plainUrl, https: true, tls: { ca }, user: 'bob', password: 'pw-bob', store: new MemoryDeviceStore([lamp]) });
    cleanup.push(() => connector.close());
    expect((await connector.start()).url).toBe(`${sim.websocketUrl}/`);
    expect(sim.registrations).toHaveLength(1);
    const viaLookup = new SeplConnector({ lookupUrl: sim.lookupUrl, tls: { ca }, user: 'bob', password: 'pw-bob' });
    cleanup.push(() => viaLookup.close());
    expect((await viaLookup.start()).url).toBe(`${sim.websocketUrl}/`);
  });

  it('uses https/wss for everything when https is set', async () => {
    const { connector } = await setup({ https: true, reconnect: { initialDelayInMs: 10_000 } });
    const failure = new Promise<Error>((resolve) => connector.once('reconnecting', (r) => resolve(r.error!)));
    connector.on('error', () => undefined);
    void connector.start().catch(() => undefined);
    // the plain simulator cannot speak TLS: the wss: connection fails
    expect((await failure).message).toMatch(/wrong version number|EPROTO|ssl|tls|socket hang up|Unexpected server response/i);
  });
});
