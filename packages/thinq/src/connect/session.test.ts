import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClock } from '@x/http-core/testing';
import { ConnectClient } from './client.js';
import { ConnectPush } from './session.js';
import { parseMqttServer } from './mqtt-server.js';
import type { PushEvent } from './push-events.js';
import { stateOfLocation } from './profile.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';
import { generateClientKeyPair, type ClientKeyPair } from './x509.js';

const delivered: string[] = [];

// Tests that make RSA-2048 keys (the simulator's CA on first use, a client key pair on start) take
// from a fraction of a second to several seconds each on a busy 2-core machine: generous limits.
const KEYGEN_TIMEOUT = 60_000;
// The first describe makes its key pair through ConnectPush itself; the later tests share one, made once.
let sharedKeyPair: Promise<ClientKeyPair> | undefined;
const keyPair = (): Promise<ClientKeyPair> => (sharedKeyPair ??= generateClientKeyPair());

async function nextEvent(it: AsyncIterator<PushEvent>): Promise<PushEvent> {
  const r = await it.next();
  if (r.done) throw new Error('iterator ended');
  return r.value;
}

/**
 * The next event that was not delivered before. MQTT QoS 1 is at-least-once: after a reconnect the
 * broker may resend a message whose acknowledgement was cut off; such copies must equal an earlier one.
 */
async function nextNew(it: AsyncIterator<PushEvent>): Promise<PushEvent> {
  for (;;) {
    const e = await nextEvent(it);
    const key = JSON.stringify(e.raw);
    if (!delivered.includes(key)) {
      delivered.push(key);
      return e;
    }
  }
}

