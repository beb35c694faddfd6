// The G3 data plane against the simulator's TLS MQTT broker (aedes): login as the hub, events
// and command responses on the reference topics, one answer per command, re-delivered commands
// dropped, subscriptions restored after a drop, refused logins and untrusted certificates fatal.
import { errorCategory } from '@x/http-core';
import { createTestClock } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createG3Http } from './g3-http.js';
import { G3PlatformClient } from './g3-platform.js';
import { G3Session, type G3SessionOptions } from './g3-session.js';
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

async function setup(): Promise<{ sim: SeplG3Simulator; hubId: string; session: (o?: Partial<G3SessionOptions>) => G3Session }> {
  const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
  cleanup.push(() => sim.close());
  const g3 = createG3Http({ clock: createTestClock(), retry: false }, { tokenUrl: sim.tokenUrl, clientId: 'cc', user: 'alice', password: 'secret' });
  cleanup.push(() => g3.http.close());
  const platform = new G3PlatformClient(g3.http, { hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl });
  const hubId = await platform.createHub('hub');
  await platform.putDevice({ id: 'lamp', name: 'Lamp', type: TYPE });
  await platform.putDevice({ id: 'plug', name: 'Plug', type: TYPE });
  await platform.syncHub(hubId, [{ id: 'lamp', name: 'Lamp', type: TYPE }, { id: 'plug', name: 'Plug', type: TYPE }]);
  const session = (o: Partial<G3SessionOptions> = {}): G3Session => {
    const s = new G3Session({ url: sim.mqttUrl, hubId, user: 'alice', password: 'secret', ca: sim.caPem, devices: ['lamp'], reconnect: { initialDelayInMs: 10, maxDelayInMs: 50 }, ...o });
    cleanup.push(() => s.close());
    return s;
  };
  return { sim, hubId, session };
}

