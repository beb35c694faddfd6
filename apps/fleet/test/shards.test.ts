// Two collectors over one PostgreSQL, each owning a shard of the devices: each stores only its own
// devices, and either one's API serves the whole fleet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, shardOf, type FleetApp } from '../src/index.js';
import { silentLogger } from '../src/log.js';
import type { DeviceInfo } from '../src/model.js';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from '../src/test-support/postgres-cluster.js';

const device = (vendorId: string): DeviceInfo => ({
  vendor: 'comap',
  vendorId,
  name: vendorId,
  kind: 'genset',
  model: null,
  online: true,
  primaryMetric: 'Load',
  commands: [],
});

describe.skipIf(!postgresAvailable())('several collectors over one PostgreSQL', () => {
  let cluster: PostgresCluster;
  const apps: FleetApp[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    for (const index of [0, 1]) {
      apps.push(await startFleet({ port: 0, databaseUrl: cluster.url, config: { shard: { index, count: 2 } }, logger: silentLogger }));
    }
  }, 60_000);
  afterAll(async () => {
    try {
      for (const app of apps) await app.stop();
    } finally {
      await cluster?.stop();
    }
  });

  it('stores each device only on its own collector and serves the whole fleet from either', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `genset${i}`);
    const mine = (index: number) => ids.filter((v) => shardOf(`comap:${v}`, 2) === index);
    expect(mine(0).length).toBeGreaterThan(0);
    expect(mine(1).length).toBeGreaterThan(0);
    // Both collectors see every device from their vendor; each keeps its share.
    for (const [index, app] of apps.entries()) {
      for (const v of ids) {
        const stored = await app.ingest.device(device(v));
        expect(stored === undefined).toBe(!mine(index).includes(v));
        await app.ingest.readings([{ deviceId: `comap:${v}`, metric: 'Load', value: index, unit: '%', ts: 1000 }], { live: true });
      }
    }
    for (const app of apps) {
      const { devices } = (await (await fetch(`${app.url}/api/devices`)).json()) as { devices: Array<{ id: string; lastValues: { Load: { value: number } } }> };
      expect(devices.map((d) => d.id).sort()).toEqual(ids.map((v) => `comap:${v}`).sort());
      // Each reading was written by the device's owner only.
      for (const d of devices) expect(d.lastValues.Load.value).toBe(shardOf(d.id, 2));
    }
    expect(apps[1]!.status().storage).toEqual({ kind: 'postgres', shard: { index: 1, count: 2 } });
  });
});