describe('Connect push over MQTT with mutual TLS (end to end)', () => {
  let sim: ThinqSimulator;
  let client: ConnectClient;
  let push: ConnectPush;
  const clock = createTestClock({ auto: false, start: 1_000_000 });
  const errors: unknown[] = [];
  // One consumer at a time: the tests share one iterator.
  let events: AsyncIterator<PushEvent> | undefined;
  const iterator = (): AsyncIterator<PushEvent> => (events ??= push[Symbol.asyncIterator]());

  beforeAll(async () => {
    sim = await startThinqSimulator();
    client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: 'push-client-1', baseUrl: sim.connectUrl });
    push = new ConnectPush(client, {
      caPem: sim.caPem,
      deviceIds: ['sim-conn-ac-0001', 'sim-conn-washer-0001'],
      eventSubscriptionHours: 2,
      renewIntervalInMs: 3_600_000,
      reconnect: { initialDelayInMs: 100, maxDelayInMs: 100 },
      clock,
      random: () => 0.5,
    });
    push.on('error', (err) => errors.push(err));
  }, KEYGEN_TIMEOUT);
  afterAll(async () => {
    await push.close();
    await client.close();
    await sim.close();
  });

  it('registers, gets a certificate for its CSR, subscribes and connects', { timeout: KEYGEN_TIMEOUT }, async () => {
    await push.start();
    expect(push.connected).toBe(true);
    expect(sim.connect.clients.get('push-client-1')).toEqual({ topics: ['app/clients/push-client-1/push'], certificates: 1 });
    expect([...sim.connect.pushSubscriptions]).toEqual(['push-client-1 sim-conn-ac-0001', 'push-client-1 sim-conn-washer-0001']);
    expect([...sim.connect.eventSubscriptions.keys()]).toEqual(['push-client-1 sim-conn-ac-0001', 'push-client-1 sim-conn-washer-0001']);
    expect(sim.broker?.subscriptions.get('push-client-1')).toEqual(['app/clients/push-client-1/push']);
    expect(push.deviceState('sim-conn-ac-0001')).toMatchObject({ temperature: { targetTemperature: 24 } });
    // start() is idempotent: a second call answers with the same (settled) promise.
    expect(push.start()).toBe(push.start());
    await expect(push.start()).resolves.toBeUndefined();
  });

  it('delivers DEVICE_STATUS reports merged into the cached state, and DEVICE_PUSH notifications', async () => {
    const it = iterator();
    await client.control('sim-conn-ac-0001', { temperature: { targetTemperature: 21 } });
    const status = await nextNew(it);
    expect(status).toMatchObject({ type: 'status', deviceId: 'sim-conn-ac-0001', deviceType: 'DEVICE_AIR_CONDITIONER', report: { temperature: { targetTemperature: 21 } } });
    expect(status.type === 'status' && status.state).toMatchObject({ temperature: { currentTemperature: 27, targetTemperature: 21, unit: 'C' }, airFlow: { windStrength: 'AUTO' } });

    await client.control('sim-conn-washer-0001', { operation: { washerOperationMode: 'START' } });
    const washer = await nextNew(it);
    expect(washer).toMatchObject({ type: 'status', deviceId: 'sim-conn-washer-0001', report: { runState: { currentState: 'RUNNING' } } });
    expect(stateOfLocation(push.deviceState('sim-conn-washer-0001') ?? {}, 'MAIN')).toMatchObject({ runState: { currentState: 'RUNNING' }, timer: { remainHour: 1 } });

    await sim.connect.notify('sim-conn-washer-0001', 'WASHING_IS_COMPLETE');
    expect(await nextNew(it)).toMatchObject({ type: 'notification', deviceId: 'sim-conn-washer-0001', pushCode: 'WASHING_IS_COMPLETE' });
    // A device this client did not subscribe to produces nothing.
    await sim.connect.notify('sim-conn-fridge-0001', 'DOOR_IS_OPEN');
    await sim.connect.report('sim-conn-ac-0001', { airFlow: { windStrength: 'HIGH' } });
    expect(await nextNew(it)).toMatchObject({ type: 'status', report: { airFlow: { windStrength: 'HIGH' } } });
  });

  it('reconnects with backoff after the connection drops, reusing its certificate', async () => {
    const reconnecting = once(push, 'reconnecting');
    sim.broker?.dropConnections();
    const [info] = (await reconnecting) as [{ attempt: number; delayInMs: number }];
    expect(info).toMatchObject({ attempt: 1, delayInMs: 50 });
    expect((info as { error?: unknown }).error).toBeInstanceOf(Error);
    expect(push.connected).toBe(false);
    const connected = once(push, 'connected');
    clock.advance(50);
    await connected;
    expect(push.connected).toBe(true);
    // LG warns against excessive client creation: the certificate is reused while it is valid.
    expect(sim.connect.clients.get('push-client-1')?.certificates).toBe(1);
    const it = iterator();
    await sim.connect.report('sim-conn-ac-0001', { powerSave: { powerSaveEnabled: true } });
    expect(await nextNew(it)).toMatchObject({ type: 'status', report: { powerSave: { powerSaveEnabled: true } } });
  });

  it('keeps reconnecting while the broker refuses its certificate: a new one is asked for, the forgotten client registers again', async () => {
    const next = <T>(event: string) => new Promise<T>((resolve) => (push as unknown as NodeJS.EventEmitter).once(event, resolve));
    sim.connect.stop(); // the simulator forgets the registered client and revokes it at the broker
    const errorsBefore = errors.length;
    let reconnecting = next<{ attempt: number; delayInMs: number }>('reconnecting');
    sim.broker?.dropConnections();
    expect(await reconnecting).toMatchObject({ attempt: 1, delayInMs: 50 });
    // The reused certificate is refused at CONNACK (5, not authorized): it is dropped.
    reconnecting = next('reconnecting');
    clock.advance(50);
    expect(await reconnecting).toMatchObject({ attempt: 2, delayInMs: 50, error: { name: 'NetworkError', code: 'MQTT_REFUSED', cause: { code: 5 } } });
    // The new certificate is refused with 1203 (the client was forgotten).
    reconnecting = next('reconnecting');
    clock.advance(50);
    expect(await reconnecting).toMatchObject({ attempt: 3, delayInMs: 50, error: { name: 'ConnectApiError', code: '1203' } });
    expect(push.connected).toBe(false);
    expect(errors.length - errorsBefore).toBe(0);

    // The next connect registers the forgotten client again by itself.
    const connected = next('connected');
    clock.advance(50);
    await connected;
    expect(push.connected).toBe(true);
    expect(sim.connect.clients.get('push-client-1')?.certificates).toBe(1);
    errors.splice(errorsBefore);
    const it = iterator();
    await sim.connect.report('sim-conn-ac-0001', { airFlow: { windStrength: 'LOW' } });
    expect(await nextNew(it)).toMatchObject({ type: 'status', report: { airFlow: { windStrength: 'LOW' } } });
  });

  it('renews event subscriptions before they expire', async () => {
    const before = sim.connect.requests.filter((r) => r.method === 'POST' && r.path.startsWith('event/')).length;
    const renewed = once(push, 'renewed');
    clock.advance(3_600_000);
    expect(await renewed).toEqual([{ deviceIds: ['sim-conn-ac-0001', 'sim-conn-washer-0001'] }]);
    const after = sim.connect.requests.filter((r) => r.method === 'POST' && r.path.startsWith('event/'));
    expect(after.length - before).toBe(2);
    expect(after.at(-1)?.body).toEqual({ expire: { unit: 'HOUR', timer: 2 } });
  });

  it('reports malformed messages as errors without stopping', async () => {
    await sim.broker?.publish('app/clients/push-client-1/push', 'not an object');
    const it = iterator();
    await sim.connect.notify('sim-conn-ac-0001', 'FILTER_RESET_REQUIRED');
    expect(await nextNew(it)).toMatchObject({ type: 'notification', pushCode: 'FILTER_RESET_REQUIRED' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'MalformedResponseError', rawPreview: '"not an object"' });
  });

  it('closes: unsubscribes, unregisters and ends the iterator', async () => {
    const it = iterator();
    const pending = it.next();
    await push.close();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(sim.connect.clients.has('push-client-1')).toBe(false);
    expect(sim.connect.pushSubscriptions.size).toBe(0);
    expect(sim.connect.eventSubscriptions.size).toBe(0);
  });
});

