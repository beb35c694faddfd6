// ThinQ Connect energy: the fleet against the package's simulator (in-process, PGlite) stores the
// daily usage of the devices that report it as Wh readings the dashboard shows; the reader on a
// fake clock reads each device once an hour, not at every state poll, and a failure is logged and
// retried without stopping anything.
import { ConnectClient, RateLimitedError, newConnectClientId, type EnergyUsage, type EnergyUsageQuery } from '@x/thinq';
import { startThinqSimulator, type ThinqSimulator } from '@x/thinq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type FleetApp } from '../app.js';
import { silentLogger, type Logger } from '../log.js';
import type { ReadingInput } from '../model.js';
import { energyMetric } from '../web/words.js';
import { ENERGY_INTERVAL_MS, ENERGY_PROFILE_RECHECK_MS, ThinqEnergy, type EnergyClient } from './thinq-energy.js';

const AC = 'sim-conn-ac-0001';
const DAY_MS = 86_400_000;
const ymd = (t: number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
const dayStart = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;
/** The test's own client, whose requests the counts leave out. */
const TEST_CLIENT_ID = newConnectClientId();

describe('ThinQ Connect energy against the simulator', () => {
  let sim: ThinqSimulator;
  let app: FleetApp;

  beforeAll(async () => {
    sim = await startThinqSimulator();
    app = await startFleet({
      port: 0,
      dataDir: 'memory://',
      logger: silentLogger,
      // No CA for the broker: the push fails and state is polled every second.
      config: { thinq: { country: sim.country, accessToken: sim.pat, baseUrl: sim.connectUrl, pollIntervalInMs: 1000 } },
    });
  }, 30_000);
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
  });

  const energyOf = async (vendorId: string): Promise<{ value: unknown; unit: string | null; ts: number }[]> =>
    (await app.store.queryReadings({ deviceId: `thinq:${vendorId}`, metric: 'energy.dailyUsage', from: 0, to: Date.now() + DAY_MS, limit: 100 })).readings.map((r) => ({
      value: r.value,
      unit: r.unit,
      ts: Date.parse(String(r.ts)),
    }));
  const requests = (pattern: RegExp): number => sim.connect.requests.filter((r) => pattern.test(r.path) && r.headers['x-client-id'] !== TEST_CLIENT_ID).length;

  it('stores the last seven days of daily usage in Wh for a device that reports energy, and the dashboard shows it', async () => {
    await expect.poll(async () => (await energyOf(AC)).length, { timeout: 15_000 }).toBe(7);
    const stored = await energyOf(AC);
    // The seven days before the fleet's today (UTC; the day may have turned since it read them).
    const today = stored[6]!.ts + DAY_MS;
    expect([0, DAY_MS]).toContain(dayStart(Date.now()) - today);
    // What the simulator serves for those days, asked separately.
    const client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: TEST_CLIENT_ID, baseUrl: sim.connectUrl });
    const served = await client.energyUsage(AC, { period: 'DAILY', startDate: ymd(today - 7 * DAY_MS), endDate: ymd(today - DAY_MS) });
    await client.close();
    expect(served.entries).toHaveLength(7);
    expect(stored).toEqual(served.entries.map((e, i) => ({ value: e.value, unit: 'Wh', ts: today - (7 - i) * DAY_MS })));
    const yesterday = served.entries[6]!.value;
    // The simulator's AC uses 2400 Wh a day ± 40%.
    expect(yesterday).toBeGreaterThanOrEqual(1440);
    expect(yesterday).toBeLessThanOrEqual(3360);
    const device = await app.store.getDevice(`thinq:${AC}`);
    expect(energyMetric(device!)).toBe('energy.dailyUsage');
    expect(device!.lastValues['energy.dailyUsage']).toMatchObject({ value: yesterday, unit: 'Wh', ts: new Date(today - DAY_MS).toISOString() });
  }, 30_000);

  it('reads energy once, not at every state poll, and only for the devices whose energy profile lists it', async () => {
    await expect.poll(async () => (await energyOf('sim-conn-fridge-0002')).length, { timeout: 15_000 }).toBe(7);
    const states = requests(/^devices\/sim-conn-ac-0001\/state/);
    await expect.poll(() => requests(/^devices\/sim-conn-ac-0001\/state/), { timeout: 15_000 }).toBeGreaterThanOrEqual(states + 3);
    expect(requests(/^devices\/energy\/sim-conn-ac-0001\/usage\?/)).toBe(1);
    expect(requests(/^devices\/energy\/sim-conn-ac-0001\/profile/)).toBe(1);
    // The washer's and the offline fridge's profiles list no energy: no usage asked, none stored.
    expect(requests(/^devices\/energy\/sim-conn-washer-0001\/profile/)).toBe(1);
    expect(requests(/^devices\/energy\/sim-conn-(washer|fridge)-0001\/usage/)).toBe(0);
    expect(await energyOf('sim-conn-washer-0001')).toEqual([]);
    expect(energyMetric((await app.store.getDevice('thinq:sim-conn-washer-0001'))!)).toBeNull();
  }, 30_000);
});

