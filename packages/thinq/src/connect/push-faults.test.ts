import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClock } from '@x/http-core/testing';
import { ConnectClient } from './client.js';
import { ConnectPush, type ConnectPushOptions } from './session.js';
import { generateClientKeyPair, type ClientKeyPair } from './x509.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';

const KEYGEN_TIMEOUT = 60_000;

describe('ConnectPush under broker and API faults', () => {
  let sim: ThinqSimulator;
  let keyPair: ClientKeyPair;
  let n = 0;
  beforeAll(async () => {
    sim = await startThinqSimulator();
    keyPair = await generateClientKeyPair();
  }, KEYGEN_TIMEOUT);
  afterAll(async () => {
    await sim.close();
  });

  async function withPush(options: ConnectPushOptions, body: (push: ConnectPush, errors: unknown[], clientId: string) => Promise<void>): Promise<void> {
    const clientId = `faults-${++n}`;
    const client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId, baseUrl: sim.connectUrl });
    const push = new ConnectPush(client, { caPem: sim.caPem, keyPair, deviceIds: ['sim-conn-ac-0001'], random: () => 1, ...options });
    const errors: unknown[] = [];
    push.on('error', (err) => errors.push(err));
    try {
      await body(push, errors, clientId);
    } finally {
      await push.close();
      await client.close();
    }
  }

  it('settles with a typed error when the broker closes right after CONNECT', { timeout: KEYGEN_TIMEOUT }, async () => {
    sim.broker?.refuseConnects(1, 'close');
    await withPush({ reconnect: false }, async (push) => {
      await expect(push.start()).rejects.toMatchObject({ name: 'NetworkError', code: 'MQTT_CLOSED', category: 'transient', message: 'the MQTT broker closed the connection before CONNACK' });
      expect(push.connected).toBe(false);
    });
  });

  it('settles with a TimeoutError after connectTimeoutInMs when the broker never answers CONNECT', { timeout: KEYGEN_TIMEOUT }, async () => {
    const clock = createTestClock({ auto: false });
    sim.broker?.refuseConnects(1, 'stall');
    await withPush({ reconnect: false, clock, connectTimeoutInMs: 5_000 }, async (push) => {
      const started = push.start();
      const connecting = once(push, 'connecting');
      await connecting;
      // Wait until the MQTT connect has armed its timer on the fake clock, then let it expire.
      // (The renewal timer is armed first; the MQTT connect's is the second.)
      while (clock.pending < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      clock.advance(4_999);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(push.connected).toBe(false);
      clock.advance(1);
      await expect(started).rejects.toMatchObject({ name: 'TimeoutError', phase: 'connect', timeoutInMs: 5_000, message: 'no MQTT CONNACK within 5000 ms' });
    });
  });

  it('reconnects forever with growing backoff through close-after-CONNECT, replacing the certificate after two such closes', { timeout: KEYGEN_TIMEOUT }, async () => {
    const clock = createTestClock({ auto: false });
    sim.broker?.refuseConnects(3, 'close');
    await withPush({ clock, reconnect: { initialDelayInMs: 100, maxDelayInMs: 1_000 } }, async (push, _errors, clientId) => {
      const delays: number[] = [];
      push.on('reconnecting', ({ delayInMs, error }) => {
        delays.push(delayInMs);
        expect(error).toMatchObject({ code: 'MQTT_CLOSED' });
        setTimeout(() => clock.advance(delayInMs), 5);
      });
      await push.start();
      expect(push.connected).toBe(true);
      expect(delays).toEqual([100, 200, 400]);
      expect(sim.connect.clients.get(clientId)?.certificates).toBe(2);
    });
  });

  it('skips one device whose subscription is refused (1224) and pushes for the others', { timeout: KEYGEN_TIMEOUT }, async () => {
    await withPush({ deviceIds: ['no-such-device', 'sim-conn-ac-0001'] }, async (push, errors) => {
      await push.start();
      expect(errors).toMatchObject([{ name: 'ConnectApiError', code: '1224' }]);
      expect(push.deviceIds).toEqual(['sim-conn-ac-0001']);
      const it = push[Symbol.asyncIterator]();
      await sim.connect.report('sim-conn-ac-0001', { airFlow: { windStrength: 'HIGH' } });
      expect((await it.next()).value).toMatchObject({ type: 'status', deviceId: 'sim-conn-ac-0001', report: { airFlow: { windStrength: 'HIGH' } } });
    });
  });
});