describe('push helpers', () => {
  it('parses MQTT server addresses', () => {
    expect(parseMqttServer('mqtts://common.iot.aic.lgthinq.com:8883')).toEqual({ host: 'common.iot.aic.lgthinq.com', port: 8883 });
    expect(parseMqttServer('ssl://x.example')).toEqual({ host: 'x.example', port: 8883 });
    expect(parseMqttServer('127.0.0.1:1234')).toEqual({ host: '127.0.0.1', port: 1234 });
    expect(() => parseMqttServer('http://a b')).toThrow(/mqttServer/);
  });

  it('starts for every device even when one is offline (its state is built from reports)', { timeout: KEYGEN_TIMEOUT }, async () => {
    const sim = await startThinqSimulator();
    const client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: 'push-client-2', baseUrl: sim.connectUrl });
    const push = new ConnectPush(client, { caPem: sim.caPem, keyPair: await keyPair() });
    const errors: unknown[] = [];
    push.on('error', (err) => errors.push(err));
    try {
      await push.start();
      expect(push.deviceIds).toEqual(['sim-conn-ac-0001', 'sim-conn-washer-0001', 'sim-conn-fridge-0001', 'sim-conn-washtower-0001', 'sim-conn-fridge-0002']);
      expect(errors).toMatchObject([{ name: 'ConnectApiError', code: '1222' }]);
      expect(push.deviceState('sim-conn-fridge-0001')).toBeUndefined();
      const it = push[Symbol.asyncIterator]();
      await sim.connect.report('sim-conn-fridge-0001', { powerSave: { powerSaveEnabled: false } });
      expect(await nextEvent(it)).toMatchObject({ type: 'status', state: { powerSave: { powerSaveEnabled: false } } });
    } finally {
      await push.close();
      await client.close();
      await sim.close();
    }
  });

  it('stops for good when the token is refused on reconnect: the iterator throws, nothing keeps running', { timeout: KEYGEN_TIMEOUT }, async () => {
    const sim = await startThinqSimulator();
    const clock = createTestClock({ auto: false });
    const client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: 'push-client-4', baseUrl: sim.connectUrl });
    const push = new ConnectPush(client, {
      caPem: sim.caPem,
      keyPair: await keyPair(),
      deviceIds: ['sim-conn-ac-0001'],
      clock,
      random: () => 1,
      reconnect: { initialDelayInMs: 10 },
    });
    const errors: unknown[] = [];
    push.on('error', (err) => errors.push(err));
    try {
      await push.start();
      const it = push[Symbol.asyncIterator]();
      const pending = it.next();
      sim.connect.revokeToken();
      // The broker refuses the reused certificate too, so the reconnect asks the API for a new one.
      sim.broker?.revoke('push-client-4');
      const reconnecting = once(push, 'reconnecting');
      sim.broker?.dropConnections();
      expect(await reconnecting).toMatchObject([{ attempt: 1, delayInMs: 10 }]);
      const refused = once(push, 'reconnecting');
      clock.advance(10);
      const [second] = (await refused) as [{ attempt: number; delayInMs: number }];
      expect(second).toMatchObject({ attempt: 2, error: { code: 'MQTT_REFUSED' } });
      const requestsBefore = sim.connect.requests.length;
      clock.advance(second.delayInMs);
      await expect(pending).rejects.toMatchObject({ name: 'ConnectApiError', code: '1103', errorName: 'INVALID_TOKEN' });
      await expect(it.next()).rejects.toMatchObject({ code: '1103' });
      expect(errors).toMatchObject([{ code: '1103' }]);
      expect(push.connected).toBe(false);
      // Only the refused certificate request went out: no unsubscribe/unregister with a dead token, no timer left.
      expect(sim.connect.requests.slice(requestsBefore).map((r) => `${r.method} ${r.path}`)).toEqual(['POST client/certificate']);
      expect(clock.pending).toBe(0);
    } finally {
      await push.close();
      await client.close();
      await sim.close();
    }
  });

  it('unregisters again when start fails part-way', async () => {
    const sim = await startThinqSimulator({ mqtt: false });
    const client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: 'push-client-3', baseUrl: sim.connectUrl });
    const push = new ConnectPush(client, { deviceIds: ['no-such-device'] });
    const heard: unknown[] = [];
    push.on('error', (e) => heard.push(e)); // heard here, not printed as a process warning
    try {
      await expect(push.start()).rejects.toMatchObject({ name: 'ConnectApiError', code: '1224' });
      await expect(push.done).rejects.toMatchObject({ code: '1224' });
      expect(heard).toMatchObject([{ code: '1224' }]);
      // close() after the end waits for the release that the end started by itself.
      await push.close();
      expect(sim.connect.clients.has('push-client-3')).toBe(false);
      expect(sim.connect.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET route', 'POST client', 'POST push/no-such-device/subscribe', 'DELETE client']);
    } finally {
      await push.close();
      await client.close();
      await sim.close();
    }
  });

  it('validates options', () => {
    const client = new ConnectClient({ pat: 'p', country: 'US', clientId: 'x' });
    expect(() => new ConnectPush(client, { eventSubscriptionHours: 1, renewIntervalInMs: 3_600_000 })).toThrow(RangeError);
    expect(() => new ConnectPush(client, { eventSubscriptionHours: 0 })).toThrow(RangeError);
    expect(() => new ConnectPush(client, { deviceIds: ['a', ''] })).toThrow(new TypeError('deviceIds must be a list of non-empty strings'));
    expect(() => new ConnectPush(client, { maxQueue: 0 })).toThrow(new RangeError('maxQueue must be a positive integer'));
    // A 30-day renewal does not fit a timer: a RangeError naming it, never a 1 ms timer.
    expect(() => new ConnectPush(client, { renewIntervalInMs: 30 * 86_400_000 })).toThrow(/^renewIntervalInMs must be from 0 to 2147483647 ms/);
    expect(() => new ConnectPush(client, { connectTimeoutInMs: Number.NaN })).toThrow(TypeError);
    expect(() => new ConnectPush(client, { keepaliveInSeconds: 0 })).toThrow(new RangeError('keepaliveInSeconds must be an integer from 1 to 65535'));
    expect(() => new ConnectPush(client, { reconnect: { initialDelayInMs: -1 } })).toThrow(/reconnect.initialDelayInMs/);
  });
});
