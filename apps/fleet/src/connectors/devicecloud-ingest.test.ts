// The Device Cloud path end to end (the package's simulator, the fleet's push monitor with explicit
// acks, PGlite): a block holding a U+0000 value is stored around it and acknowledged, and
// ingestion goes on; a database that fails as a whole shows as degraded with the reason and the
// block stays unacknowledged until it is stored; readings that stop arriving show as degraded.
import { DeviceCloudSimulator } from '@x/devicecloud-monitor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type FleetApp } from '../app.js';
import { silentLogger } from '../log.js';

const GW = '00000000-00000000-00409DFF-FF0000AA';
const ID = `devicecloud:${GW}`;

describe('Device Cloud ingestion with bad values', () => {
  let sim: DeviceCloudSimulator;
  let app: FleetApp;

  beforeAll(async () => {
    sim = await DeviceCloudSimulator.start({ tlsPort: false });
    app = await startFleet({
      port: 0,
      dataDir: 'memory://',
      logger: silentLogger,
      // Stale after 3 s without readings (the last test waits for it; the others store more often).
      config: { staleAfterInMs: { devicecloud: 3000 }, devicecloud: { username: sim.username, password: sim.password, baseUrl: `http://127.0.0.1:${sim.port}`, pushHost: '127.0.0.1', pushPort: sim.pushPort, secure: false } },
    });
    await app.waitFor((s) => s.vendors.devicecloud.state === 'connected' && sim.monitors().length === 1, 15_000);
  }, 30_000);
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
  });

  const values = async (metric: string): Promise<unknown[]> =>
    (await app.store.queryReadings({ deviceId: ID, metric, from: 0, to: Date.now() + 60_000, limit: 100 })).readings.map((r) => r.value);

  it('stores the other readings of a block with a U+0000 value, acknowledges the block, and keeps ingesting', async () => {
    const monitor = sim.monitors()[0]!;
    const acked = monitor.acks.length;
    // One block (the monitor batches for a second): good, bad, good.
    sim.publishDataPoint({ streamId: `${GW}/temperature`, data: 21.5, streamUnits: 'C' });
    sim.publishDataPoint({ streamId: `${GW}/status`, data: 'pump\u0000ok' });
    sim.publishDataPoint({ streamId: `${GW}/humidity`, data: 40, streamUnits: '%' });
    await expect.poll(() => values('humidity'), { timeout: 10_000 }).toEqual([40]);
    expect(await values('temperature')).toEqual([21.5]);
    expect(await values('status')).toEqual(['pump\uFFFDok']);
    await expect.poll(() => monitor.acks.length > acked && monitor.inflight.size === 0, { timeout: 10_000 }).toBe(true);
    expect(app.status().vendors.devicecloud.state).toBe('connected');
    // The next block arrives and is stored like any other.
    sim.publishDataPoint({ streamId: `${GW}/humidity`, data: 41, streamUnits: '%' });
    await expect.poll(() => values('humidity'), { timeout: 10_000 }).toEqual([40, 41]);
  });

  it('shows degraded with the database reason while storing fails as a whole; the block is delivered again and stored', async () => {
    const monitor = sim.monitors()[0]!;
    const store = app.store as unknown as { insertReadings: (...args: unknown[]) => Promise<unknown> };
    const original = store.insertReadings.bind(app.store);
    let failures = 0;
    store.insertReadings = () => {
      failures += 1;
      return Promise.reject(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    };
    try {
      sim.publishDataPoint({ streamId: `${GW}/humidity`, data: 42, streamUnits: '%' });
      const degraded = await app.waitFor((s) => s.vendors.devicecloud.state === 'degraded', 10_000);
      expect(degraded.vendors.devicecloud.reason).toBe(
        'readings not stored: 57P01: terminating connection due to administrator command; the block is not acknowledged and will be delivered again',
      );
      expect(monitor.inflight.size).toBeGreaterThan(0);
    } finally {
      store.insertReadings = original;
    }
    expect(failures).toBeGreaterThan(0);
    // The session reconnects (the block was refused) and the monitor replays it: stored, acknowledged, connected.
    await expect.poll(() => values('humidity'), { timeout: 20_000 }).toEqual([40, 41, 42]);
    await app.waitFor((s) => s.vendors.devicecloud.state === 'connected', 20_000);
    await expect.poll(() => monitor.inflight.size, { timeout: 10_000 }).toBe(0);
  }, 60_000);

  it('shows devicecloud degraded once no readings arrived for its staleness limit, and connected with the next one', async () => {
    const stale = await app.waitFor((s) => s.vendors.devicecloud.state === 'degraded', 10_000);
    expect(stale.vendors.devicecloud.reason).toMatch(/^no readings for 1 min \(since \S+\) although connected: the vendor stopped sending$/);
    sim.publishDataPoint({ streamId: `${GW}/humidity`, data: 43, streamUnits: '%' });
    const back = await app.waitFor((s) => s.vendors.devicecloud.state === 'connected', 10_000);
    expect(back.vendors.devicecloud.reason).toBeNull();
  });
});

describe('Device Cloud push link that goes silent', () => {
  it('is reconnected after devicecloud.idleTimeoutInMs and shows degraded with the reason meanwhile', async () => {
    const sim = await DeviceCloudSimulator.start({ tlsPort: false });
    const app = await startFleet({
      port: 0,
      dataDir: 'memory://',
      logger: silentLogger,
      config: {
        devicecloud: { username: sim.username, password: sim.password, baseUrl: `http://127.0.0.1:${sim.port}`, pushHost: '127.0.0.1', pushPort: sim.pushPort, secure: false, idleTimeoutInMs: 1000 },
      },
    });
    try {
      await app.waitFor((s) => s.vendors.devicecloud.state === 'connected', 15_000);
      const silent = await app.waitFor((s) => s.vendors.devicecloud.state === 'degraded', 10_000);
      expect(silent.vendors.devicecloud.reason).toMatch(/^TIMEOUT_BODY: nothing arrived for 1000 ms \(reconnecting in \d+ s\)$/);
      await app.waitFor((s) => s.vendors.devicecloud.state === 'connected', 10_000);
    } finally {
      await app.stop();
      await sim.close();
    }
  }, 40_000);
});
