// Which ownership a collector gets: leases only when it collects live on PostgreSQL; with PGlite
// (one process), and for processes that do not collect (read commands, a backfill), it owns every
// shard and leases nothing.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { EventBus } from '../events.js';
import { silentLogger } from '../log.js';
import type { FleetStore } from '../storage/store.js';
import { createCluster } from './cluster.js';
import { LeasedShards } from './leased.js';
import { AllShards } from './ownership.js';

const ALL = Array.from({ length: 64 }, (_, i) => i);
const storeOf = (kind: 'pglite' | 'postgres'): FleetStore => ({ kind, db: { kind } }) as unknown as FleetStore;

describe('shard ownership', () => {
  it('with PGlite: the one collector owns every shard, named as before', async () => {
    const bus = new EventBus();
    const cluster = createCluster({ config: parseConfig({}), store: storeOf('pglite'), bus, logger: silentLogger, collect: true });
    expect(cluster.ownership).toBeInstanceOf(AllShards);
    await cluster.start();
    expect(cluster.ownership.owns('comap:anything')).toBe(true);
    expect(cluster.ownership.status()).toEqual({
      mode: 'single',
      state: 'ok',
      reason: null,
      collector: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: '0/1' },
      total: 64,
      owned: ALL,
      leaseInMs: null,
      collectors: [{ id: cluster.ownership.status().collector.id, name: '0/1', shards: ALL, expiresAt: null }],
      unowned: [],
    });
    expect(cluster.status().liveEvents).toEqual({ state: 'local', reason: null });
    expect(() => cluster.ownership.owns(7 as unknown as string)).toThrow(new TypeError('deviceId must be a string, got number'));
    // Its own events reach the fleet-wide bus (what the HTTP server streams) until it stops.
    const seen: string[] = [];
    cluster.fleetBus.onAny((name) => seen.push(name));
    bus.emit('command', {} as never);
    await cluster.stop();
    bus.emit('command', {} as never);
    expect(seen).toEqual(['command']);
  });

  it('leases with PostgreSQL only when collecting', () => {
    const config = parseConfig({ storage: { databaseUrl: 'postgres://fleet@db/fleet' } });
    const leased = createCluster({ config, store: storeOf('postgres'), bus: new EventBus(), logger: silentLogger, collect: true });
    expect(leased.ownership).toBeInstanceOf(LeasedShards);
    expect(leased.ownership.status()).toMatchObject({ mode: 'leases', state: 'starting', owned: [], leaseInMs: 15_000 });
    expect(leased.ownership.owns('comap:g1')).toBe(false);
    const backfill = createCluster({ config, store: storeOf('postgres'), bus: new EventBus(), logger: silentLogger, collect: false });
    expect(backfill.ownership).toBeInstanceOf(AllShards);
  });
});
