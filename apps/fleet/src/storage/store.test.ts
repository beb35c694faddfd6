// Storage runs the same SQL on embedded PGlite and on a real PostgreSQL server (a throw-away
// cluster started by the test; in CI a missing PostgreSQL fails the suite instead of skipping).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStart } from '@x/sepl-connector';
import { GRANULARITIES, bucketSql } from '../average.js';
import type { CommandRecord, DeviceInfo } from '../model.js';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from '../test-support/postgres-cluster.js';
import type { SqlDriver } from './driver.js';
import { MIGRATIONS, migrate, splitStatements } from './migrations.js';
import { openStorage } from './open.js';
import { openPostgres } from './postgres.js';
import type { FleetStore } from './store.js';

const t = (iso: string): number => Date.parse(iso);

function genset(vendorId: string, overrides: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    vendor: 'comap',
    vendorId,
    name: `Genset ${vendorId}`,
    kind: 'genset',
    model: 'InteliGen',
    online: true,
    primaryMetric: 'Engine speed',
    commands: [{ name: 'start', label: 'Start', dangerous: true, params: [] }],
    ...overrides,
  };
}

interface Backend {
  name: string;
  open(): Promise<FleetStore>;
  /** Opens the same database again (a restart). */
  reopen(): Promise<FleetStore>;
  driver(): Promise<SqlDriver>;
  teardown(): Promise<void>;
}

function pgliteBackend(): Backend {
  let dir = '';
  let shared: FleetStore | undefined;
  let n = 0;
  return {
    name: 'PGlite',
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'fleet-store-'));
      shared = await openStorage({ dataDir: join(dir, 'db') });
      return shared;
    },
    reopen: () => openStorage({ dataDir: join(dir, 'db') }),
    // A fresh, empty database without starting another PGlite (seconds each on a loaded machine):
    // an empty schema first on the search path of the one PGlite connection, dropped on close.
    async driver() {
      const db = shared!.db;
      const schema = `migration_test_${++n}`;
      await db.query(`CREATE SCHEMA ${schema}`);
      await db.query(`SET search_path TO ${schema}`);
      return {
        kind: db.kind,
        query: (sql, params) => db.query(sql, params),
        transaction: (fn) => db.transaction(fn),
        async close() {
          await db.query('SET search_path TO public');
          await db.query(`DROP SCHEMA ${schema} CASCADE`);
        },
      };
    },
    teardown: () => rm(dir, { recursive: true, force: true }),
  };
}

