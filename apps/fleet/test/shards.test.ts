// Collectors coordinating through one PostgreSQL: the lease protocol round by round (fair shares,
// no flapping, a dead collector's shards taken once its leases expire), two collectors storing the
// same new (device, metric) pair at the same moment, three `fleet start` processes polling one
// `comap simulate` of which one is SIGKILLed (the survivors collect its units, nothing stored twice), then three collectors
// (two services in this process, one in its own process over the built dist/) that split the 64
// shards, store every reading exactly once, stream each other's events over SSE, and take over
// the devices of the one that is killed within the lease period.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARD_COUNT, openStorage, shardOf, startFleet, type FleetApp, type FleetStore } from '../src/index.js';
import { startComapSimulator, type ComapSimulator } from '@x/comap/testing';
import { startProcess } from '@x/http-core/testing';
import { DeviceCloudClient } from '@x/devicecloud-monitor';
import { DeviceCloudSimulator } from '@x/devicecloud-monitor/testing';
import { startSeplSimulator, type SeplSimulator } from '@x/sepl-connector/testing';
import { silentLogger } from '../src/log.js';
import type { DeviceInfo, ReadingInput } from '../src/model.js';
import { LeaseTable, type RoundResult } from '../src/shards/leases.js';
import { decodeStatus } from '../src/web/api.js';
import { shardsSummary } from '../src/web/shards-view.js';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from '../src/test-support/postgres-cluster.js';

