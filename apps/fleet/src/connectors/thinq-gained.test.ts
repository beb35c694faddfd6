// ThinQ devices that come to this collector (their shard moved here) are collected at once: the
// connector kept only the devices it owned when it listed the account, so a gained Connect device
// waited for the next listing (ten minutes) and a gained v1 device for a restart. Connect's push
// subscribed the devices it started with, so it starts again with the gained ones.
import { startThinqSimulator, type ThinqSimulator } from '@x/thinq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ingest } from '../ingest.js';
import { silentLogger } from '../log.js';
import type { ReadingInput } from '../model.js';
import { StateTracker } from '../status.js';
import { ThinqConnector } from './thinq.js';

const CONNECT_KEPT = 'sim-conn-ac-0001';
const CONNECT_GAINED = 'sim-conn-washer-0001';
const V1_KEPT = 'sim-ac-0001';
const V1_GAINED = 'sim-washer-0001';
const id = (vendorId: string): string => `thinq:${vendorId}`;

describe('ThinQ devices this collector gains', () => {
  let sim: ThinqSimulator;
  let connector: ThinqConnector;
  const owned = new Set([id(CONNECT_KEPT), id(V1_KEPT)]);
  const stored: ReadingInput[] = [];
  const devicesWithReadings = (): string[] => [...new Set(stored.map((r) => r.deviceId))].sort();
  const subscribed = (vendorId: string): number => sim.connect.requests.filter((r) => r.path === `push/${vendorId}/subscribe`).length;

  beforeAll(async () => {
    sim = await startThinqSimulator();
    const ingest = {
      owns: (deviceId: string) => owned.has(deviceId),
      device: (d: { vendorId: string }) => Promise.resolve(owned.has(id(d.vendorId)) ? id(d.vendorId) : undefined),
      readings: (readings: readonly ReadingInput[]) => Promise.resolve(stored.push(...readings.filter((r) => owned.has(r.deviceId)))),
    } as unknown as Ingest;
    const ctx = { ingest, tracker: new StateTracker('connecting', Date.now, () => {}), logger: silentLogger, now: Date.now, kv: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() }, setMode: () => {} };
    // A step every half second (v1 monitoring answers from its second poll); without the gain, the
    // connector would list the account again only after ten minutes (Connect) or never (v1).
    const config = { country: sim.country, accessToken: sim.pat, refreshToken: sim.v1.refreshToken, baseUrl: `${sim.url}/connect/`, pollIntervalInMs: 500 };
    connector = new ThinqConnector(config, ctx, { caPem: sim.caPem, gatewayUrl: `${sim.url}/api/common/gatewayUriList` });
    await connector.start();
  });
  afterAll(async () => {
    await connector?.stop();
    await sim?.close();
  });

  it('collects gained Connect and v1 devices at once, and the push reports the gained Connect device', async () => {
    await expect.poll(devicesWithReadings, { timeout: 15_000 }).toEqual([id(CONNECT_KEPT), id(V1_KEPT)].sort());
    await expect.poll(() => subscribed(CONNECT_KEPT), { timeout: 15_000 }).toBe(1);
    expect(subscribed(CONNECT_GAINED)).toBe(0);

    owned.add(id(CONNECT_GAINED));
    owned.add(id(V1_GAINED));
    connector.refresh();
    await expect.poll(devicesWithReadings, { timeout: 15_000 }).toEqual([id(CONNECT_KEPT), id(CONNECT_GAINED), id(V1_KEPT), id(V1_GAINED)].sort());
    // The push started again with the gained device: a change it reports arrives without a poll.
    await expect.poll(() => subscribed(CONNECT_GAINED), { timeout: 15_000 }).toBe(1);
    await sim.connect.report(CONNECT_GAINED, { runState: { currentState: 'RINSING' } });
    await expect
      .poll(() => stored.some((r) => r.deviceId === id(CONNECT_GAINED) && r.metric === 'runState.currentState' && r.value === 'RINSING'), { timeout: 15_000 })
      .toBe(true);
  });
});
