// Ingest throughput of the fleet app into PostgreSQL and into PGlite: readings/s through the app's
// own path (Ingest.readings: shard filter, text cleaning, INSERT … ON CONFLICT DO NOTHING RETURNING,
// latest values, live events), against a raw multi-row INSERT of the same rows into the same
// readings table on the same connection, in the same run, rounds interleaved (medians; ratio app /
// raw). CPU per reading: this process, and for a local PostgreSQL also its server processes.
// PostgreSQL: DATABASE_URL, else a throw-away cluster (initdb; skipped when PostgreSQL is not installed).
//   node --expose-gc ingest.mjs [--quick]   (run by `npm run bench` on the built dist)
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@x/http-core';
import { fmt, machineLine, measure, median, rounds } from './lib/stats.mjs';

const quick = process.argv.includes('--quick');
const DEVICES = 200;
const METRICS = ['temperature', 'humidity', 'rssi', 'power', 'state'];
/** Readings per call (a Device Cloud push block, a ThinQ/ComAp poll of many devices). */
const BATCH = 500;
const ROWS = quick ? 5_000 : 20_000;
const ROUNDS = quick ? 3 : 5;

const { startFleet } = await import('../dist/index.js');
const { findPostgresBin, startPostgresCluster } = await import('../dist/postgres-cluster.js');

/** ROWS readings, unique per `base` (their times), spread over the devices and metrics. */
function makeRows(base) {
  return Array.from({ length: ROWS }, (_, i) => {
    const metric = METRICS[i % METRICS.length];
    const deviceId = `devicecloud:gw-${Math.floor(i / METRICS.length) % DEVICES}`;
    const ts = base + Math.floor(i / (METRICS.length * DEVICES));
    return metric === 'state'
      ? { deviceId, metric, value: i % 2 === 0 ? 'RUNNING' : 'IDLE', unit: null, ts }
      : { deviceId, metric, value: 20 + (i % 97) / 10, unit: metric === 'rssi' ? 'dBm' : 'C', ts };
  });
}

const batches = (rows) => Array.from({ length: Math.ceil(rows.length / BATCH) }, (_, i) => rows.slice(i * BATCH, (i + 1) * BATCH));

/** The raw baseline: one multi-row INSERT per batch, the same columns the app writes. */
async function rawInsert(db, rows) {
  for (const batch of batches(rows)) {
    const params = [];
    const values = batch.map((r) => {
      const n = params.length;
      params.push(r.deviceId, r.metric, r.ts, typeof r.value === 'number' ? 'number' : 'string', typeof r.value === 'number' ? r.value : null, typeof r.value === 'number' ? null : r.value, r.unit);
      return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7})`;
    });
    await db.query(`INSERT INTO readings (device_id, metric, ts, value_type, value_num, value_text, unit) VALUES ${values.join(', ')}`, params);
  }
}

/**
 * What the app writes, by hand: the readings and each (device, metric)'s newest value into latest,
 * as multi-row statements in one transaction (where the app's time goes beyond the readings table).
 */
async function rawWithLatest(db, rows) {
  for (const batch of batches(rows)) {
    await db.transaction(async (tx) => {
      await rawInsert(tx, batch);
      const newest = new Map();
      for (const r of batch) newest.set(`${r.deviceId} ${r.metric}`, r);
      const latest = [...newest.values()];
      const params = [];
      const values = latest.map((r) => {
        const n = params.length;
        params.push(r.deviceId, r.metric, r.ts, typeof r.value === 'number' ? 'number' : 'string', typeof r.value === 'number' ? r.value : null, typeof r.value === 'number' ? null : r.value, r.unit);
        return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7})`;
      });
      await tx.query(
        `INSERT INTO latest (device_id, metric, ts, value_type, value_num, value_text, unit) VALUES ${values.join(', ')}
         ON CONFLICT (device_id, metric) DO UPDATE SET ts = EXCLUDED.ts, value_type = EXCLUDED.value_type, value_num = EXCLUDED.value_num, value_text = EXCLUDED.value_text, unit = EXCLUDED.unit`,
        params,
      );
    });
  }
}

async function viaApp(app, rows) {
  let stored = 0;
  for (const batch of batches(rows)) stored += await app.ingest.readings(batch, { live: true });
  if (stored !== rows.length) throw new Error(`the app stored ${stored} of ${rows.length} readings`);
}

/** CPU time (µs) of the PostgreSQL server's processes so far, when it runs on this machine; undefined otherwise. */
async function serverCpu(db) {
  if (db.kind !== 'postgres') return undefined;
  const pids = (await db.query('SELECT pid FROM pg_stat_activity')).map((r) => r.pid);
  let ticks = 0;
  try {
    for (const pid of pids) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return undefined;
  }
  return ticks * 10_000; // Linux clock ticks (USER_HZ 100) in µs
}

