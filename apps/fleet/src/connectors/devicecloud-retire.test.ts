// Retiring the Device Cloud push monitors of collectors gone for long, against the package's
// simulator and a real PostgreSQL (a throw-away cluster): heartbeats written by the lease table on
// an injected clock (a day later is one assignment away), the monitors deleted exactly as the rule
// says (gone longer than the limit; never this collector's, a live one's, an unknown name's, or a
// monitor not named and made like the fleet's), each retirement logged; only the collector holding
// shard 0 retires, with PGlite none does; the connector does it at start and then periodically.
import { DeviceCloudClient } from '@x/devicecloud-monitor';
import { DeviceCloudSimulator } from '@x/devicecloud-monitor/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type FleetApp } from '../app.js';
import { parseConfig } from '../config.js';
import { EventBus } from '../events.js';
import { Ingest } from '../ingest.js';
import { silentLogger, type Logger } from '../log.js';
import { createCluster, type Cluster } from '../shards/cluster.js';
import { FORGET_COLLECTOR_AFTER_MS, LeaseTable } from '../shards/leases.js';
import { StateTracker } from '../status.js';
import { openStorage } from '../storage/open.js';
import { openPostgres } from '../storage/postgres.js';
import type { FleetStore } from '../storage/store.js';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from '../test-support/postgres-cluster.js';
import type { ConnectorContext } from './connector.js';
import { DevicecloudConnector } from './devicecloud.js';
import { retireGoneMonitors } from './devicecloud-retire.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);
const LEASE = 15_000;

function recordingLogger(): { logger: Logger; infos: Array<[string, unknown]>; warnings: Array<[string, unknown]> } {
  const infos: Array<[string, unknown]> = [];
  const warnings: Array<[string, unknown]> = [];
  return { logger: { ...silentLogger, info: (m, f) => void infos.push([m, f]), warn: (m, f) => void warnings.push([m, f]) }, infos, warnings };
}

let pg: PostgresCluster;
let sim: DeviceCloudSimulator;
let client: DeviceCloudClient;
let dbCount = 0;

/** A fresh database of the test cluster. */
async function database(): Promise<string> {
  const name = `retire${++dbCount}`;
  const admin = await openPostgres(pg.url);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  return pg.url.replace(/\/postgres$/, `/${name}`);
}

const descriptions = (): string[] => sim.monitors().map((m) => `${m.transport} ${m.fields.monDescription ?? ''}`).sort();
const tcpMonitor = (description: string): Promise<number> => client.createTcpMonitor(['DataPoint'], { description });

