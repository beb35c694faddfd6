// Soak: ConnectPush for many simulated minutes on the fake clock under a seeded fault schedule
// (refused certificate requests, failed MQTT connects, connections dropped at once or after a
// while, malformed messages). The fake broker keeps what a device published while the client was
// away (a persistent session) and hands it over on the next connection, so at the end every
// published report must have been consumed once, every lifecycle event must be accounted for, and
// nothing may have grown without bound.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createTestClock, type TestClock, seededRandom as seeded } from '@x/http-core/testing';
import type { ConnectClient } from './client.js';
import type { PushEvent } from './push-events.js';

/** The MQTT client double: 'message' and 'close' like mqtt.js, nothing else. */
class FakeMqttClient extends EventEmitter {
  connected = true;
  /** The broker's own timers for this connection (cleared when it ends: they are not the push's). */
  readonly timers: unknown[] = [];
  constructor(private readonly clock: TestClock) {
    super();
  }
  subscribeAsync(): Promise<void> {
    return Promise.resolve();
  }
  endAsync(): Promise<void> {
    this.drop();
    return Promise.resolve();
  }
  drop(): void {
    if (!this.connected) return;
    this.connected = false;
    for (const t of this.timers.splice(0)) this.clock.clearTimeout(t);
    this.emit('close');
  }
}

const broker = vi.hoisted(() => ({ connect: undefined as undefined | (() => Promise<unknown>) }));
// The MQTT connect step (its own settling is tested against the simulator's broker in push-faults.test.ts).
vi.mock('./mqtt-connect.js', () => ({
  connectMqtt: () => (broker.connect ? broker.connect() : Promise.reject(new Error('no broker'))),
  isCertificateRefusal: () => false,
}));
// RSA key generation is not what this test is about.
vi.mock('./x509.js', () => ({
  generateClientKeyPair: () => Promise.resolve({ privateKeyPem: 'key', publicKeyPem: 'pub', privateKey: {}, publicKey: {} }),
  createCsr: () => Promise.resolve('csr'),
}));

const { ConnectPush } = await import('./session.js');


const MINUTES = 180;
const DEVICE = 'soak-device';
const transient = (message: string, code: string): Error => Object.assign(new Error(message), { code });

function fakeClient(random: () => number, faults: Record<string, number>): ConnectClient {
  const ok = (): Promise<void> => Promise.resolve();
  const client = {
    clientId: 'soak-client',
    route: () => Promise.resolve({ mqttServer: 'mqtts://broker.test:8883', raw: {} }),
    registerClient: ok,
    unregisterClient: ok,
    devices: () => Promise.resolve([{ deviceId: DEVICE }]),
    subscribePush: () => Promise.resolve(true),
    unsubscribePush: () => Promise.resolve(true),
    subscribeEvents: ok,
    unsubscribeEvents: () => Promise.resolve(true),
    state: () => Promise.resolve({ runState: { currentState: 'INITIAL' } }),
    issueCertificate: () => {
      if (random() < 0.1) {
        faults.certificateRefused = (faults.certificateRefused ?? 0) + 1;
        return Promise.reject(transient('socket hang up', 'ECONNRESET'));
      }
      return Promise.resolve({ certificatePem: 'cert', subscriptions: ['app/clients/soak-client/push'] });
    },
  };
  return client as unknown as ConnectClient;
}

