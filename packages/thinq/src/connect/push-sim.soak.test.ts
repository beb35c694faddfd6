// Soak against the real simulator: ConnectPush over mutual TLS to the simulator's MQTT broker while
// a seeded schedule drops connections, closes them right after CONNECT, answers the HTTP API with
// 1306/1314 (within and beyond the client's retries), publishes malformed messages, and at the end
// revokes the tokens through the control API. The push runs on a manual clock (the test advances
// reconnect waits and subscription renewals); the HTTP client's retry waits run on an auto clock
// (recorded, not waited). Reports published while a connect stalls wait in the persistent MQTT
// session. Every published event must arrive once and in order, every error must
// be one the schedule caused, and the revoked token must end the push (nothing stuck, no timer left).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient, createTestClock, seededRandom as seeded } from '@x/http-core/testing';
import { ConnectClient } from './client.js';
import type { PushEvent } from './push-events.js';
import { ConnectPush } from './session.js';
import { generateClientKeyPair, type ClientKeyPair } from './x509.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';

const AC = 'sim-conn-ac-0001';
const WASHER = 'sim-conn-washer-0001';
const RENEW_MS = 600_000;
const STEPS = 40;


/** Polls (real time) until `done()` holds; fails naming `what` after 5 s. */
async function waitFor(what: string, done: () => boolean): Promise<void> {
  const until = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The next 'renewed' (events.once would reject on the 'error' reports a renewal may make). */
const nextRenewal = (push: ConnectPush): Promise<string[]> =>
  new Promise((resolve) => push.once('renewed', ({ deviceIds }: { deviceIds: string[] }) => resolve(deviceIds)));

const describeEvent = (e: PushEvent): string =>
  e.type === 'status' ? `status ${e.deviceId} ${JSON.stringify(e.report)}` : e.type === 'notification' ? `push ${e.deviceId} ${e.pushCode}` : `other ${String(e.pushType)}`;

const errorKey = (e: unknown): string => {
  const { name, code } = e as { name?: string; code?: string };
  return `${String(name)} ${String(code)}`;
};

describe('ConnectPush soak against the simulator (TLS broker, control API)', () => {
  let sim: ThinqSimulator;
  let keyPair: ClientKeyPair;
  beforeAll(async () => {
    sim = await startThinqSimulator();
    keyPair = await generateClientKeyPair();
  }, 60_000);
  afterAll(async () => {
    await sim.close();
  });

  it('delivers every event once through drops, close-after-CONNECT, rate limits and bad messages; a revoked token ends it', { timeout: 60_000 }, async () => {
    const random = seeded(14);
    const control = new ControlClient(sim.controlUrl);
    const pushClock = createTestClock({ auto: false });
    const httpClock = createTestClock();
    const clientId = 'soak-sim-client';
    const client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId, baseUrl: sim.connectUrl, clock: httpClock, random: () => 0.5 });
    const push = new ConnectPush(client, {
      caPem: sim.caPem,
      keyPair,
      deviceIds: [AC, 'no-such-device', WASHER],
      clock: pushClock,
      random: () => 1,
      reconnect: { initialDelayInMs: 100, maxDelayInMs: 1_000 },
      renewIntervalInMs: RENEW_MS,
    });
    const errors: string[] = [];
    const delays: number[] = [];
    let connections = 0;
    push.on('error', (err) => errors.push(errorKey(err)));
    push.on('connected', () => connections++);
    push.on('reconnecting', ({ delayInMs }) => {
      delays.push(delayInMs);
      setTimeout(() => pushClock.advance(delayInMs), 5);
    });
    const received: string[] = [];
    const consumed = (async () => {
      for await (const event of push) received.push(describeEvent(event));
    })().catch((err: unknown) => err);

    const expectedEvents: string[] = [];
    const expectedErrors = ['ConnectApiError 1224'];
    let certificates = 1;
    let reconnectWaits = 0;
    try {
      await push.start();
      expect(push.deviceIds).toEqual([AC, WASHER]);
      const subscribeCalls = sim.connect.requests.filter((r) => /^(push|event)\/.*\/subscribe$/.test(r.path)).length;

      const reconnect = async (closes: number): Promise<void> => {
        const before = connections;
        sim.broker?.refuseConnects(closes, 'close');
        expect(await control.dropConnections()).toBe(1);
        await waitFor('the reconnect', () => connections === before + 1 && push.connected);
        certificates += Math.floor(closes / 2);
        reconnectWaits += closes + 1;
      };

      for (let step = 0; step < STEPS; step++) {
        const r = random();
        if (r < 0.35) {
          const report = random() < 0.5 ? { temperature: { targetTemperature: 18 + (step % 10) } } : { airFlow: { windStrength: step % 2 === 0 ? 'LOW' : 'HIGH' } };
          await sim.connect.report(AC, report);
          expectedEvents.push(`status ${AC} ${JSON.stringify(report)}`);
        } else if (r < 0.45) {
          await sim.connect.notify(WASHER, 'WASHING_IS_COMPLETE');
          expectedEvents.push(`push ${WASHER} WASHING_IS_COMPLETE`);
        } else if (r < 0.6) {
          await reconnect(0);
        } else if (r < 0.7) {
          await reconnect(1 + Math.floor(random() * 3));
        } else if (r < 0.9) {
          // A renewal meets 1306/1314: within the retries it succeeds, beyond them one device is reported and skipped this time.
          const refusals = 1 + Math.floor(random() * 5);
          const code = random() < 0.5 ? '1306' : '1314';
          sim.connect.rateLimitNext(refusals, code);
          const renewed = nextRenewal(push);
          pushClock.advance(RENEW_MS);
          expect(await renewed).toEqual(refusals > 3 ? [WASHER] : [AC, WASHER]);
          if (refusals > 3) expectedErrors.push(`RateLimitedError ${code}`);
        } else {
          // A JSON string is not a message; a status without its report is passed on as 'other'.
          const topic = `app/clients/${clientId}/push`;
          if (step % 2 === 0) {
            await sim.broker?.publish(topic, 'not an object');
            expectedErrors.push('MalformedResponseError MALFORMED');
          } else {
            await sim.broker?.publish(topic, { pushType: 'DEVICE_STATUS', deviceId: AC });
            expectedEvents.push('other DEVICE_STATUS');
          }
        }
        await waitFor(`step ${step}: every event and report`, () => received.length === expectedEvents.length && errors.length === expectedErrors.length);
      }
      expect(received).toEqual(expectedEvents);
      expect(errors).toEqual(expectedErrors);
      expect(delays).toHaveLength(reconnectWaits);
      expect(Math.max(0, ...delays)).toBeLessThanOrEqual(1_000);
      expect(sim.connect.clients.get(clientId)?.certificates).toBe(certificates);
      // Set up once: reconnects and renewals never subscribe push again.
      expect(sim.connect.requests.filter((r) => /^push\/.*\/subscribe$/.test(r.path)).length).toBe(3);
      expect(subscribeCalls).toBe(5);
      expect(push.stats.dropped).toBe(0);

      // Reports published while the client is away (its connect stalls until connectTimeoutInMs) wait
      // in its persistent session and arrive after the reconnect.
      let connecting = 0;
      push.on('connecting', () => connecting++);
      sim.broker?.refuseConnects(1, 'stall');
      expect(await control.dropConnections()).toBe(1);
      await waitFor('the stalled connect', () => connecting === 1);
      const backlog = [{ temperature: { targetTemperature: 26 } }, { airFlow: { windStrength: 'MID' } }];
      for (const report of backlog) await sim.connect.report(AC, report);
      expect(received).toEqual(expectedEvents);
      // Simulated time runs (1 s per poll) until the connect timeout has fired and the next connect succeeded.
      const before = connections;
      await waitFor('the reconnect after the stalled connect', () => {
        if (connections === before) pushClock.advance(1_000);
        return connections === before + 1;
      });
      expectedEvents.push(...backlog.map((report) => `status ${AC} ${JSON.stringify(report)}`));
      await waitFor('the backlog', () => received.length === expectedEvents.length);
      expect(received).toEqual(expectedEvents);
      expect(push.deviceState(AC)).toMatchObject({ temperature: { targetTemperature: 26 }, airFlow: { windStrength: 'MID' } });

      // The tokens are revoked: renewals are refused (reported), and the next certificate request ends the push.
      expect(await control.revokeTokens()).toBeGreaterThan(0);
      const renewed = nextRenewal(push);
      pushClock.advance(RENEW_MS);
      expect(await renewed).toEqual([]);
      sim.broker?.refuseConnects(2, 'close');
      expect(await control.dropConnections()).toBe(1);
      await expect(push.done).rejects.toMatchObject({ name: 'ConnectApiError', code: '1103', category: 'auth' });
      expect(await consumed).toMatchObject({ code: '1103' });
      expect(errors.slice(-3)).toEqual(['ConnectApiError 1103', 'ConnectApiError 1103', 'ConnectApiError 1103']);
      expect(push.state).toBe('closed');
      expect(push.connected).toBe(false);
      expect(pushClock.pending).toBe(0);
    } finally {
      await push.close();
      await client.close();
    }
  });
});
