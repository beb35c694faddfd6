// The collector's place among the others: shard ownership (leases with PostgreSQL, everything with
// PGlite or when not collecting) and the live events of the whole fleet (its own plus, with
// PostgreSQL, the others' through LISTEN/NOTIFY) for the HTTP server to stream.
import { randomUUID } from 'node:crypto';
import type { FleetConfig } from '../config.js';
import { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { FleetStore } from '../storage/store.js';
import { EventFanout } from './fanout.js';
import { LeasedShards } from './leased.js';
import { LeaseTable } from './leases.js';
import { AllShards, type ShardOwnership, type ShardsStatus } from './ownership.js';

export interface Cluster {
  readonly ownership: ShardOwnership;
  /** Every live event of the fleet: this collector's and (with PostgreSQL) the others'. */
  readonly fleetBus: EventBus;
  /** Ownership and whether the other collectors' events arrive (`shards` in /api/status). */
  status(): ShardsStatus;
  /**
   * The names of other collectors gone (no heartbeat) for longer than `afterInMs`, when this
   * collector is the one to clean up after them (it holds shard 0, so one collector does it at a
   * time); an empty list otherwise, and always with PGlite (one collector).
   */
  goneCollectors(afterInMs: number): Promise<string[]>;
  /** Takes the first shards and starts listening; before the connectors start. */
  start(): Promise<void>;
  /** Stops the leases (after the connectors stopped) and the fan-out. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  config: FleetConfig;
  store: FleetStore;
  /** This collector's own events. */
  bus: EventBus;
  logger: Logger;
  /** False for processes that do not collect live (read-only commands, a backfill): they own every device and lease nothing. */
  collect: boolean;
  /** Told when shards were lost (their devices are no longer collected here). */
  onLost?: () => void;
  /** Told when shards were gained (their devices should be collected now). */
  onGained?: () => void;
}

export function createCluster(o: ClusterOptions): Cluster {
  const collector = { id: randomUUID(), name: o.config.shard.collector };
  const fleetBus = new EventBus((err) => o.logger.error('event listener failed', { error: err }));
  const forward = o.bus.onAny((name, payload) => fleetBus.emit(name, payload));
  const databaseUrl = o.config.storage.databaseUrl;
  if (!o.collect || o.store.kind !== 'postgres' || databaseUrl === undefined) {
    const ownership = new AllShards(collector);
    return {
      ownership,
      fleetBus,
      status: () => ({ ...ownership.status(), liveEvents: { state: 'local', reason: null } }),
      goneCollectors: () => Promise.resolve([]),
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(forward()),
    };
  }
  if (o.config.shard.deprecation) o.logger.warn(o.config.shard.deprecation);
  const table = new LeaseTable(o.store.db);
  const ownership = new LeasedShards({
    table,
    collector,
    leaseInMs: o.config.shard.leaseInMs,
    logger: o.logger,
    onChange: ({ gained, lost }) => {
      if (lost.length > 0) o.onLost?.();
      if (gained.length > 0) o.onGained?.();
    },
  });
  const fanout = new EventFanout({ databaseUrl, db: o.store.db, collectorId: collector.id, local: o.bus, remote: fleetBus, logger: o.logger });
  return {
    ownership,
    fleetBus,
    status: () => ({ ...ownership.status(), liveEvents: fanout.status() }),
    async goneCollectors(afterInMs) {
      if (!ownership.status().owned.includes(0)) return [];
      return (await table.gone(afterInMs)).filter((name) => name !== collector.name);
    },
    async start() {
      await fanout.start();
      await ownership.start();
    },
    async stop() {
      try {
        await ownership.stop();
      } finally {
        forward();
        await fanout.stop();
      }
    },
  };
}