const LEASE = 1200;
const ALL = Array.from({ length: SHARD_COUNT }, (_, i) => i);
const range = (from: number, to: number): number[] => ALL.slice(from, to + 1);
const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const comapCli = fileURLToPath(new URL('../../../packages/comap/dist/cli.js', import.meta.url));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutInMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutInMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let cluster: PostgresCluster;
/** A fresh database of the test cluster for one scenario. */
async function database(name: string): Promise<string> {
  const admin = await openStorage({ databaseUrl: cluster.url });
  try {
    await admin.db.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

describe.skipIf(!postgresAvailable())('collectors over one PostgreSQL', () => {
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  describe('the lease protocol', () => {
    let store: FleetStore;
    let table: LeaseTable;
    const released = new Map<string, number[]>();
    const round = (id: string, leaseInMs = 60_000): Promise<RoundResult> =>
      table.round({ id, name: `collector ${id}`, leaseInMs, beforeRelease: (s) => released.set(id, [...(released.get(id) ?? []), ...s]) });

    beforeAll(async () => {
      store = await openStorage({ databaseUrl: await database('rounds') });
      table = new LeaseTable(store.db);
    }, 30_000);
    afterAll(() => store?.close());

    it('gives each collector its fair share: owners release surplus, newcomers take free shards, then nothing moves', async () => {
      expect(await round('x')).toMatchObject({ owned: ALL, target: 64 });
      expect(await round('y')).toMatchObject({ owned: [], target: 32 });
      expect((await round('x')).owned).toEqual(range(0, 31));
      expect(released.get('x')).toEqual(range(32, 63));
      expect((await round('y')).owned).toEqual(range(32, 63));
      expect(await round('z')).toMatchObject({ owned: [], target: 22 });
      expect((await round('x')).owned).toEqual(range(0, 21));
      expect((await round('y')).owned).toEqual(range(32, 53));
      // Only 20 are free: z stays two short of its share rather than taking held shards.
      expect((await round('z')).owned).toEqual([...range(22, 31), ...range(54, 63)]);
      const releasedBefore = [...released.values()].flat().length;
      for (let i = 0; i < 3; i++) {
        expect((await round('x')).owned).toEqual(range(0, 21));
        expect((await round('y')).owned).toEqual(range(32, 53));
        const last = await round('z');
        expect(last.owned).toEqual([...range(22, 31), ...range(54, 63)]);
        expect(last.snapshot).toEqual({
          collectors: [
            { id: 'x', name: 'collector x', shards: range(0, 21), expiresAt: expect.any(Number) },
            { id: 'y', name: 'collector y', shards: range(32, 53), expiresAt: expect.any(Number) },
            { id: 'z', name: 'collector z', shards: [...range(22, 31), ...range(54, 63)], expiresAt: expect.any(Number) },
          ],
          unowned: [],
        });
      }
      expect([...released.values()].flat()).toHaveLength(releasedBefore);
      // A clean stop frees everything at once.
      await table.leave('z');
      const after = await round('x');
      expect(after).toMatchObject({ owned: range(0, 31), target: 32 });
      expect(after.snapshot.unowned).toEqual(range(54, 63));
      expect(after.snapshot.collectors.map((c) => c.id)).toEqual(['x', 'y']);
      expect((await round('y')).owned).toEqual(range(32, 63));
    });

    it('lets the others take a silent collector\'s shards once its leases expired, and never gives them back', async () => {
      const short = 300;
      await table.leave('x');
      await table.leave('y');
      expect((await round('p', short)).owned).toEqual(ALL);
      expect((await round('q', short)).owned).toEqual([]);
      expect((await round('p', short)).owned).toEqual(range(0, 31));
      expect((await round('q', short)).owned).toEqual(range(32, 63));
      // q goes silent; before its lease expires p cannot take anything.
      expect((await round('p', short)).owned).toEqual(range(0, 31));
      await new Promise((resolve) => setTimeout(resolve, short + 50));
      const taken = await round('p', short);
      expect(taken).toMatchObject({ owned: ALL, target: 64 });
      expect(taken.snapshot.collectors.map((c) => c.id)).toEqual(['p']);
      // q comes back: its old leases are p's now, so it starts from nothing, and p hands over half.
      expect(await round('q', short)).toMatchObject({ owned: [], target: 32 });
      expect((await round('p', short)).owned).toEqual(range(0, 31));
      expect((await round('q', short)).owned).toEqual(range(32, 63));
    });
  });

  describe('two collectors writing the same new (device, metric) pair at once', () => {
    const stores: FleetStore[] = [];
    let gate: FleetStore;
    let url: string;
    const gw: DeviceInfo = { vendor: 'devicecloud', vendorId: 'RACE', name: 'Race', kind: 'gateway', model: null, online: true, primaryMetric: null, commands: [] };

    beforeAll(async () => {
      url = await database('race');
      // Each collector its own store, so its own connection pool; the gate a third one.
      for (let i = 0; i < 3; i++) stores.push(await openStorage({ databaseUrl: url }));
      gate = stores.pop()!;
    }, 30_000);
    afterAll(async () => {
      for (const store of [...stores, gate]) await store?.close();
    });

    /**
     * Runs `work` while an open transaction holds the reading `key` (of the RACE gateway), and rolls
     * it back once `waiting` inserts wait for it: they have taken their snapshots by then, so none of them
     * sees what the others store (the race of two collectors, made certain rather than likely).
     */
    async function together<T>(waiting: number, key: { metric: string; ts: number }, work: () => Promise<T>): Promise<T> {
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`INSERT INTO readings (device_id, metric, ts, value_type, value_num) VALUES ('devicecloud:RACE', $1, $2, 'number', 0)`, [key.metric, key.ts]);
        const result = work();
        await until(`${waiting} inserts waiting`, async () => {
          const [row] = await gate.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'transactionid' AND query LIKE '%INSERT INTO readings%'`,
          );
          return row!.n === waiting ? true : undefined;
        });
        await holder.query('ROLLBACK');
        return await result;
      } finally {
        await holder.end();
      }
    }

    // The stores, not Ingest: Ingest would retry a refused batch in halves (a statement failing on
    // the race would go unnoticed there).
    it('stores both collectors\' readings once each, and keeps the newest in latest, round after round', async () => {
      await stores[0]!.upsertDevice(gw);
      for (let round = 0; round < 6; round++) {
        const metric = `m${round}`;
        const at = (ts: number, value: number): ReadingInput => ({ deviceId: 'devicecloud:RACE', metric, value, unit: null, ts });
        // Both send the same reading at 1000 (one stores it) and one of their own; the newest
        // is the first collector's in even rounds, the second's in odd ones.
        const own = round % 2 === 0 ? [3000, 2000] : [2000, 3000];
        const fresh = await together(2, { metric, ts: 1000 }, () => Promise.all(stores.map((store, i) => store.insertReadings([at(1000, 10 + i), at(own[i]!, 20 + i)]))));
        expect(fresh.map((readings) => readings.length).sort()).toEqual([1, 2]);
        expect(fresh.flat().map((r) => r.ts).sort()).toEqual(['1970-01-01T00:00:01.000Z', '1970-01-01T00:00:02.000Z', '1970-01-01T00:00:03.000Z']);
        const rows = await gate.db.query<{ ts: number; n: number }>(
          'SELECT ts, count(*)::int AS n FROM readings WHERE device_id = $1 AND metric = $2 GROUP BY ts ORDER BY ts',
          ['devicecloud:RACE', metric],
        );
        expect(rows).toEqual([{ ts: 1000, n: 1 }, { ts: 2000, n: 1 }, { ts: 3000, n: 1 }]);
        const latest = await gate.db.query('SELECT ts, value_num FROM latest WHERE device_id = $1 AND metric = $2', ['devicecloud:RACE', metric]);
        expect(latest).toEqual([{ ts: 3000, value_num: 20 + (round % 2) }]);
      }
    });
  });

  describe.skipIf(!existsSync(cli) && process.env.CI !== 'true')('fleet start as one of several collectors', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fleet-collector-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    /** `fleet start` of the built CLI with `config` in `file` (several collectors: one file each), and no vendor variables of this environment. */
    async function fleetStart(config: unknown, file = 'fleet.config.json') {
      await writeFile(join(dir, file), JSON.stringify(config));
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(FLEET_|DATABASE_URL|COMAP_|DEVICECLOUD_|THINQ_|SEPL_)/.test(k)));
      const child = spawn(process.execPath, [cli, 'start', '--config', file, '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = { stdout: '', stderr: '' };
      child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
      const listening = () =>
        until('listening', () => /fleet: listening on (\S+)\n/.exec(out.stdout)?.[1], 30_000).catch((err: unknown) => {
          throw new Error(`${String(err)}; stderr: ${out.stderr.slice(-1000)}`);
        });
      return { child, out, exited, listening };
    }

    it('leases every shard while alone, warns about the old index/count, and gives its leases back on SIGTERM', async () => {
      const url = await database('cli');
      const nowhere = 'http://127.0.0.1:9';
      const { child, out, exited, listening } = await fleetStart({
        storage: { databaseUrl: url },
        shard: { index: 1, count: 3, leaseInMs: 600 },
        comap: { loginId: 'ops', clientId: 'c', secret: 's', key: 'k', baseUrl: nowhere, identityUrl: nowhere },
      });
      const store = await openStorage({ databaseUrl: url });
      try {
        const base = await listening();
        const shards = await until('64 shards leased', async () => {
          const status = (await (await fetch(`${base}/api/status`)).json()) as { shards: { owned: number[] } & Record<string, unknown> };
          return status.shards.owned.length === SHARD_COUNT ? status.shards : undefined;
        });
        expect(shards).toMatchObject({ mode: 'leases', state: 'ok', collector: { name: '1/3' }, leaseInMs: 600, unowned: [] });
        expect(out.stderr).toContain('shard.index/shard.count (FLEET_SHARD) are deprecated and ignored for the split');
        expect(await store.db.query('SELECT count(*)::int AS n FROM shard_leases WHERE owner IS NOT NULL')).toEqual([{ n: 64 }]);
        child.kill('SIGTERM');
        expect(await exited).toEqual([0, null]);
        expect(await store.db.query('SELECT count(*)::int AS n FROM shard_leases WHERE owner IS NOT NULL')).toEqual([{ n: 0 }]);
        // Its heartbeat ended (no longer live) but stays, saying when it was last seen.
        const [row] = await store.db.query<{ name: string; ago: number }>(
          'SELECT name, (extract(epoch FROM clock_timestamp()) * 1000)::bigint - expires_at AS ago FROM collectors',
        );
        expect(row).toEqual({ name: '1/3', ago: expect.any(Number) });
        expect(row!.ago).toBeGreaterThanOrEqual(0);
        expect(row!.ago).toBeLessThan(5000);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await store.close();
      }
    }, 60_000);

    it('retires the Device Cloud push monitor of a collector gone for more than a day, and logs it', async () => {
      const url = await database('retire');
      const sim = await DeviceCloudSimulator.start({ tlsPort: false });
      const client = new DeviceCloudClient({ username: sim.username, password: sim.password, baseUrl: `http://127.0.0.1:${sim.port}`, retry: false });
      const store = await openStorage({ databaseUrl: url });
      // 'edge-old' last beat 25 hours ago (written on a clock that far behind); 'edge-unknown' never did.
      const yesterday = new LeaseTable(store.db, { now: () => Date.now() - 25 * 3_600_000 });
      await yesterday.round({ id: 'old', name: 'edge-old', leaseInMs: 15_000, beforeRelease: () => {} });
      for (const name of ['edge-old', 'edge-unknown']) await client.createTcpMonitor(['DataPoint'], { description: `x-fleet collector ${name}` });
      const descriptions = () => sim.monitors().map((m) => m.fields.monDescription).sort();
      const { child, out, exited, listening } = await fleetStart({
        storage: { databaseUrl: url },
        shard: { collector: 'edge-new', leaseInMs: 600 },
        devicecloud: { username: sim.username, password: sim.password, baseUrl: `http://127.0.0.1:${sim.port}`, pushHost: '127.0.0.1', pushPort: sim.pushPort, secure: false },
      });
      try {
        await listening();
        await until('the old monitor retired', () => (descriptions().join() === 'x-fleet collector edge-new,x-fleet collector edge-unknown' ? true : undefined));
        await until('the retirement logged', () => (/ info .*devicecloud: push monitor of a gone collector retired .*"collector":"edge-old"/.test(out.stderr) ? true : undefined));
        child.kill('SIGTERM');
        expect(await exited).toEqual([0, null]);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await store.close();
        await client.close();
        await sim.close();
      }
    }, 60_000);

    it('three `fleet start` processes polling one `comap simulate`: the survivors collect the devices of the one SIGKILLed within a lease period and a third (plus a second per gained unit: ComAp allows one request a second), store nothing twice, and exit 0 on SIGTERM', async () => {
      const url = await database('killed');
      const sim = await startProcess<ComapLine>(process.execPath, [comapCli, 'simulate', '--units', String(KILL_UNITS), '--no-rate-limit', '--no-token-limit'], { cwd: dir, timeoutInMs: 30_000 });
      const { loginId, clientId, secret, key, url: baseUrl } = sim.line;
      const comap = { loginId, clientId, secret, key, baseUrl, pollIntervalInMs: 1000 };
      const names = ['a', 'b', 'c'];
      const collectors = await Promise.all(
        names.map((name) => fleetStart({ storage: { databaseUrl: url }, shard: { collector: name, leaseInMs: KILL_LEASE }, logLevel: 'warn', comap }, `${name}.config.json`)),
      );
      const store = await openStorage({ databaseUrl: url });
      try {
        const bases = await Promise.all(collectors.map((c) => c.listening()));
        const before = await allCollecting(store, bases, names);
        // c dies without a word: its leases stay until they expire.
        const deadShards = shardsOf(before, 'c');
        const deadDevices = [...before.newest.keys()].filter((id) => deadShards.includes(shardOf(id)));
        expect(deadDevices.length).toBeGreaterThan(0);
        collectors[2]!.child.kill('SIGKILL');
        const killedAt = Date.now();
        const takeover = await takenOver(store, deadDevices, killedAt);
        const leaseBound = KILL_LEASE + KILL_LEASE / 3 + TAKEOVER_SLACK_MS;
        expect(takeover.leasedAfter ?? Infinity, `the survivors held every shard ${takeover.leasedAfter ?? 'never'} ms after the kill (bound ${leaseBound} ms: lease + a third + ${TAKEOVER_SLACK_MS} ms)`).toBeLessThan(leaseBound);
        // The lease period, the round that notices (a third of it), then a request per gained unit
        // (ComAp allows one a second: a survivor polls its gained units first, one by one), and
        // time for the round and the requests on a busy machine.
        const gained = Math.max(...['a', 'b'].map((name) => deadDevices.filter((d) => takeover.last.holders.get(shardOf(d))?.name === name).length));
        const bound = KILL_LEASE + KILL_LEASE / 3 + gained * 1000 + TAKEOVER_SLACK_MS;
        expect(
          takeover.collectedAfter ?? Infinity,
          `the survivors collected the killed collector's ${deadDevices.length} devices ${takeover.collectedAfter === undefined ? `not within ${takeover.waited}` : `after ${takeover.collectedAfter}`} ms ` +
            `(bound ${bound} ms: lease ${KILL_LEASE} ms + a third + ${gained} units at 1 request/s + ${TAKEOVER_SLACK_MS} ms); every shard theirs after ${takeover.leasedAfter ?? 'never'} ms; ` +
            `not collected since the kill: ${takeover.uncollected.join(', ') || 'none'}; c still holding: ${shardsOf(takeover.last, 'c').join(', ') || 'none'}; held by nobody: ${SHARD_COUNT - takeover.last.holders.size} shards`,
        ).toBeLessThan(bound);
        expect(await collectors[2]!.exited).toEqual([null, 'SIGKILL']);
        expect(new Set([...takeover.last.holders.values()].map((h) => h.name))).toEqual(new Set(['a', 'b']));
        // The survivors agree: their shards are disjoint and cover all 64, their device counts add up.
        await until('a and b splitting all shards and devices', async () => {
          const [a, b] = await Promise.all(bases.slice(0, 2).map(collectorStatus));
          const owned = [...a!.shards.owned, ...b!.shards.owned].sort((x, y) => x - y);
          return owned.join() === ALL.join() && a!.vendors.comap.devices + b!.vendors.comap.devices === KILL_UNITS ? true : undefined;
        });
        for (const survivor of collectors.slice(0, 2)) survivor.child.kill('SIGTERM');
        expect(await Promise.all(collectors.slice(0, 2).map((c) => c.exited))).toEqual([[0, null], [0, null]]);
        await storedOnce(store, deadDevices, killedAt);
      } finally {
        for (const { child } of collectors) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await store.close();
        await sim.stop();
      }
    }, 120_000);
  });

  describe('polling collectors', () => {
    let sim: ComapSimulator;
    let sepl: SeplSimulator;
    const apps: FleetApp[] = [];
    afterAll(async () => {
      for (const app of apps) await app.stop();
      await sim?.close();
      await sepl?.close();
    });
    /** The devices the SEPL gateway of `user` serves. */
    const served = (user: string): string[] => [...([...sepl.gateways.values()].find((g) => g.user === user)?.listening ?? [])].sort();

    it('poll the devices of shards they gain at once, not one poll interval later, and count and serve on SEPL only their own', async () => {
      // Seed 3: the units' shards are 7, 8, 57 and 59; of two collectors, the first keeps 0-31.
      sim = await startComapSimulator({ units: 4, seed: 3, rateLimit: false, tokenRequestLimit: false });
      const ids = sim.fleet.units.map((u) => `comap:${u.unitGuid}`);
      expect(ids.map((id) => shardOf(id)).sort((x, y) => x - y)).toEqual([7, 8, 57, 59]);
      const creds = sim.credentials();
      const comap = { loginId: creds.loginId, clientId: creds.clientId, secret: creds.secret, key: creds.key, baseUrl: creds.url, pollIntervalInMs: 60_000 };
      const url = await database('polling');
      sepl = await startSeplSimulator({ users: { 'gw-x': 'pw-x', 'gw-y': 'pw-y' } });
      const start = (name: string) =>
        startFleet({
          port: 0,
          databaseUrl: url,
          config: { shard: { collector: name, leaseInMs: LEASE }, comap, sepl: { url: sepl.websocketUrl, user: `gw-${name}`, password: `pw-${name}` } },
          logger: silentLogger,
        });
      const yIds = ids.filter((id) => shardOf(id) >= 32).sort();
      apps.push(await start('x'));
      await until('x polling all four', () => (apps[0]!.status().vendors.comap.devices === 4 ? true : undefined));
      apps.push(await start('y'));
      // x hands 32-63 over to y and forgets their devices; y collects them.
      await until('y collecting its two', () => (apps[1]!.status().vendors.comap.devices === 2 ? true : undefined), 15_000);
      expect(apps[0]!.status().vendors.comap.devices).toBe(2);
      // Each collector's SEPL gateway serves its own devices: x's let y's go.
      await until('the gateways following', () => (served('gw-y').join() === yIds.join() && served('gw-x').length === 2 ? true : undefined), 15_000);
      expect(served('gw-x')).toEqual(ids.filter((id) => shardOf(id) < 32).sort());
      // y leaves: x takes 32-63 back at its next round and polls them right away, well within its
      // 60 s poll interval (ComAp's client allows 1 request per second).
      await apps[1]!.stop();
      await until('x collecting all four again', () => (apps[0]!.status().vendors.comap.devices === 4 ? true : undefined), 15_000).catch((err: unknown) => {
        throw new Error(`${String(err)}: ${JSON.stringify(apps[0]!.status().vendors.comap)} ${JSON.stringify(apps[0]!.status().shards.owned)}`);
      });
      await until('x serving all four on SEPL again', () => (served('gw-x').length === 4 ? true : undefined), 15_000);
      const stored = await apps[0]!.store.db.query<{ device_id: string }>('SELECT DISTINCT device_id FROM readings ORDER BY device_id');
      expect(stored.map((r) => r.device_id)).toEqual([...ids].sort());
    }, 30_000);
  });

  describe.skipIf(!existsSync(distIndex) && process.env.CI !== 'true')('three collectors', () => {
    let url: string;
    const apps: FleetApp[] = [];
    let child: ChildProcessWithoutNullStreams | undefined;
    let childLines: AsyncIterator<string>;
    let childUrl: string;
    let db: FleetStore;

    const device = (vendorId: string, name = vendorId): DeviceInfo => ({
      vendor: 'comap',
      vendorId,
      name,
      kind: 'genset',
      model: null,
      online: true,
      primaryMetric: 'Load',
      commands: [],
    });
    const units = Array.from({ length: 48 }, (_, i) => `unit${i}`);
    const batch = (ts: number, value: number): ReadingInput[] => units.map((v) => ({ deviceId: `comap:${v}`, metric: 'Load', value, unit: '%', ts }));

    /** Every device and reading, as each collector's connectors would see them; returns how many it stored. */
    async function feed(app: FleetApp, readings: ReadingInput[]): Promise<number> {
      for (const v of units) await app.ingest.device(device(v));
      return app.ingest.readings(readings, { live: true });
    }
    async function feedChild(readings: ReadingInput[]): Promise<number> {
      child!.stdin.write(`${JSON.stringify({ devices: units.map((v) => device(v)), readings })}\n`);
      const answer = await childLines.next();
      return (JSON.parse(String(answer.value)) as { stored: number }).stored;
    }
    const owners = () => apps[0]!.status().shards.collectors;

    beforeAll(async () => {
      url = await database('fleet');
      db = await openStorage({ databaseUrl: url });
      for (const name of ['a', 'b']) {
        apps.push(await startFleet({ port: 0, databaseUrl: url, config: { shard: { collector: name, leaseInMs: LEASE } }, logger: silentLogger }));
      }
      child = spawn(process.execPath, ['--input-type=module', '-e', COLLECTOR_PROCESS, distIndex, url, 'c', String(LEASE)], { stdio: 'pipe' });
      childLines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const first = await childLines.next();
      if (first.done) throw new Error(`collector process ended: ${await new Response(child.stderr as unknown as ReadableStream).text()}`);
      childUrl = (JSON.parse(String(first.value)) as { url: string }).url;
    }, 60_000);
    afterAll(async () => {
      child?.kill('SIGKILL');
      for (const app of apps) await app.stop();
      await db?.close();
    });

    it('split the 64 shards fairly and disjointly, as /api/status shows', async () => {
      const split = await until('three collectors holding 20-22 shards each', () => {
        const all = owners();
        const fair = all.length === 3 && all.every((c) => c.shards.length >= 20 && c.shards.length <= 22) && apps[0]!.status().shards.unowned.length === 0;
        return fair ? all : undefined;
      });
      expect(split.map((c) => c.name)).toEqual(['a', 'b', 'c']);
      expect(split.flatMap((c) => c.shards).sort((x, y) => x - y)).toEqual(ALL);
      // Every collector agrees, the one in the other process too.
      await until('b and c agreeing with a', async () => {
        const theirs = await Promise.all([apps[1]!.url, childUrl].map(async (u) => ((await (await fetch(`${u}/api/status`)).json()) as { shards: { collectors: unknown } }).shards.collectors));
        const mine = JSON.stringify(owners().map((c) => c.shards));
        return theirs.every((t) => JSON.stringify((t as Array<{ shards: number[] }>).map((c) => c.shards)) === mine) ? true : undefined;
      });
      const status = (await (await fetch(`${apps[1]!.url}/api/status`)).json()) as { storage: unknown; shards: Record<string, unknown> };
      expect(status.storage).toEqual({ kind: 'postgres' });
      expect(status.shards).toMatchObject({ mode: 'leases', state: 'ok', reason: null, collector: { name: 'b' }, total: 64, leaseInMs: LEASE, unowned: [] });
      expect(status.shards.owned).toEqual(split[1]!.shards);
      // The dashboard's collectors panel reads the same answer: three collectors, b marked as the one serving it.
      const panel = shardsSummary(decodeStatus(status).shards);
      expect(panel?.collectors.map((c) => [c.name, c.shards, c.self])).toEqual(split.map((c) => [c.name, `${c.shards.length} shards`, c.name === 'b']));
      expect(panel).toMatchObject({ problem: null, unowned: { text: 'All 64 shards are collected.', warn: false }, liveEvents: { warn: false } });
    });

    it('stores every reading once, by the owner of its device\'s shard', async () => {
      const stored = [await feed(apps[0]!, batch(1000, 0)), await feed(apps[1]!, batch(1000, 1)), await feedChild(batch(1000, 2))];
      const byName = new Map(owners().map((c, i) => [i, c.shards]));
      const expected = [0, 1, 2].map((i) => units.filter((v) => byName.get(i)!.includes(shardOf(`comap:${v}`))).length);
      expect(stored).toEqual(expected);
      expect(stored[0]! + stored[1]! + stored[2]!).toBe(units.length);
      const rows = await db.db.query<{ device_id: string; value_num: number }>('SELECT device_id, value_num FROM readings WHERE ts = 1000 ORDER BY device_id');
      expect(rows).toHaveLength(units.length);
      for (const row of rows) expect(byName.get(row.value_num)).toContain(shardOf(row.device_id));
    });

    it('streams on one collector\'s SSE what another collector ingested, large events too', async () => {
      const bOwns = units.find((v) => apps[1]!.ingest.owns(`comap:${v}`))!;
      const big = units.length.toString().padStart(9000, 'x');
      const vendorId = Array.from({ length: 200 }, (_, i) => `big${i}`).find((v) => apps[1]!.ingest.owns(`comap:${v}`))!;
      const seen = sseText(`${apps[0]!.url}/api/events`, (text) => text.includes('"ts":"1970-01-01T00:00:02.000Z"') && text.includes(big));
      await new Promise((resolve) => setTimeout(resolve, 200)); // subscribed
      expect(await apps[1]!.ingest.readings([{ deviceId: `comap:${bOwns}`, metric: 'Load', value: 7, unit: '%', ts: 2000 }], { live: true })).toBe(1);
      expect(await apps[1]!.ingest.device(device(vendorId, big))).toBe(`comap:${vendorId}`);
      const text = await seen;
      expect(text).toMatch(new RegExp(`event: reading\ndata: \\{[^\n]*"deviceId":"comap:${bOwns}"`));
      expect(text).toMatch(new RegExp(`event: device\ndata: \\{[^\n]*"name":"${big}"`));
    });

    it('listens again after its listening connection is cut, and says so meanwhile', async () => {
      expect(apps[0]!.status().shards.liveEvents).toEqual({ state: 'connected', reason: null });
      await db.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'x-fleet listener'`);
      const cut = await until('a reconnecting', () => (apps[0]!.status().shards.liveEvents.state === 'reconnecting' ? apps[0]!.status().shards.liveEvents : undefined));
      expect(cut.reason).toMatch(/^listening connection lost: /);
      await until('a listening again', () => (apps[0]!.status().shards.liveEvents.state === 'connected' ? true : undefined));
      const bOwns = units.find((v) => apps[1]!.ingest.owns(`comap:${v}`))!;
      const seen = sseText(`${apps[0]!.url}/api/events`, (text) => text.includes('"ts":"1970-01-01T00:00:02.500Z"'));
      await new Promise((resolve) => setTimeout(resolve, 200)); // subscribed
      await until('b listening again', () => (apps[1]!.status().shards.liveEvents.state === 'connected' ? true : undefined));
      expect(await apps[1]!.ingest.readings([{ deviceId: `comap:${bOwns}`, metric: 'Load', value: 8, unit: '%', ts: 2500 }], { live: true })).toBe(1);
      expect(await seen).toContain(`"deviceId":"comap:${bOwns}"`);
    });

    it('takes over a killed collector\'s devices within the lease period, still storing nothing twice', async () => {
      const cShards = owners().find((c) => c.name === 'c')!.shards;
      child!.kill('SIGKILL');
      const killedAt = Date.now();
      await until('a and b owning every shard', () => {
        const owned = [...apps[0]!.status().shards.owned, ...apps[1]!.status().shards.owned];
        return owned.length === SHARD_COUNT ? true : undefined;
      });
      // Lease period, plus the round that notices (a third of it) and a second for a busy machine.
      expect(Date.now() - killedAt).toBeLessThan(LEASE + LEASE / 3 + 1000);
      expect(apps[0]!.status().shards.collectors.map((c) => c.name)).toEqual(['a', 'b']);
      const stored = [await feed(apps[0]!, batch(3000, 0)), await feed(apps[1]!, batch(3000, 1))];
      expect(stored[0]! + stored[1]!).toBe(units.length);
      const orphans = units.filter((v) => cShards.includes(shardOf(`comap:${v}`)));
      expect(orphans.length).toBeGreaterThan(0);
      const counts = await db.db.query<{ device_id: string; n: number }>(
        `SELECT device_id, count(*)::int AS n FROM readings WHERE device_id LIKE 'comap:unit%' AND ts IN (1000, 3000) GROUP BY device_id ORDER BY device_id`,
      );
      expect(counts).toEqual(units.map((v) => ({ device_id: `comap:${v}`, n: 2 })).sort((x, y) => x.device_id.localeCompare(y.device_id)));
    });

    it('hands shards to a newcomer: the owners stop collecting what they release, and forget those devices', async () => {
      const knownBefore = [...apps[0]!.ingest.known('comap')];
      apps.push(await startFleet({ port: 0, databaseUrl: url, config: { shard: { collector: 'd', leaseInMs: LEASE } }, logger: silentLogger }));
      await until('a, b and d holding 20-22 shards each', () => {
        const fair = (n: number): boolean => n >= 20 && n <= 22;
        const all = owners();
        return all.length === 3 && all.every((c) => fair(c.shards.length)) && apps.every((app) => fair(app.status().shards.owned.length)) ? true : undefined;
      });
      // a released some of the devices it knew, and knows only those it still owns.
      expect(knownBefore.filter((id) => !apps[0]!.ingest.owns(id)).length).toBeGreaterThan(0);
      for (const app of apps.slice(0, 2)) {
        const known = [...app.ingest.known('comap')];
        expect(known.length).toBeGreaterThan(0);
        expect(known.filter((id) => !app.ingest.owns(id))).toEqual([]);
      }
      const stored = await Promise.all(apps.map((app, i) => feed(app, batch(4000, i))));
      expect(stored.reduce((x, y) => x + y, 0)).toBe(units.length);
      expect(stored[2]).toBeGreaterThan(0);
    });

    it('stops collecting, before its leases could expire, when the database is gone, and says so', async () => {
      const id = `comap:${units.find((v) => apps[0]!.ingest.owns(`comap:${v}`))!}`;
      await cluster.stop();
      const stoppedAt = Date.now();
      await until('a not collecting', () => (apps[0]!.ingest.owns(id) ? undefined : true), 2 * LEASE);
      // Its last renewal started before the database went; it gives up 3/4 of a lease after that.
      expect(Date.now() - stoppedAt).toBeLessThan(LEASE * 0.75 + 400);
      const shards = await until('a degraded', () => (apps[0]!.status().shards.owned.length === 0 ? apps[0]!.status().shards : undefined), 500);
      expect(shards).toMatchObject({ state: 'degraded', reason: expect.stringMatching(/^shard leases not renewed: /) });
    });
  });
});

/** What `comap simulate` prints. */
type ComapLine = { url: string; key: string; clientId: string; secret: string; loginId: string };
/** The killed-collector case: enough units that each of three collectors owns some, and a short lease. */
const KILL_UNITS = 24;
const KILL_LEASE = 3000;
/** Time for the round that takes the shards over and the first poll of their devices, on a busy 2-core machine. */
const TAKEOVER_SLACK_MS = 1500;

/** Each shard's holder by an unexpired lease (its collector's name, since when), and each ComAp device's newest reading (null: none). */
type Collection = { holders: Map<number, { name: string; since: number }>; newest: Map<string, number | null> };

async function collection(store: FleetStore): Promise<Collection> {
  const leases = await store.db.query<{ shard: number; name: string; since: number }>(
    `SELECT l.shard, c.name, l.since FROM shard_leases l JOIN collectors c ON c.id = l.owner
      WHERE l.expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint`,
  );
  const newest = await store.db.query<{ id: string; ts: number | null }>(
    `SELECT d.id, max(r.ts) AS ts FROM devices d LEFT JOIN readings r ON r.device_id = d.id WHERE d.vendor = 'comap' GROUP BY d.id`,
  );
  return { holders: new Map(leases.map((l) => [l.shard, { name: l.name, since: l.since }])), newest: new Map(newest.map((d) => [d.id, d.ts])) };
}

const shardsOf = (c: Collection, name: string): number[] => [...c.holders].filter(([, h]) => h.name === name).map(([shard]) => shard).sort((x, y) => x - y);

/**
 * The devices without a reading from their shard's holder newer than `after`. The simulator's values
 * do not change, so a collector stores a device's values once, when it gains the device (its first
 * poll, timestamped by the simulator): a reading newer than the holder's claim is the holder's own.
 */
function uncollected(c: Collection, after = 0): string[] {
  return [...c.newest]
    .filter(([id, ts]) => {
      const holder = c.holders.get(shardOf(id));
      return holder === undefined || ts === null || ts < Math.max(holder.since, after);
    })
    .map(([id]) => id)
    .sort();
}

type CollectorStatus = { shards: { state: string; owned: number[] }; vendors: { comap: { devices: number } } };
async function collectorStatus(base: string): Promise<CollectorStatus> {
  return (await (await fetch(`${base}/api/status`)).json()) as CollectorStatus;
}

/** Waits until the collectors `names` hold 20-22 shards each and each has stored the devices of its shards; returns that state. */
async function allCollecting(store: FleetStore, bases: string[], names: string[]): Promise<Collection> {
  let last: Collection | undefined;
  return until('three collectors each holding 20-22 shards and storing their devices', async () => {
    last = await collection(store);
    const shares = names.map((name) => shardsOf(last!, name).length);
    if (last.holders.size !== SHARD_COUNT || shares.some((n) => n < 20 || n > 22) || last.newest.size !== KILL_UNITS || uncollected(last).length > 0) return undefined;
    const statuses = await Promise.all(bases.map(collectorStatus));
    const devices = statuses.map((s) => s.vendors.comap.devices);
    const counted = devices.every((n) => n > 0) && devices.reduce((x, y) => x + y, 0) === KILL_UNITS;
    return counted && statuses.every((s) => s.shards.state === 'ok') ? last : undefined;
  }, 60_000).catch((err: unknown) => {
    const shares = last ? names.map((name) => `${name}: ${shardsOf(last!, name).length}`).join(', ') : 'none';
    throw new Error(`${String(err)}; shards ${shares}; devices ${last?.newest.size ?? 0}; uncollected ${last ? uncollected(last).length : '?'}`);
  });
}

/**
 * Polls the database after a collector was killed at `killedAt` until no other collector holds a
 * shard and every one of `devices` has a reading of its new holder taken after the kill (or three
 * times the expected bound passed); says after how many ms each held.
 */
async function takenOver(store: FleetStore, devices: string[], killedAt: number) {
  const deadline = killedAt + 3 * (KILL_LEASE + KILL_LEASE / 3 + TAKEOVER_SLACK_MS) + devices.length * 1000;
  let leasedAfter: number | undefined;
  for (;;) {
    const last = await collection(store);
    const survivorsHoldAll = last.holders.size === SHARD_COUNT && [...last.holders.values()].every((h) => h.name !== 'c');
    const waited = Date.now() - killedAt;
    if (survivorsHoldAll) leasedAfter ??= waited;
    const missing = uncollected(last, killedAt).filter((id) => devices.includes(id));
    if ((survivorsHoldAll && missing.length === 0) || Date.now() > deadline) {
      return { last, leasedAfter, collectedAfter: survivorsHoldAll && missing.length === 0 ? waited : undefined, waited, uncollected: missing };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Every reading's key (device, metric, time) once, and since the kill exactly one reading per
 * metric of each device taken over (one survivor collected it, once) and none of any other device.
 */
async function storedOnce(store: FleetStore, takenOverDevices: string[], killedAt: number): Promise<void> {
  const [keys] = await store.db.query<{ readings: number; keys: number }>('SELECT count(*)::int AS readings, count(DISTINCT (device_id, metric, ts))::int AS keys FROM readings');
  expect(keys!.readings).toBe(keys!.keys);
  const metrics = await store.db.query<{ device_id: string; n: number }>('SELECT device_id, count(DISTINCT metric)::int AS n FROM readings GROUP BY device_id ORDER BY device_id');
  const sinceKill = await store.db.query<{ device_id: string; n: number }>('SELECT device_id, count(*)::int AS n FROM readings WHERE ts > $1 GROUP BY device_id ORDER BY device_id', [killedAt]);
  expect(sinceKill).toEqual(metrics.filter((m) => takenOverDevices.includes(m.device_id)));
}

/** The text of an SSE stream until `done(text)` holds (or 10 s pass). */
async function sseText(url: string, done: (text: string) => boolean): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  let text = '';
  try {
    const res = await fetch(url, { signal: controller.signal });
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (done(text)) return text;
    }
  } catch (err) {
    throw new Error(`SSE stream ended before the expected events (${String(err)}); got: ${text.slice(0, 500)}`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

// The third collector, in its own process: the built app, fed devices and readings line by line
// on stdin (as its connectors would), answering how many it stored.
const COLLECTOR_PROCESS = `
import { createInterface } from 'node:readline';
const [distIndex, databaseUrl, name, lease] = process.argv.slice(1);
const fleet = await import(distIndex);
if (typeof fleet.SHARD_COUNT !== 'number') {
  process.stderr.write('dist/ is older than src/: build the fleet first\\n');
  process.exit(3);
}
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = await fleet.startFleet({ port: 0, databaseUrl, config: { shard: { collector: name, leaseInMs: Number(lease) } }, logger: quiet });
const out = (value) => process.stdout.write(JSON.stringify(value) + '\\n');
out({ url: app.url });
for await (const line of createInterface({ input: process.stdin })) {
  const { devices, readings } = JSON.parse(line);
  for (const device of devices) await app.ingest.device(device);
  out({ stored: await app.ingest.readings(readings, { live: true }) });
}
`;