/** measure(), with the server's CPU per reading (µs) added when it can be read. */
async function measureWithServer(db, items, fn) {
  const before = await serverCpu(db);
  const result = await measure(items, fn);
  const after = await serverCpu(db);
  return { ...result, serverUs: before === undefined || after === undefined ? undefined : (after - before) / items };
}

/** How many of the updates of `latest` were in place (HOT: the fillfactor of migration 3 makes room for them). */
async function printHotUpdates(db) {
  // The server reports its table statistics about a second after the transactions end.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const [t] = await db.query("SELECT n_tup_upd::float8 AS upd, n_tup_hot_upd::float8 AS hot FROM pg_stat_user_tables WHERE relid = 'latest'::regclass");
  if (t) console.log(`  updates of latest in place (HOT): ${fmt(t.hot)} of ${fmt(t.upd)} (${((100 * t.hot) / Math.max(1, t.upd)).toFixed(0)}%)`);
}

async function bench(label, storage) {
  const app = await startFleet({ port: 0, offline: true, logger: silentLogger, ...storage });
  try {
    for (let i = 0; i < DEVICES; i++) {
      await app.ingest.device({ vendor: 'devicecloud', vendorId: `gw-${i}`, name: `Gateway ${i}`, kind: 'gateway', model: null, online: true, primaryMetric: 'temperature', commands: [] });
    }
    let events = 0;
    const off = app.bus.on('reading', () => events++);
    // Every round writes new times (no conflicts); the warm-up too.
    let base = Date.UTC(2026, 0, 1);
    const next = () => (base += 1_000_000);
    await viaApp(app, makeRows(next()));
    await rawInsert(app.store.db, makeRows(next()));
    const results = await rounds(ROUNDS, {
      app: async () => {
        const rows = makeRows(next());
        globalThis.gc?.();
        return measureWithServer(app.store.db, rows.length, () => viaApp(app, rows));
      },
      raw: async () => {
        const rows = makeRows(next());
        globalThis.gc?.();
        return measureWithServer(app.store.db, rows.length, () => rawInsert(app.store.db, rows));
      },
      rawLatest: async () => {
        const rows = makeRows(next());
        globalThis.gc?.();
        return measureWithServer(app.store.db, rows.length, () => rawWithLatest(app.store.db, rows));
      },
    });
    off();
    const appRate = median(results.app.map((r) => r.rate));
    const rawRate = median(results.raw.map((r) => r.rate));
    const paired = median(results.app.map((r, i) => r.rate / results.raw[i].rate));
    console.log(`${label} (median of ${ROUNDS} interleaved rounds of ${fmt(ROWS)} readings in calls of ${BATCH}):`);
    const cpu = (rs) => {
      const server = rs.every((r) => r.serverUs !== undefined) ? `, server ${fmt(median(rs.map((r) => r.serverUs)), 1)}` : '';
      return `µs CPU per reading: this process ${fmt(median(rs.map((r) => r.cpuUs)), 1)}${server}`;
    };
    const line = (name, rs) => `  ${name.padEnd(32)} ${fmt(median(rs.map((r) => r.rate)))} readings/s [${rs.map((r) => fmt(r.rate)).join(', ')}]; ${cpu(rs)}`;
    console.log(line('app path (Ingest.readings):', results.app));
    console.log(line('raw multi-row INSERT:', results.raw));
    console.log(line('raw, readings + latest by hand:', results.rawLatest));
    const pairedLatest = median(results.app.map((r, i) => r.rate / results.rawLatest[i].rate));
    console.log(`  ratio app / raw: ${(appRate / rawRate).toFixed(2)} (median of per-round ratios ${paired.toFixed(2)}); app / raw with latest: ${pairedLatest.toFixed(2)}; live events published: ${fmt(events)}`);
    if (app.store.db.kind === 'postgres') await printHotUpdates(app.store.db);
    return paired;
  } finally {
    await app.stop();
  }
}

console.log(machineLine('fleet ingest benchmark'));
const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-ingest-'));
try {
  await bench('PGlite (embedded, in this process)', { dataDir: join(dir, 'data') });
} finally {
  await rm(dir, { recursive: true, force: true });
}
let pgRatio;
if (process.env.DATABASE_URL) {
  pgRatio = await bench(`PostgreSQL (DATABASE_URL)`, { databaseUrl: process.env.DATABASE_URL });
} else if (findPostgresBin()) {
  const cluster = await startPostgresCluster();
  try {
    pgRatio = await bench('PostgreSQL (throw-away local cluster, server in its own processes)', { databaseUrl: cluster.url });
  } finally {
    await cluster.stop();
  }
} else {
  console.log('PostgreSQL: skipped (not installed; set DATABASE_URL or PG_BIN)');
}
if (pgRatio !== undefined) {
  const ok = pgRatio >= 0.7;
  console.log(`target PostgreSQL app / raw >= 0.70: ${pgRatio.toFixed(2)} ${ok ? 'PASS' : 'MISSED'}`);
}
