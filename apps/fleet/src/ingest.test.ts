// Ingestion isolates bad input: on PGlite and on a real PostgreSQL (a throw-away cluster, see
// test-support/postgres-cluster.ts), a batch with a U+0000 value, invalid UTF-16/UTF-8 text, a
// reading of an unknown device and a time out of range stores every other reading, logs each
// refused one with the database's reason, and rejects only when the database fails as a whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanDeep, cleanText, hasUnstorable } from './clean-text.js';
import { EventBus } from './events.js';
import { Ingest, isDataError } from './ingest.js';
import type { Logger } from './log.js';
import type { DeviceInfo, Reading, ReadingInput } from './model.js';
import { openStorage } from './storage/open.js';
import { openPostgres } from './storage/postgres.js';
import type { FleetStore } from './storage/store.js';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from './test-support/postgres-cluster.js';

const gateway: DeviceInfo = { vendor: 'devicecloud', vendorId: 'GW', name: 'Gateway', kind: 'gateway', model: null, online: true, primaryMetric: null, commands: [] };
const T = Date.UTC(2026, 0, 1);

interface Backend {
  name: string;
  open(): Promise<FleetStore>;
  teardown(): Promise<void>;
}

function postgresBackend(): Backend {
  let cluster: PostgresCluster | undefined;
  return {
    name: 'PostgreSQL',
    async open() {
      cluster = await startPostgresCluster();
      const admin = await openPostgres(cluster.url);
      await admin.query('CREATE DATABASE fleet_ingest');
      await admin.close();
      return openStorage({ databaseUrl: cluster.url.replace(/\/postgres$/, '/fleet_ingest') });
    },
    teardown: async () => cluster?.stop(),
  };
}

const backends: Backend[] = [{ name: 'PGlite', open: () => openStorage({ dataDir: 'memory://' }), teardown: async () => {} }];
if (postgresAvailable()) backends.push(postgresBackend());

function recordingLogger(): { logger: Logger; warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }> } {
  const warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
  const none = (): void => {};
  const logger = { debug: none, info: none, error: none, warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }) } as unknown as Logger;
  return { logger, warnings };
}