async function soak(seed: number) {
  const clock: TestClock = createTestClock();
  const random = seeded(seed);
  const endAt = MINUTES * 60_000;
  const faults: Record<string, number> = {};
  const backlog: string[] = []; // published while no client was connected: handed over on connect
  const clients: FakeMqttClient[] = [];
  let live: FakeMqttClient | undefined;
  let published = 0;
  let malformed = 0;
  let maxTimers = 0;

  const send = (payload: string): void => {
    if (live?.connected && backlog.length === 0) live.emit('message', 'app/clients/soak-client/push', Buffer.from(payload));
    else backlog.push(payload);
  };
  // The device reports every second; one message in fifty is garbage.
  const publish = (): void => {
    if (random() < 0.02) {
      malformed += 1;
      send('{not json');
    } else {
      send(JSON.stringify({ pushType: 'DEVICE_STATUS', deviceId: DEVICE, report: { timer: { n: published } } }));
      published += 1;
    }
    if (clock.now() + 1000 < endAt) clock.setTimeout(publish, 1000);
  };
  clock.setTimeout(publish, 1000);

  broker.connect = () => {
    if (random() < 0.1) {
      faults.connectFailed = (faults.connectFailed ?? 0) + 1;
      return Promise.reject(transient('connect ECONNREFUSED', 'ECONNREFUSED'));
    }
    if (random() < 0.1) {
      // What connectMqtt settles with when the broker closes right after CONNECT (AWS IoT's refusal).
      faults.closedAfterConnect = (faults.closedAfterConnect ?? 0) + 1;
      return Promise.reject(transient('the MQTT broker closed the connection before CONNACK', 'MQTT_CLOSED'));
    }
    const client = new FakeMqttClient(clock);
    clients.push(client);
    live = client;
    // Accepted, then dropped at once (a fifth) or after up to two minutes.
    const lifetime = random() < 0.2 ? 0 : Math.floor(random() * 120_000);
    if (lifetime === 0) faults.droppedAtOnce = (faults.droppedAtOnce ?? 0) + 1;
    else faults.droppedLater = (faults.droppedLater ?? 0) + 1;
    client.timers.push(clock.setTimeout(() => client.drop(), lifetime));
    // The persistent session: what arrived meanwhile follows the subscription.
    client.timers.push(clock.setTimeout(() => {
      if (!client.connected) return;
      for (const payload of backlog.splice(0)) client.emit('message', 'app/clients/soak-client/push', Buffer.from(payload));
    }, 1));
    return Promise.resolve(client);
  };

  const push = new ConnectPush(fakeClient(random, faults), {
    clock,
    random,
    eventSubscriptionHours: 2,
    renewIntervalInMs: 10 * 60_000,
    reconnect: { initialDelayInMs: 500, maxDelayInMs: 30_000 },
    stableAfterInMs: 10_000,
  });
  const heard = { connecting: 0, connected: 0, disconnected: 0, reconnecting: 0, closed: 0, errors: 0, renewed: 0, status: 0 };
  const delays: number[] = [];
  push.on('connecting', () => (heard.connecting += 1));
  push.on('connected', () => (heard.connected += 1));
  push.on('disconnected', () => (heard.disconnected += 1));
  push.on('reconnecting', ({ delayInMs }) => {
    heard.reconnecting += 1;
    delays.push(delayInMs);
  });
  push.on('closed', () => (heard.closed += 1));
  push.on('error', () => (heard.errors += 1));
  push.on('renewed', () => (heard.renewed += 1));
  push.on('status', () => (heard.status += 1));

  const consumed: number[] = [];
  const watch = (): void => {
    maxTimers = Math.max(maxTimers, clock.pending);
    if (clock.now() >= endAt && consumed.length === published) void push.close();
    else if (clock.now() >= endAt + 10 * 60_000) void push.close(); // wedged: the counts below tell
    else clock.setTimeout(watch, 1000);
  };
  watch();
  for await (const event of push as AsyncIterable<PushEvent>) {
    if (event.type === 'status') consumed.push((event.report.timer as { n: number }).n);
  }
  await push.done;
  return { clock, push, heard, delays, consumed, published, malformed, faults, clients, maxTimers };
}

describe('ConnectPush soak', () => {
  it.each([3, 11, 2024])('seed %i: every report consumed once, every event accounted for, memory flat', { timeout: 60_000 }, async (seed) => {
    const r = await soak(seed);
    // Every report the device published was consumed exactly once, in order.
    expect(r.consumed).toEqual(Array.from({ length: r.published }, (_, i) => i));
    expect(r.published).toBeGreaterThan(MINUTES * 55);
    // The faults really happened.
    expect(r.faults.certificateRefused).toBeGreaterThan(5);
    expect(r.faults.connectFailed).toBeGreaterThan(5);
    expect(r.faults.closedAfterConnect).toBeGreaterThan(5);
    expect(r.faults.droppedAtOnce).toBeGreaterThan(5);
    expect(r.faults.droppedLater).toBeGreaterThan(20);
    // Lifecycle: each try announced, each accepted connection ended once, a reconnect before every
    // try but the first, one `closed`; the errors are exactly the malformed messages.
    const stats = r.push.stats;
    expect(r.heard.connecting).toBe(stats.attempts);
    expect(r.heard.connected).toBe(stats.connections);
    expect(r.heard.connected).toBe(r.clients.length);
    expect(r.heard.disconnected).toBe(r.heard.connected);
    expect(r.heard.reconnecting).toBe(stats.attempts - 1);
    expect(r.heard.closed).toBe(1);
    expect(r.heard.errors).toBe(r.malformed);
    expect(r.heard.status).toBe(r.published);
    expect(r.heard.renewed).toBeGreaterThanOrEqual(MINUTES / 10 - 1);
    // Backoff grew under accept-then-drop and failed tries (beyond the 500 ms start), within its cap.
    expect(Math.max(...r.delays)).toBeGreaterThan(1000);
    expect(Math.max(...r.delays)).toBeLessThanOrEqual(30_000);
    // Flat: the buffer stayed small, nothing dropped, the cached state is one device, every
    // released client lost its message listener, and a closed push holds no timer.
    expect(stats.dropped).toBe(0);
    expect(stats.buffered).toBe(0);
    expect(stats.consumed).toBe(stats.delivered);
    expect(stats.maxBuffered).toBeLessThanOrEqual(r.published);
    expect(r.push.deviceIds).toEqual([DEVICE]);
    expect(r.clients.every((c) => c.listenerCount('message') === 0)).toBe(true);
    expect(r.maxTimers).toBeLessThanOrEqual(8);
    expect(r.clock.pending).toBe(0);
    expect(r.push.state).toBe('closed');
  });
});