/** A client whose answers the test sets, recording its calls. */
function fakeClient(): EnergyClient & { calls: string[]; fail: Error | undefined; profiles: Record<string, string[]> } {
  const fake = {
    calls: [] as string[],
    fail: undefined as Error | undefined,
    profiles: {} as Record<string, string[]>,
    energyProfile(id: string): Promise<string[]> {
      fake.calls.push(`profile ${id}`);
      return fake.fail ? Promise.reject(fake.fail) : Promise.resolve(fake.profiles[id] ?? ['energyUsage']);
    },
    energyUsage(id: string, q: EnergyUsageQuery): Promise<EnergyUsage> {
      fake.calls.push(`usage ${id} ${q.startDate}-${q.endDate}`);
      if (fake.fail) return Promise.reject(fake.fail);
      return Promise.resolve({ property: 'energyUsage', period: 'DAILY', entries: [{ date: q.endDate, value: 1234 }] });
    },
  };
  return fake;
}

describe('ThinqEnergy on a fake clock', () => {
  const T0 = Date.UTC(2026, 11, 5, 3, 0);
  const setup = (): { energy: ThinqEnergy; client: ReturnType<typeof fakeClient>; stored: ReadingInput[]; warnings: unknown[]; clock: { t: number } } => {
    const client = fakeClient();
    const stored: ReadingInput[] = [];
    const warnings: unknown[] = [];
    const clock = { t: T0 };
    const logger: Logger = { ...silentLogger, warn: (msg: string, fields?: unknown) => void warnings.push([msg, fields]) };
    const ingest = { readings: (r: readonly ReadingInput[]) => Promise.resolve(stored.push(...r)) };
    return { energy: new ThinqEnergy({ client, ingest, logger, now: () => clock.t }), client, stored, warnings, clock };
  };
  const signal = new AbortController().signal;

  it('reads a device once an hour however often it is asked, the seven days before today', async () => {
    const { energy, client, stored, clock } = setup();
    await energy.collect(['a'], signal);
    clock.t += ENERGY_INTERVAL_MS - 1;
    await energy.collect(['a'], signal);
    expect(client.calls).toEqual(['profile a', 'usage a 20261128-20261204']);
    expect(stored).toEqual([{ deviceId: 'thinq:a', metric: 'energy.dailyUsage', value: 1234, unit: 'Wh', ts: Date.UTC(2026, 11, 4) }]);
    clock.t += 1;
    await energy.collect(['a'], signal);
    expect(client.calls).toEqual(['profile a', 'usage a 20261128-20261204', 'usage a 20261128-20261204']);
  });

  it('logs a failure and retries the device an hour later; a throttled answer pauses every device for the hour', async () => {
    const { energy, client, stored, warnings, clock } = setup();
    client.fail = new Error('socket hang up');
    await expect(energy.collect(['a'], signal)).resolves.toBeUndefined();
    expect(warnings).toEqual([['thinq: energy not read', { deviceId: 'a', error: client.fail }]]);
    client.fail = new RateLimitedError({ status: 429, code: '1306', errorName: 'EXCEEDED_API_CALLS' });
    clock.t += ENERGY_INTERVAL_MS;
    await energy.collect(['a', 'b'], signal);
    expect(client.calls).toEqual(['profile a', 'profile a']);
    client.fail = undefined;
    clock.t += ENERGY_INTERVAL_MS - 1;
    await energy.collect(['a', 'b'], signal);
    expect(client.calls).toHaveLength(2);
    clock.t += 1;
    await energy.collect(['a', 'b'], signal);
    expect(client.calls.slice(2)).toEqual(['profile a', 'usage a 20261128-20261204', 'profile b', 'usage b 20261128-20261204']);
    expect(stored).toHaveLength(2);
  });

  it('asks a device whose profile lists no energy for no usage, and asks its profile again a day later', async () => {
    const { energy, client, stored, clock } = setup();
    client.profiles.w = [];
    await energy.collect(['w'], signal);
    clock.t += ENERGY_PROFILE_RECHECK_MS - 1;
    await energy.collect(['w'], signal);
    expect(client.calls).toEqual(['profile w']);
    clock.t += 1;
    client.profiles.w = ['energyUsage'];
    await energy.collect(['w'], signal);
    expect(client.calls).toEqual(['profile w', 'profile w', 'usage w 20261129-20261205']);
    expect(stored).toHaveLength(1);
  });
});