describe.skipIf(!postgresAvailable())('retiring the push monitors of gone collectors', () => {
  beforeAll(async () => {
    pg = await startPostgresCluster();
    sim = await DeviceCloudSimulator.start({ tlsPort: false });
    client = new DeviceCloudClient({ username: sim.username, password: sim.password, baseUrl: `http://127.0.0.1:${sim.port}`, retry: false });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await sim?.close();
    await pg?.stop();
  });
  afterEach(async () => {
    for (const m of sim.monitors()) await client.deleteMonitor(m.id);
  });

  describe('on an injected clock', () => {
    let store: FleetStore;
    let clock = T0;
    let table: LeaseTable;
    const beat = (id: string, name: string) => table.round({ id, name, leaseInMs: LEASE, beforeRelease: () => {} });

    beforeAll(async () => {
      store = await openStorage({ databaseUrl: await database() });
      table = new LeaseTable(store.db, { now: () => clock });
    });
    afterAll(() => store?.close());

    it('deletes the monitors of collectors gone longer than the limit, and only those, logging each', async () => {
      // At T0: 'crashed' beats once and dies, 'stopped' stops cleanly an hour later, 'self' is this
      // collector's name from an earlier run; 'back' dies and comes back as a new process; 'recent'
      // stops 20 h later; 'live' beats at the end.
      for (const name of ['crashed', 'stopped', 'self', 'back']) await beat(`${name}-1`, name);
      clock = T0 + HOUR;
      await table.leave('stopped-1');
      clock = T0 + 20 * HOUR;
      await beat('recent-1', 'recent');
      await table.leave('recent-1');
      clock = T0 + DAY + 2 * HOUR;
      await beat('back-2', 'back');
      await beat('live-1', 'live');
      expect(await table.gone(DAY)).toEqual(['crashed', 'self', 'stopped']);
      for (const name of ['crashed', 'stopped', 'self', 'back', 'recent', 'live', 'never-seen', 'crashed extra']) await tcpMonitor(`x-fleet collector ${name}`);
      await tcpMonitor('crashed');
      await client.createHttpMonitor(['DataPoint'], 'https://example.test/push', { description: 'x-fleet collector crashed' });
      const { logger, infos } = recordingLogger();
      const retire = () => retireGoneMonitors({ client, own: 'self', afterInMs: DAY, gone: (ms) => table.gone(ms), logger });

      expect(await retire()).toEqual(['crashed', 'stopped']);
      expect(descriptions()).toEqual([
        'http x-fleet collector crashed',
        'tcp crashed',
        'tcp x-fleet collector back',
        'tcp x-fleet collector crashed extra',
        'tcp x-fleet collector live',
        'tcp x-fleet collector never-seen',
        'tcp x-fleet collector recent',
        'tcp x-fleet collector self',
      ]);
      expect(infos).toEqual([
        ['devicecloud: push monitor of a gone collector retired', { monitorId: expect.any(Number), collector: 'crashed', goneForMoreThanInMs: DAY }],
        ['devicecloud: push monitor of a gone collector retired', { monitorId: expect.any(Number), collector: 'stopped', goneForMoreThanInMs: DAY }],
      ]);
      // Nothing more to do; 'recent' goes once it has been gone a day too.
      expect(await retire()).toEqual([]);
      clock = T0 + 45 * HOUR;
      expect(await retire()).toEqual(['recent']);
      expect(descriptions()).not.toContain('tcp x-fleet collector recent');
    });

    it('counts a monitor deleted meanwhile (404) as retired, and fails on any other error', async () => {
      const id = await tcpMonitor('x-fleet collector crashed');
      const { logger, infos } = recordingLogger();
      const racing = {
        listMonitors: client.listMonitors.bind(client),
        deleteMonitor: async (monitorId: number) => {
          await client.deleteMonitor(monitorId);
          return client.deleteMonitor(monitorId);
        },
      };
      expect(await retireGoneMonitors({ client: racing, own: 'self', afterInMs: DAY, gone: () => Promise.resolve(['crashed']), logger })).toEqual(['crashed']);
      expect(infos.map(([, f]) => f)).toEqual([{ monitorId: id, collector: 'crashed', goneForMoreThanInMs: DAY }]);
      await tcpMonitor('x-fleet collector crashed');
      const failing = { ...racing, deleteMonitor: () => Promise.reject(Object.assign(new Error('HTTP 500'), { name: 'HttpError', status: 500 })) };
      await expect(retireGoneMonitors({ client: failing, own: 'self', afterInMs: DAY, gone: () => Promise.resolve(['crashed']), logger })).rejects.toThrow('HTTP 500');
    });

    it('keeps the newest heartbeat of each name, drops older ones of the same name, and forgets a name after 32 days', async () => {
      const names = () => store.db.query<{ id: string }>('SELECT id FROM collectors ORDER BY id');
      // 'back-1' was superseded by 'back-2' long ago: gone at the next round.
      await beat('live-1', 'live');
      expect((await names()).map((r) => r.id)).toEqual(['back-2', 'crashed-1', 'live-1', 'recent-1', 'self-1', 'stopped-1']);
      clock = T0 + 2 * HOUR + FORGET_COLLECTOR_AFTER_MS;
      await beat('live-1', 'live');
      expect((await names()).map((r) => r.id)).toEqual(['back-2', 'live-1', 'recent-1']);
      expect(await table.gone(DAY)).toEqual(['back', 'recent']);
    });
  });

  describe('who retires', () => {
    const clusters: Cluster[] = [];
    const stores: FleetStore[] = [];
    afterAll(async () => {
      for (const c of clusters) await c.stop();
      for (const s of stores) await s.close();
    });

    /** A collector that left 25 h ago (its heartbeat written on a clock a day and an hour behind). */
    async function goneYesterday(url: string, name: string): Promise<void> {
      const store = await openStorage({ databaseUrl: url });
      const table = new LeaseTable(store.db, { now: () => Date.now() - DAY - HOUR });
      await table.round({ id: `${name}-old`, name, leaseInMs: LEASE, beforeRelease: () => {} });
      await table.leave(`${name}-old`);
      await store.close();
    }

    async function cluster(url: string | undefined, name: string): Promise<Cluster> {
      const store = await openStorage(url ? { databaseUrl: url } : { dataDir: 'memory://' });
      stores.push(store);
      const config = parseConfig({ storage: url ? { databaseUrl: url } : {}, shard: { collector: name, leaseInMs: 600 } }, 'test');
      const c = createCluster({ config, store, bus: new EventBus(), logger: silentLogger, collect: true });
      clusters.push(c);
      await c.start();
      return c;
    }

    it('is the collector holding shard 0, only; with PGlite nobody', async () => {
      const url = await database();
      await goneYesterday(url, 'old');
      const a = await cluster(url, 'a');
      const b = await cluster(url, 'b');
      await expect.poll(() => b.status().owned.length, { timeout: 5000 }).toBe(32);
      expect(a.status().owned).toContain(0);
      expect(await a.goneCollectors(DAY)).toEqual(['old']);
      expect(await a.goneCollectors(DAY + 2 * HOUR)).toEqual([]);
      expect(await b.goneCollectors(DAY)).toEqual([]);
      const alone = await cluster(undefined, '0/1');
      expect(alone.status().owned).toContain(0);
      expect(await alone.goneCollectors(0)).toEqual([]);
    });
  });

  describe('the connector', () => {
    let app: FleetApp | undefined;
    afterEach(async () => {
      await app?.stop();
      app = undefined;
    });
    const devicecloud = () => ({ username: sim.username, password: sim.password, baseUrl: `http://127.0.0.1:${sim.port}`, pushHost: '127.0.0.1', pushPort: sim.pushPort, secure: false });

    it('of the collector holding shard 0 retires gone collectors\' monitors at start, and logs it', async () => {
      const url = await database();
      const store = await openStorage({ databaseUrl: url });
      const table = new LeaseTable(store.db, { now: () => Date.now() - DAY - HOUR });
      await table.round({ id: 'edge-9-old', name: 'edge-9', leaseInMs: LEASE, beforeRelease: () => {} });
      await store.close();
      await tcpMonitor('x-fleet collector edge-9');
      await tcpMonitor('x-fleet collector edge-never');
      const { logger, infos } = recordingLogger();
      app = await startFleet({ port: 0, databaseUrl: url, logger, config: { shard: { collector: 'edge-1', leaseInMs: 600 }, devicecloud: devicecloud() } });
      await expect.poll(() => descriptions(), { timeout: 10_000 }).toEqual(['tcp x-fleet collector edge-1', 'tcp x-fleet collector edge-never']);
      expect(infos.filter(([m]) => m.includes('retired'))).toEqual([
        ['devicecloud: push monitor of a gone collector retired', { monitorId: expect.any(Number), collector: 'edge-9', goneForMoreThanInMs: DAY, namespace: 'fleet' }],
      ]);
    });

    it('retires nothing with PGlite, or when devicecloud.retireMonitorsAfterInMs is 0', async () => {
      await tcpMonitor('x-fleet collector edge-9');
      app = await startFleet({ port: 0, dataDir: 'memory://', logger: silentLogger, config: { devicecloud: devicecloud() } });
      await expect.poll(() => descriptions(), { timeout: 10_000 }).toEqual(['tcp x-fleet collector 0/1', 'tcp x-fleet collector edge-9']);
      await app.stop();
      const url = await database();
      const store = await openStorage({ databaseUrl: url });
      await new LeaseTable(store.db, { now: () => Date.now() - 2 * DAY }).round({ id: 'edge-9-old', name: 'edge-9', leaseInMs: LEASE, beforeRelease: () => {} });
      await store.close();
      app = await startFleet({ port: 0, databaseUrl: url, logger: silentLogger, config: { shard: { collector: 'edge-1', leaseInMs: 600 }, devicecloud: { ...devicecloud(), retireMonitorsAfterInMs: 0 } } });
      await expect.poll(() => descriptions(), { timeout: 10_000 }).toContain('tcp x-fleet collector edge-1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(descriptions()).toContain('tcp x-fleet collector edge-9');
    });

    it('looks again every retireEveryInMs, and stops looking when stopped', async () => {
      const store = await openStorage({ dataDir: 'memory://' });
      const calls: number[] = [];
      let gone: string[] = [];
      const ctx: ConnectorContext = {
        ingest: new Ingest({ store, bus: new EventBus(), owns: () => true, decorate: (d) => d }),
        tracker: new StateTracker('connecting', Date.now, () => {}),
        logger: silentLogger,
        now: Date.now,
        kv: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() },
        setMode: () => {},
        goneCollectors: (afterInMs) => {
          calls.push(afterInMs);
          return Promise.resolve(gone);
        },
      };
      const connector = new DevicecloudConnector({ ...devicecloud(), retireMonitorsAfterInMs: 5 * HOUR }, ctx, { collector: 'me', retireEveryInMs: 50 });
      try {
        await connector.start();
        await expect.poll(() => calls.length).toBeGreaterThan(0);
        await tcpMonitor('x-fleet collector late');
        gone = ['late'];
        await expect.poll(() => descriptions(), { timeout: 5000 }).toEqual(['tcp x-fleet collector me']);
        expect(new Set(calls)).toEqual(new Set([5 * HOUR]));
      } finally {
        await connector.stop();
        await store.close();
      }
      const after = calls.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(calls.length).toBe(after);
    });
  });
});