function postgresBackend(): Backend {
  let cluster: PostgresCluster | undefined;
  let n = 0;
  const freshDatabase = async (): Promise<string> => {
    cluster ??= await startPostgresCluster();
    const admin = await openPostgres(cluster.url);
    const name = `fleet_test_${++n}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.close();
    return cluster.url.replace(/\/postgres$/, `/${name}`);
  };
  let url = '';
  return {
    name: 'PostgreSQL',
    open: async () => {
      url = await freshDatabase();
      return openStorage({ databaseUrl: url });
    },
    reopen: () => openStorage({ databaseUrl: url }),
    driver: async () => openPostgres(await freshDatabase()),
    teardown: async () => cluster?.stop(),
  };
}

const backends = [pgliteBackend()];
if (postgresAvailable()) backends.push(postgresBackend());

describe.each(backends)('storage on $name', (backend) => {
  let store: FleetStore;
  beforeAll(async () => {
    store = await backend.open();
  }, 60_000);
  afterAll(async () => {
    try {
      await store?.close();
    } finally {
      await backend.teardown();
    }
  });

  it('applies each migration once, records it, and refuses a schema from a newer app', async () => {
    const db = await backend.driver();
    try {
      expect(await migrate(db, MIGRATIONS, 1000)).toEqual([1, 2, 3]);
      expect(await migrate(db, MIGRATIONS, 2000)).toEqual([]);
      const extra = { version: 4, name: 'extra', sql: 'CREATE TABLE extra (a int);\nCREATE INDEX extra_a ON extra (a);' };
      expect(await migrate(db, [...MIGRATIONS, extra], 3000)).toEqual([4]);
      expect(await db.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')).toEqual([
        { version: 1, name: MIGRATIONS[0]!.name, applied_at: 1000 },
        { version: 2, name: MIGRATIONS[1]!.name, applied_at: 1000 },
        { version: 3, name: MIGRATIONS[2]!.name, applied_at: 1000 },
        { version: 4, name: 'extra', applied_at: 3000 },
      ]);
      // Room for in-place (HOT) updates of the latest values, rewritten by every batch.
      expect(await db.query("SELECT reloptions FROM pg_class WHERE oid = 'latest'::regclass")).toEqual([{ reloptions: ['fillfactor=50'] }]);
      await expect(migrate(db, MIGRATIONS)).rejects.toThrow('database schema version 4 is newer than this fleet knows (3); upgrade the app');
    } finally {
      await db.close();
    }
  });

  it('upserts devices and tells whether anything changed', async () => {
    const first = await store.upsertDevice(genset('g1'));
    expect(first.changed).toBe(true);
    expect(first.device).toEqual({
      id: 'comap:g1',
      vendor: 'comap',
      vendorId: 'g1',
      name: 'Genset g1',
      kind: 'genset',
      model: 'InteliGen',
      online: true,
      primaryMetric: 'Engine speed',
      commands: [{ name: 'start', label: 'Start', dangerous: true, params: [] }],
      lastSeen: null,
      lastValues: {},
      sepl: { registered: false },
    });
    expect((await store.upsertDevice(genset('g1'))).changed).toBe(false);
    const renamed = await store.upsertDevice(genset('g1', { name: 'Westport' }));
    expect(renamed.changed).toBe(true);
    expect(renamed.device.name).toBe('Westport');
    expect(await store.setOnline('comap:g1', false)).toBe(true);
    expect(await store.setOnline('comap:g1', false)).toBe(false);
    expect((await store.getDevice('comap:g1'))?.online).toBe(false);
    expect(await store.getDevice('comap:nope')).toBeUndefined();
  });

  it('lists devices sorted by vendor and name, filtered by vendor and kind', async () => {
    await store.upsertDevice(genset('list-b', { name: 'B genset' }));
    await store.upsertDevice(genset('list-a', { name: 'A genset' }));
    await store.upsertDevice({ ...genset('gw1'), vendor: 'devicecloud', kind: 'gateway', name: 'Gateway', commands: [] });
    const all = await store.listDevices();
    const ids = all.map((d) => d.id);
    expect(ids.indexOf('comap:list-a')).toBeLessThan(ids.indexOf('comap:list-b'));
    expect(ids.indexOf('comap:list-b')).toBeLessThan(ids.indexOf('devicecloud:gw1'));
    expect((await store.listDevices({ vendor: 'devicecloud' })).map((d) => d.id)).toEqual(['devicecloud:gw1']);
    expect((await store.listDevices({ kind: 'gateway' })).map((d) => d.id)).toEqual(['devicecloud:gw1']);
    expect(await store.listDevices({ vendor: 'thinq' })).toEqual([]);
  });

  it('stores readings once, keeps the newest as the latest value, and queries ranges', async () => {
    await store.upsertDevice(genset('r1'));
    const base = t('2026-03-01T00:00:00.000Z');
    const fresh = await store.insertReadings([
      { deviceId: 'comap:r1', metric: 'Engine speed', value: 1500, unit: 'RPM', ts: base + 2000 },
      { deviceId: 'comap:r1', metric: 'Engine speed', value: 1490, unit: 'RPM', ts: base + 1000 },
      { deviceId: 'comap:r1', metric: 'Mode', value: 'AUT', unit: null, ts: base + 1000 },
      { deviceId: 'comap:r1', metric: 'Running', value: true, unit: null, ts: base + 1000 },
    ]);
    expect(fresh.map((r) => r.ts)).toEqual([
      '2026-03-01T00:00:02.000Z',
      '2026-03-01T00:00:01.000Z',
      '2026-03-01T00:00:01.000Z',
      '2026-03-01T00:00:01.000Z',
    ]);
    // The same readings again (a re-poll or an overlapping backfill) are not new; an older value
    // does not replace the latest one.
    const again = await store.insertReadings([
      { deviceId: 'comap:r1', metric: 'Engine speed', value: 1500, unit: 'RPM', ts: base + 2000 },
      { deviceId: 'comap:r1', metric: 'Engine speed', value: 1400, unit: 'RPM', ts: base },
    ]);
    expect(again).toEqual([{ deviceId: 'comap:r1', metric: 'Engine speed', value: 1400, unit: 'RPM', ts: '2026-03-01T00:00:00.000Z' }]);
    const device = await store.getDevice('comap:r1');
    expect(device?.lastValues).toEqual({
      'Engine speed': { value: 1500, unit: 'RPM', ts: '2026-03-01T00:00:02.000Z' },
      Mode: { value: 'AUT', unit: null, ts: '2026-03-01T00:00:01.000Z' },
      Running: { value: true, unit: null, ts: '2026-03-01T00:00:01.000Z' },
    });
    expect(device?.lastSeen).toBe('2026-03-01T00:00:02.000Z');

    const all = await store.queryReadings({ deviceId: 'comap:r1', from: base, to: base + 2000, limit: 100 });
    expect(all.truncated).toBe(false);
    expect(all.readings.map((r) => [r.ts, r.metric, r.value])).toEqual([
      ['2026-03-01T00:00:00.000Z', 'Engine speed', 1400],
      ['2026-03-01T00:00:01.000Z', 'Engine speed', 1490],
      ['2026-03-01T00:00:01.000Z', 'Mode', 'AUT'],
      ['2026-03-01T00:00:01.000Z', 'Running', true],
      ['2026-03-01T00:00:02.000Z', 'Engine speed', 1500],
    ]);
    const speed = await store.queryReadings({ deviceId: 'comap:r1', metric: 'Engine speed', from: base + 1, to: base + 5000, limit: 1 });
    expect(speed).toEqual({
      truncated: true,
      readings: [{ deviceId: 'comap:r1', metric: 'Engine speed', value: 1490, unit: 'RPM', ts: '2026-03-01T00:00:01.000Z' }],
    });
  });

  it('a reading twice in one batch is new once, and latest and lastSeen follow the newest of several metrics', async () => {
    await store.upsertDevice(genset('dup'));
    const base = t('2026-04-01T00:00:00.000Z');
    const a = { deviceId: 'comap:dup', metric: 'Load', value: 10, unit: '%', ts: base + 3000 };
    const fresh = await store.insertReadings([a, { deviceId: 'comap:dup', metric: 'Fuel', value: 80, unit: '%', ts: base + 1000 }, a]);
    expect(fresh.map((r) => [r.metric, r.ts])).toEqual([
      ['Load', '2026-04-01T00:00:03.000Z'],
      ['Fuel', '2026-04-01T00:00:01.000Z'],
    ]);
    // A known pair moves forward, an older reading of it does not move it back, a new pair is added.
    await store.insertReadings([
      { deviceId: 'comap:dup', metric: 'Fuel', value: 79, unit: '%', ts: base + 5000 },
      { deviceId: 'comap:dup', metric: 'Load', value: 5, unit: '%', ts: base + 2000 },
      { deviceId: 'comap:dup', metric: 'Mode', value: 'MAN', unit: null, ts: base + 4000 },
    ]);
    const device = await store.getDevice('comap:dup');
    expect(device?.lastValues).toEqual({
      Fuel: { value: 79, unit: '%', ts: '2026-04-01T00:00:05.000Z' },
      Load: { value: 10, unit: '%', ts: '2026-04-01T00:00:03.000Z' },
      Mode: { value: 'MAN', unit: null, ts: '2026-04-01T00:00:04.000Z' },
    });
    expect(device?.lastSeen).toBe('2026-04-01T00:00:05.000Z');
    expect((await store.listDevices()).find((d) => d.id === 'comap:dup')?.lastSeen).toBe('2026-04-01T00:00:05.000Z');
  });

  it('averages numeric readings in UTC-aligned Druid buckets (hand computed)', async () => {
    await store.upsertDevice(genset('avg'));
    const m = 'Load';
    const values: Array<[string, number | string | boolean]> = [
      ['2026-01-05T10:05:00.000Z', 10], // Monday
      ['2026-01-05T10:20:00.000Z', 20],
      ['2026-01-05T10:50:00.000Z', 30],
      ['2026-01-05T10:51:00.000Z', 'n/a'], // strings never count
      ['2026-01-05T11:10:00.000Z', 40],
      ['2026-01-11T23:59:59.000Z', 50], // Sunday, same ISO week
      ['2026-02-02T00:00:00.000Z', 60], // Monday, next month
    ];
    await store.insertReadings(values.map(([ts, value]) => ({ deviceId: 'comap:avg', metric: m, value, unit: '%', ts: t(ts) })));
    const q = (granularity: Parameters<FleetStore['average']>[0]['granularity'], from = 0, to = t('2026-12-31T00:00:00.000Z')) =>
      store.average({ deviceId: 'comap:avg', metric: m, granularity, from, to });
    expect(await q('hour')).toEqual([
      { time_stamp: '2026-01-05T10:00:00.000Z', result: 20, data_points: 3 },
      { time_stamp: '2026-01-05T11:00:00.000Z', result: 40, data_points: 1 },
      { time_stamp: '2026-01-11T23:00:00.000Z', result: 50, data_points: 1 },
      { time_stamp: '2026-02-02T00:00:00.000Z', result: 60, data_points: 1 },
    ]);
    expect((await q('fifteen_minute')).map((b) => [b.time_stamp, b.result])).toEqual([
      ['2026-01-05T10:00:00.000Z', 10],
      ['2026-01-05T10:15:00.000Z', 20],
      ['2026-01-05T10:45:00.000Z', 30],
      ['2026-01-05T11:00:00.000Z', 40],
      ['2026-01-11T23:45:00.000Z', 50],
      ['2026-02-02T00:00:00.000Z', 60],
    ]);
    expect((await q('thirty_minute')).slice(0, 2)).toEqual([
      { time_stamp: '2026-01-05T10:00:00.000Z', result: 15, data_points: 2 },
      { time_stamp: '2026-01-05T10:30:00.000Z', result: 30, data_points: 1 },
    ]);
    expect(await q('week')).toEqual([
      { time_stamp: '2026-01-05T00:00:00.000Z', result: 30, data_points: 5 },
      { time_stamp: '2026-02-02T00:00:00.000Z', result: 60, data_points: 1 },
    ]);
    expect(await q('month')).toEqual([
      { time_stamp: '2026-01-01T00:00:00.000Z', result: 30, data_points: 5 },
      { time_stamp: '2026-02-01T00:00:00.000Z', result: 60, data_points: 1 },
    ]);
    expect(await q('quarter')).toEqual([{ time_stamp: '2026-01-01T00:00:00.000Z', result: 35, data_points: 6 }]);
    expect(await q('year')).toEqual([{ time_stamp: '2026-01-01T00:00:00.000Z', result: 35, data_points: 6 }]);
    expect(await q('day')).toEqual([
      { time_stamp: '2026-01-05T00:00:00.000Z', result: 25, data_points: 4 },
      { time_stamp: '2026-01-11T00:00:00.000Z', result: 50, data_points: 1 },
      { time_stamp: '2026-02-02T00:00:00.000Z', result: 60, data_points: 1 },
    ]);
    expect(await q('all')).toEqual([{ time_stamp: '2026-01-05T10:05:00.000Z', result: 35, data_points: 6 }]);
    // The window bounds are inclusive.
    expect(await q('all', t('2026-01-05T10:20:00.000Z'), t('2026-01-05T11:10:00.000Z'))).toEqual([
      { time_stamp: '2026-01-05T10:20:00.000Z', result: 30, data_points: 3 },
    ]);
    expect(await q('second', t('2026-01-05T10:05:00.000Z'), t('2026-01-05T10:05:00.000Z'))).toEqual([
      { time_stamp: '2026-01-05T10:05:00.000Z', result: 10, data_points: 1 },
    ]);
    expect(await q('minute', 0, 1)).toEqual([]);
    expect(await q('all', 0, 1)).toEqual([]);
  });

  it('buckets in SQL exactly like the SEPL connector buckets in JavaScript', async () => {
    // Instants around month, quarter, year and ISO-week edges, a leap day, and before 1970.
    const instants = [
      '2024-02-29T23:59:59.999Z',
      '2024-03-01T00:00:00.000Z',
      '2025-12-31T23:59:59.999Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-04T23:59:59.999Z', // Sunday
      '2026-01-05T00:00:00.000Z', // Monday
      '2026-03-31T12:34:56.789Z',
      '2026-04-01T00:00:00.001Z',
      '2026-09-30T23:14:59.500Z',
      '1969-12-31T23:59:59.999Z',
    ].map(t);
    for (const granularity of GRANULARITIES) {
      if (granularity === 'all') continue;
      for (const ts of instants) {
        const [row] = await store.db.query<{ b: number | string }>(`SELECT ${bucketSql(granularity, '$1::bigint')} AS b`, [ts]);
        expect([granularity, new Date(Number(row!.b)).toISOString()]).toEqual([granularity, new Date(bucketStart(ts, granularity)).toISOString()]);
      }
    }
  });

  it('averages booleans as 0 and 1', async () => {
    await store.upsertDevice(genset('bool'));
    const base = t('2026-04-01T00:00:00.000Z');
    await store.insertReadings(
      [true, false, true, true].map((value, i) => ({ deviceId: 'comap:bool', metric: 'Running', value, unit: null, ts: base + i })),
    );
    expect(await store.average({ deviceId: 'comap:bool', metric: 'Running', granularity: 'all', from: base, to: base + 10 })).toEqual([
      { time_stamp: '2026-04-01T00:00:00.000Z', result: 0.75, data_points: 4 },
    ]);
  });

  it('exports readings with their device, page by page, in time order', async () => {
    await store.upsertDevice(genset('exp', { name: 'Export, "quoted"' }));
    const base = t('2026-05-01T00:00:00.000Z');
    await store.insertReadings([
      { deviceId: 'comap:exp', metric: 'b', value: 2, unit: 'V', ts: base },
      { deviceId: 'comap:exp', metric: 'a', value: 1, unit: 'V', ts: base },
      { deviceId: 'comap:exp', metric: 'a', value: 3, unit: 'V', ts: base + 1 },
      { deviceId: 'comap:exp', metric: 'a', value: 'x', unit: null, ts: base + 2 },
      { deviceId: 'comap:exp', metric: 'a', value: 9, unit: 'V', ts: base + 3 },
    ]);
    const rows = [];
    for await (const row of store.exportReadings({ from: base, to: base + 2, deviceId: 'comap:exp', pageSize: 2 })) rows.push(row);
    expect(rows).toEqual([
      { deviceId: 'comap:exp', metric: 'a', value: 1, unit: 'V', ts: '2026-05-01T00:00:00.000Z', vendor: 'comap', vendorId: 'exp', deviceName: 'Export, "quoted"' },
      { deviceId: 'comap:exp', metric: 'b', value: 2, unit: 'V', ts: '2026-05-01T00:00:00.000Z', vendor: 'comap', vendorId: 'exp', deviceName: 'Export, "quoted"' },
      { deviceId: 'comap:exp', metric: 'a', value: 3, unit: 'V', ts: '2026-05-01T00:00:00.001Z', vendor: 'comap', vendorId: 'exp', deviceName: 'Export, "quoted"' },
      { deviceId: 'comap:exp', metric: 'a', value: 'x', unit: null, ts: '2026-05-01T00:00:00.002Z', vendor: 'comap', vendorId: 'exp', deviceName: 'Export, "quoted"' },
    ]);
    const onlyB = [];
    for await (const row of store.exportReadings({ from: 0, to: base + 10, metric: 'b', deviceId: 'comap:exp' })) onlyB.push(row.value);
    expect(onlyB).toEqual([2]);
  });

  it('saves command records, updates them on completion and lists newest first', async () => {
    const pending: CommandRecord = {
      id: 'cmd-1',
      deviceId: 'comap:g1',
      command: 'changeMode',
      params: { mode: 'MAN' },
      source: 'api',
      status: 'pending',
      result: null,
      error: null,
      requestedAt: '2026-06-01T00:00:00.000Z',
      completedAt: null,
    };
    await store.saveCommand(pending);
    await store.saveCommand({ ...pending, id: 'cmd-2', source: 'sepl', requestedAt: '2026-06-01T00:00:01.000Z' });
    await store.saveCommand({ ...pending, status: 'ok', result: { text: 'sent' }, completedAt: '2026-06-01T00:00:00.500Z' });
    expect(await store.listCommands({ limit: 10 })).toEqual([
      { ...pending, id: 'cmd-2', source: 'sepl', requestedAt: '2026-06-01T00:00:01.000Z' },
      { ...pending, status: 'ok', result: { text: 'sent' }, completedAt: '2026-06-01T00:00:00.500Z' },
    ]);
    expect((await store.listCommands({ limit: 10, source: 'api' })).map((c) => c.id)).toEqual(['cmd-1']);
    expect((await store.listCommands({ limit: 1 })).map((c) => c.id)).toEqual(['cmd-2']);
  });

  it('keeps small state values', async () => {
    expect(await store.getState('sepl.gid')).toBeUndefined();
    await store.setState('sepl.gid', { gid: 'gw-1' });
    await store.setState('sepl.gid', { gid: 'gw-2' });
    expect(await store.getState('sepl.gid')).toEqual({ gid: 'gw-2' });
  });

  it('keeps everything across a restart', async () => {
    await store.upsertDevice(genset('keep'));
    await store.insertReadings([{ deviceId: 'comap:keep', metric: 'Load', value: 42, unit: '%', ts: 1000 }]);
    await store.close();
    store = await backend.reopen();
    expect((await store.getDevice('comap:keep'))?.lastValues).toEqual({ Load: { value: 42, unit: '%', ts: '1970-01-01T00:00:01.000Z' } });
    expect(await store.getState('sepl.gid')).toEqual({ gid: 'gw-2' });
    expect(await store.db.query('SELECT max(version) AS v FROM schema_migrations')).toEqual([{ v: 3 }]);
  });
});

describe('splitStatements', () => {
  it('splits on semicolons at line ends only', () => {
    expect(splitStatements("CREATE TABLE a (b text DEFAULT ';x');\n  CREATE INDEX i ON a (b);\n")).toEqual([
      "CREATE TABLE a (b text DEFAULT ';x')",
      'CREATE INDEX i ON a (b)',
    ]);
  });
});

describe('PostgreSQL connection errors', () => {
  it('fails fast with the server error when the URL is wrong', async () => {
    await expect(openStorage({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