describe.each(backends)('ingest on $name', (backend) => {
  let store: FleetStore;
  let ingest: Ingest;
  const bus = new EventBus();
  const live: Reading[] = [];
  const data: string[] = [];
  const log = recordingLogger();

  beforeAll(async () => {
    store = await backend.open();
    ingest = new Ingest({ store, bus, owns: () => true, decorate: (d) => d, logger: log.logger, onData: (vendor) => data.push(vendor) });
    bus.on('reading', (r) => live.push(r));
    await ingest.device(gateway);
  }, 60_000);
  // The cluster is stopped even when closing the store failed.
  afterAll(() => Promise.allSettled([store?.close()]).then(() => backend.teardown()));

  it('the database itself refuses U+0000 in text (so one such value used to fail the whole batch)', async () => {
    const err = await store.insertReadings([{ deviceId: 'devicecloud:GW', metric: 'raw', value: 'a\u0000b', unit: null, ts: T }]).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('22021');
    expect(isDataError(err)).toBe(true);
  });

  it('stores the rest of a batch around bad readings, cleans text, and logs each refused reading with the database reason', async () => {
    const batch: ReadingInput[] = [
      { deviceId: 'devicecloud:GW', metric: 'temperature', value: 21.5, unit: 'C', ts: T + 1 },
      { deviceId: 'devicecloud:GW', metric: 'status', value: 'ok\u0000then', unit: 'text\u0000', ts: T + 2 },
      { deviceId: 'devicecloud:GW', metric: 'label', value: 'half \uD800 pair', unit: null, ts: T + 3 },
      { deviceId: 'devicecloud:UNKNOWN', metric: 'temperature', value: 1, unit: null, ts: T + 4 },
      { deviceId: 'devicecloud:GW', metric: 'temperature', value: 2, unit: null, ts: 1e20 },
      { deviceId: 'devicecloud:GW', metric: 'bad\u0000metric', value: 3, unit: null, ts: T + 5 },
      { deviceId: 'devicecloud:GW', metric: 'humidity', value: 40, unit: '%', ts: T + 6 },
    ];
    log.warnings.length = 0;
    expect(await ingest.readings(batch, { live: true })).toBe(4);
    const stored = await store.queryReadings({ deviceId: 'devicecloud:GW', from: T, to: T + 10, limit: 10 });
    expect(stored.readings.map((r) => [r.metric, r.value, r.unit])).toEqual([
      ['temperature', 21.5, 'C'],
      ['status', 'ok\uFFFDthen', 'text\uFFFD'],
      ['label', 'half \uFFFD pair', null],
      ['humidity', 40, '%'],
    ]);
    expect(live.map((r) => r.metric)).toEqual(['temperature', 'status', 'label', 'humidity']);
    expect(data).toEqual(['devicecloud']);
    const refused = log.warnings.map((w) => [w.fields?.deviceId, w.fields?.metric, w.fields?.code]);
    expect(refused).toEqual([
      ['devicecloud:GW', 'bad\u0000metric', undefined],
      ['devicecloud:UNKNOWN', 'temperature', '23503'],
      ['devicecloud:GW', 'temperature', '22003'],
    ]);
    expect(log.warnings.every((w) => w.message === 'reading not stored (skipped; the rest of its batch is stored)')).toBe(true);
    expect(log.warnings[0]!.fields?.reason).toBe('the metric name holds a NUL or invalid UTF-8');
    expect(String(log.warnings[1]!.fields?.reason)).toMatch(/foreign key constraint/);
    expect(String(log.warnings[2]!.fields?.reason)).toMatch(/out of range for type bigint/);
  });

  it('finds a bad reading in a large batch in a few statements (halving), storing all the others', async () => {
    const calls: number[] = [];
    const counting = Object.create(store) as FleetStore;
    counting.insertReadings = (rows) => {
      calls.push(rows.length);
      return store.insertReadings(rows);
    };
    const counted = new Ingest({ store: counting, bus, owns: () => true, decorate: (d) => d, logger: log.logger });
    const batch: ReadingInput[] = Array.from({ length: 64 }, (_, i) => ({ deviceId: 'devicecloud:GW', metric: 'bulk', value: i, unit: null, ts: T + 100 + i }));
    batch[41] = { ...batch[41]!, deviceId: 'devicecloud:NOPE' };
    log.warnings.length = 0;
    expect(await counted.readings(batch, { live: false })).toBe(63);
    expect(log.warnings.map((w) => w.fields?.deviceId)).toEqual(['devicecloud:NOPE']);
    // Depth first into the failing half (index 41): 13 statements, not 64.
    expect(calls).toEqual([64, 32, 32, 16, 8, 8, 4, 2, 1, 1, 2, 4, 16]);
  });

  it('cleans a device\'s names and command specs, and refuses a device id that cannot be stored', async () => {
    const id = await ingest.device({ ...gateway, vendorId: 'GW2', name: 'Gate\u0000way', model: 'M\uDC00', commands: [{ name: 'go', label: 'Go\u0000', dangerous: false, params: [] }] });
    const device = await store.getDevice(id!);
    expect([device?.name, device?.model, device?.commands[0]?.label]).toEqual(['Gate\uFFFDway', 'M\uFFFD', 'Go\uFFFD']);
    await expect(ingest.device({ ...gateway, vendorId: 'G\u0000W' })).rejects.toThrow('device id holds a NUL or invalid UTF-8: not stored');
  });

  it('rejects the whole batch when the database fails as a whole (not for its data), so the caller keeps it for a retry', async () => {
    const failing = new Ingest({
      store: { insertReadings: () => Promise.reject(Object.assign(new Error('Connection terminated'), { code: '57P01' })) } as unknown as FleetStore,
      bus,
      owns: () => true,
      decorate: (d) => d,
    });
    await expect(failing.readings([{ deviceId: 'devicecloud:GW', metric: 'x', value: 1, unit: null, ts: T }], { live: false })).rejects.toThrow('Connection terminated');
  });
});

describe('clean text', () => {
  it('replaces NUL and lone surrogates with U+FFFD and leaves valid pairs alone', () => {
    expect([hasUnstorable('ok 😀'), hasUnstorable('a\u0000'), hasUnstorable('\uDE00x'), hasUnstorable('x\uD83D')]).toEqual([false, true, true, true]);
    expect(cleanText('a\u0000b\uD83D😀\uDE00')).toBe('a\uFFFDb\uFFFD😀\uFFFD');
    expect(cleanDeep({ 'k\u0000': ['v\u0000', 1, null, { n: true }] })).toEqual({ 'k\uFFFD': ['v\uFFFD', 1, null, { n: true }] });
  });
});
