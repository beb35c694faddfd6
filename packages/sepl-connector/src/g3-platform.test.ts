// The hub and device REST against the simulated device manager, called as the reference client
// calls it; the G3 hash pinned to values computed with Python's hashlib as cc_lib computes them.
import { createTestClock } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { g3DeviceHash, g3HubHash } from './g3-hash.js';
import { createG3Http } from './g3-http.js';
import { G3PlatformClient, type G3Device } from './g3-platform.js';
import { startSeplG3Simulator } from './testing/g3-simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const TYPE = 'urn:infai:ses:device-type:1';
const dummy: G3Device = { id: 'asdsdfsf24t', name: 'Dummy Device 1', type: TYPE };
const sensor: G3Device = { id: 'sensor-2', name: 'Kitchen sensor', type: TYPE };

async function setup() {
  const clock = createTestClock({ start: 1_700_000_000_000, auto: false });
  const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc', now: () => clock.now() });
  cleanup.push(() => sim.close());
  const g3 = createG3Http({ clock, retry: false }, { tokenUrl: sim.tokenUrl, clientId: 'cc', user: 'alice', password: 'secret' });
  cleanup.push(() => g3.http.close());
  const platform = new G3PlatformClient(g3.http, { hubUrl: sim.hubUrl, deviceUrl: `${sim.deviceUrl}/` });
  const rest = () => sim.requests.filter((r) => r.path !== '/auth/token').map((r) => `${r.method} ${r.path} ${r.status}`);
  return { sim, platform, rest };
}

describe('G3 hash (cc_lib _hashDevices)', () => {
  it('hashes id + name per device and the sorted concatenation per hub', () => {
    expect(g3DeviceHash(dummy)).toBe('aa877ff62860a60b5813e64527df0890d5fc50ba');
    expect(g3DeviceHash(sensor)).toBe('55efa47dcb3337b583672406b19313d19254ec46');
    expect(g3HubHash([dummy, sensor])).toBe('b147fe2da37943f6e340df91e18c8f68812e0dc7');
    expect(g3HubHash([sensor, dummy])).toBe('b147fe2da37943f6e340df91e18c8f68812e0dc7');
    expect(g3HubHash([{ ...dummy, type: 'other' }, sensor])).toBe('b147fe2da37943f6e340df91e18c8f68812e0dc7');
    expect(g3HubHash([])).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });
});

describe('G3 hub and device REST', () => {
  it('creates a hub, checks it, and syncs it: an unchanged device set writes nothing', async () => {
    const { sim, platform, rest } = await setup();
    const hubId = await platform.createHub('alice-hub');
    expect(hubId).toMatch(/^urn:infai:ses:hub:/);
    expect(await platform.hubExists(hubId)).toBe(true);
    expect(await platform.hubExists('urn:infai:ses:hub:missing')).toBe(false);
    expect(await platform.putDevice(dummy)).toEqual({ id: expect.stringMatching(/^urn:infai:ses:device:/), created: true });
    expect(await platform.putDevice(sensor)).toMatchObject({ created: true });
    expect(await platform.syncHub(hubId, [dummy, sensor])).toEqual({ hash: 'b147fe2da37943f6e340df91e18c8f68812e0dc7', written: true });
    expect(await platform.syncHub(hubId, [sensor, dummy])).toEqual({ hash: 'b147fe2da37943f6e340df91e18c8f68812e0dc7', written: false });
    expect(await platform.getHub(hubId)).toEqual({ id: hubId, name: 'alice-hub', hash: 'b147fe2da37943f6e340df91e18c8f68812e0dc7', device_local_ids: ['asdsdfsf24t', 'sensor-2'] });
    expect(rest()).toEqual([
      'POST /hubs 200',
      `HEAD /hubs/${encodeURIComponent(hubId)} 200`,
      'HEAD /hubs/urn%3Ainfai%3Ases%3Ahub%3Amissing 404',
      'GET /devices/asdsdfsf24t 404',
      'POST /devices 200',
      'GET /devices/sensor-2 404',
      'POST /devices 200',
      `GET /hubs/${encodeURIComponent(hubId)} 200`,
      `PUT /hubs/${encodeURIComponent(hubId)} 200`,
      `GET /hubs/${encodeURIComponent(hubId)} 200`,
      `GET /hubs/${encodeURIComponent(hubId)} 200`,
    ]);
    expect(sim.requests.find((r) => r.method === 'PUT')!.body).toEqual({
      id: hubId,
      name: 'alice-hub',
      hash: 'b147fe2da37943f6e340df91e18c8f68812e0dc7',
      device_local_ids: ['asdsdfsf24t', 'sensor-2'],
    });
  });

  it('updates a known device with PUT (keeping its platform id) and deletes it; a missing one is not an error', async () => {
    const { sim, platform, rest } = await setup();
    const { id } = await platform.putDevice(dummy);
    expect(await platform.putDevice({ ...dummy, name: 'Renamed' })).toEqual({ id, created: false });
    expect([...sim.devices.values()].map((d) => [d.id, d.local_id, d.name, d.device_type_id])).toEqual([[id, 'asdsdfsf24t', 'Renamed', TYPE]]);
    expect(sim.requests.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([{ id, name: 'Renamed', device_type_id: TYPE, local_id: 'asdsdfsf24t' }]);
    expect(await platform.getDevice('asdsdfsf24t')).toEqual({ id });
    expect(await platform.deleteDevice('asdsdfsf24t')).toBe(true);
    expect(await platform.deleteDevice('asdsdfsf24t')).toBe(false);
    expect(await platform.getDevice('asdsdfsf24t')).toBeUndefined();
    expect(rest().slice(-3)).toEqual(['DELETE /devices/asdsdfsf24t 200', 'DELETE /devices/asdsdfsf24t 404', 'GET /devices/asdsdfsf24t 404']);
  });

  it('a hub the platform lost is a not-found error; a hub with an unknown device id is refused', async () => {
    const { platform } = await setup();
    await expect(platform.syncHub('urn:infai:ses:hub:gone', [dummy])).rejects.toMatchObject({ name: 'SeplRequestError', code: 'SEPL_REQUEST_FAILED', status: 404 });
    expect(await platform.getHub('urn:infai:ses:hub:gone')).toBeUndefined();
    const hubId = await platform.createHub('h');
    await expect(platform.syncHub(hubId, [dummy])).rejects.toMatchObject({ name: 'HttpError', status: 400 });
  });

  it('validates its input before sending anything', async () => {
    const { platform, rest } = await setup();
    await expect(platform.createHub('')).rejects.toThrow(new TypeError('name must be a non-empty string'));
    await expect(platform.hubExists('h', { timeoutInMs: -1 })).rejects.toThrow(RangeError);
    await expect(platform.putDevice({ ...dummy, type: '' })).rejects.toThrow(new TypeError('device.type must be a non-empty string'));
    await expect(platform.deleteDevice('')).rejects.toThrow(new TypeError('localId must be a non-empty string'));
    expect(() => new G3PlatformClient({} as never, { hubUrl: '', deviceUrl: 'x' })).toThrow(new TypeError('endpoints.hubUrl must be a non-empty string'));
    expect(rest()).toEqual([]);
  });
});