describe('G3 MQTT session', () => {
  it('publishes events and answers a command once on the reference topics', async () => {
    const { sim, hubId, session } = await setup();
    const s = session();
    await s.start();
    await expect.poll(() => commandSubs(sim, hubId)).toEqual(['command/lamp/+']);
    await s.event('lamp', 'power', { metadata: '', data: '42' });
    await expect.poll(() => sim.broker.messages.length).toBe(1);
    expect(sim.broker.messages[0]).toEqual({ kind: 'event', user: 'alice', clientId: hubId, deviceId: 'lamp', serviceId: 'power', payload: { metadata: '', data: '42' } });
    const correlationId = await sim.broker.sendCommand('lamp', 'on', { data: '{"on":true}' });
    const { value: command } = await s[Symbol.asyncIterator]().next();
    expect(command).toEqual({ deviceId: 'lamp', serviceId: 'on', correlationId, data: '{"on":true}', metadata: null, completionStrategy: 'pessimistic', timestamp: expect.any(Number) });
    await s.respond(command, { data: 'ok' });
    await expect(s.respond(command, { data: 'again' })).rejects.toThrow(new RangeError(`command ${correlationId} was answered already`));
    await expect.poll(() => sim.broker.commands.get(correlationId)!.responses).toEqual([{ metadata: null, data: 'ok' }]);
  });

  it('a command re-delivered with the same correlation id is handed out once; garbage is reported', async () => {
    const { sim, session } = await setup();
    const s = session();
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    await s.start();
    await expect.poll(() => sim.broker.subscriptions.size).toBe(1);
    const body = { correlation_id: 'c-1', payload: { data: '1' }, completion_strategy: 'optimistic', timestamp: 1 };
    await sim.broker.publish('command/lamp/on', body);
    await sim.broker.publish('command/lamp/on', 'not json');
    await sim.broker.publish('command/lamp/on', body);
    await sim.broker.publish('command/lamp/on', { ...body, correlation_id: 'c-2' });
    const it = s[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ correlationId: 'c-1' });
    expect((await it.next()).value).toMatchObject({ correlationId: 'c-2' });
    expect(errors.map((e) => e.message)).toEqual(['command on command/lamp/on is not JSON']);
  });

  it('reconnects after a drop and subscribes again, also to devices added later', async () => {
    const { sim, hubId, session } = await setup();
    const s = session();
    await s.start();
    await s.subscribe('plug');
    await expect.poll(() => commandSubs(sim, hubId)).toEqual(['command/lamp/+', 'command/plug/+']);
    const resubscribed = new Promise((resolve) => s.once('subscribed', resolve));
    expect(sim.broker.dropConnections()).toBe(1);
    expect(await resubscribed).toEqual({ connection: 2, devices: ['lamp', 'plug'] });
    expect(commandSubs(sim, hubId)).toHaveLength(4);
    expect(commandSubs(sim, hubId).slice(2).sort()).toEqual(['command/lamp/+', 'command/plug/+']);
    const id = await sim.broker.sendCommand('plug', 'off');
    expect((await s[Symbol.asyncIterator]().next()).value).toMatchObject({ correlationId: id, deviceId: 'plug' });
    await s.unsubscribe('plug');
    await expect(s.subscribe('a/b')).rejects.toThrow(new TypeError('deviceId must be a non-empty string without /, + or #'));
  });

  it('an event while disconnected is a not-connected error; a refused subscription is reported', async () => {
    const { session } = await setup();
    const s = session({ devices: ['lamp', 'stranger'] });
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    await expect(s.event('lamp', 'power', { data: '1' })).rejects.toMatchObject({ name: 'SeplNotConnectedError' });
    await s.start();
    await expect.poll(() => errors.map((e) => e.message)).toEqual(['subscribe request failed with status 403: the broker refused command/stranger/+']);
  });

  it('a refused login and an untrusted broker certificate end the session (no retry)', async () => {
    const { session } = await setup();
    const bad = session({ password: 'wrong' });
    bad.on('error', () => undefined);
    const error = await bad.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SeplAuthError', status: 4 });
    expect(errorCategory(error)).toBe('auth');
    const untrusted = session({ ca: undefined });
    untrusted.on('error', () => undefined);
    const tls = await untrusted.start().catch((e: unknown) => e);
    expect(tls).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(untrusted.stats.attempts).toBe(1);
  });

  it('surfaces the platform error topics of the hub and its devices as SeplPlatformErrors and goes on', async () => {
    const { sim, hubId, session } = await setup();
    const s = session();
    const errors: Error[] = [];
    s.on('error', (e) => errors.push(e));
    await s.start();
    await expect.poll(() => sim.broker.subscriptions.get(hubId)).toEqual(['command/lamp/+', 'error', 'error/device/lamp']);
    await sim.broker.publish('error/device/lamp', 'unknown service power');
    await sim.broker.publish('error', 'hub is not allowed to send');
    await expect.poll(() => errors.length).toBe(2);
    expect(errors.map((e) => [e.name, (e as { code?: string }).code, e.message, (e as { deviceId?: string }).deviceId, errorCategory(e)])).toEqual([
      ['SeplPlatformError', 'SEPL_PLATFORM_ERROR', 'platform error on error/device/lamp: unknown service power', 'lamp', 'protocol'],
      ['SeplPlatformError', 'SEPL_PLATFORM_ERROR', 'platform error on error: hub is not allowed to send', undefined, 'protocol'],
    ]);
    await s.event('lamp', 'power', { data: '1' });
    await expect.poll(() => sim.broker.messages.length).toBe(1);
  });

  it('validates its options', () => {
    expect(() => new G3Session({ url: '', hubId: 'h', user: 'u', password: 'p' })).toThrow(new TypeError('options.url must be a non-empty string'));
    expect(() => new G3Session({ url: 'mqtts://x', hubId: 'h', user: 'u', password: 'p', keepaliveInS: 0 })).toThrow(RangeError);
  });
});
