import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestClock } from '@x/http-core/testing';
import { ConnectClient } from './client.js';
import { energyQueryParams, parseEnergyProfile, parseEnergyUsage } from './energy.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';

// 2026-12-04 12:00 UTC
const NOW = Date.UTC(2026, 11, 4, 12);

describe('Connect energy', () => {
  let sim: ThinqSimulator;
  let client: ConnectClient;
  beforeAll(async () => {
    const clock = createTestClock({ start: NOW });
    sim = await startThinqSimulator({ mqtt: false, clock });
    client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: 'energy-1', baseUrl: sim.connectUrl, clock });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('reads energy profiles: the properties a device reports, none for the others', async () => {
    expect(await client.energyProfile('sim-conn-ac-0001')).toEqual(['energyUsage']);
    expect(await client.energyProfile('sim-conn-washer-0001')).toEqual([]);
    expect(sim.connect.requests.at(-1)?.path).toBe('devices/energy/sim-conn-washer-0001/profile');
  });

  it('reads daily usage with LG query parameters; the values are repeatable and plausible', async () => {
    const usage = await client.energyUsage('sim-conn-ac-0001', { period: 'DAILY', startDate: '20261128', endDate: '20261204' });
    expect(sim.connect.requests.at(-1)?.path).toBe('devices/energy/sim-conn-ac-0001/usage?property=energyUsage&period=DAILY&startDate=20261128&endDate=20261204');
    expect(usage.property).toBe('energyUsage');
    expect(usage.period).toBe('DAILY');
    expect(usage.entries.map((e) => e.date)).toEqual(['20261128', '20261129', '20261130', '20261201', '20261202', '20261203', '20261204']);
    for (const e of usage.entries) expect(e.value >= 1440 && e.value <= 3360, `${e.date}: ${e.value}`).toBe(true);
    expect(await client.energyUsage('sim-conn-ac-0001', { period: 'DAILY', startDate: '20261128', endDate: '20261204' })).toEqual(usage);
  });

  it('reads monthly usage as the sum of the days up to today', async () => {
    const days = await client.energyUsage('sim-conn-fridge-0002', { period: 'DAILY', startDate: '20261201', endDate: '20261204' });
    const months = await client.energyUsage('sim-conn-fridge-0002', { period: 'MONTHLY', startDate: '202611', endDate: '202612' });
    expect(months.entries.map((e) => e.date)).toEqual(['202611', '202612']);
    expect(months.entries[1]?.value).toBe(days.entries.reduce((sum, e) => sum + e.value, 0));
  });

  it('checks the query before sending, like LG SDK', async () => {
    const before = sim.connect.requests.length;
    await expect(client.energyUsage('sim-conn-ac-0001', { period: 'DAILY', startDate: '202612', endDate: '20261204' })).rejects.toThrow(new TypeError('query.startDate must be a YYYYMMDD date'));
    await expect(client.energyUsage('sim-conn-ac-0001', { period: 'DAILY', startDate: '20261204', endDate: '20261205' })).rejects.toThrow(new RangeError('query.endDate must not be after today (20261204)'));
    await expect(client.energyUsage('sim-conn-ac-0001', { period: 'MONTHLY', startDate: '202612', endDate: '202611' })).rejects.toThrow(new RangeError('query.startDate must not be after query.endDate'));
    await expect(client.energyUsage('sim-conn-ac-0001', { period: 'WEEKLY' as 'DAILY', startDate: '20261201', endDate: '20261202' })).rejects.toThrow(new TypeError("query.period must be 'DAILY' or 'MONTHLY'"));
    await expect(client.energyUsage('sim-conn-ac-0001', { period: 'DAILY', startDate: '20260231', endDate: '20260301' })).rejects.toThrow(new TypeError('query.startDate must be a YYYYMMDD date'));
    expect(sim.connect.requests.length).toBe(before);
    await expect(client.energyUsage('sim-conn-washer-0001', { period: 'DAILY', startDate: '20261201', endDate: '20261202' })).rejects.toMatchObject({ name: 'ConnectApiError', code: '2201' });
  });
});

describe('energy answers', () => {
  it('parses the shapes of Home Assistant fixtures and refuses malformed ones', () => {
    expect(parseEnergyProfile({ resultCode: '0000', result: {} })).toEqual([]);
    expect(parseEnergyUsage({ resultCode: '0000', result: { dataList: [{ energyUsage: 10.0, usedDate: '20241001' }], property: ['energyUsage'] } }, 'DAILY', 'energyUsage')).toEqual({
      property: 'energyUsage',
      period: 'DAILY',
      entries: [{ date: '20241001', value: 10 }],
    });
    expect(() => parseEnergyProfile({ result: { property: 'x' } })).toThrow('energy profile: property is not a list');
    expect(() => parseEnergyUsage({ result: { dataList: [{ usedDate: '20241001' }] } }, 'DAILY', 'energyUsage')).toThrow('energy usage: entry without usedDate and energyUsage');
    expect(() => parseEnergyUsage('x', 'DAILY', 'energyUsage')).toThrow('energy: expected an object');
    expect(energyQueryParams({ period: 'MONTHLY', startDate: '202601', endDate: '202612' }, NOW)).toEqual({ property: 'energyUsage', period: 'MONTHLY', startDate: '202601', endDate: '202612' });
  });
});
