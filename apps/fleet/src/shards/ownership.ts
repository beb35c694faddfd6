// Which devices this collector collects: the owner of a device's shard does. With PostgreSQL the
// shards are leased (leased.ts); with PGlite (one process) the only collector owns all of them.
import { SHARD_COUNT, shardOf } from '../shard.js';

/** This collector's view of shard ownership. */
export interface OwnershipStatus {
  /** `single`: PGlite, one collector owns every shard; `leases`: shards leased through PostgreSQL. */
  mode: 'single' | 'leases';
  /** `degraded`: leases could not be renewed (this collector collects nothing until they are). */
  state: 'starting' | 'ok' | 'degraded';
  reason: string | null;
  collector: { id: string; name: string };
  total: number;
  /** The shards this collector collects. */
  owned: number[];
  leaseInMs: number | null;
  /** Every live collector with the shards it holds (as of this collector's last round). */
  collectors: Array<{ id: string; name: string; shards: number[]; expiresAt: string | null }>;
  /** Shards nobody holds right now (a dead collector's, until someone claims them). */
  unowned: number[];
}

/** Ownership and the other collectors' live events, as /api/status shows them (`shards`). */
export interface ShardsStatus extends OwnershipStatus {
  /** `local`: no other collectors (PGlite); `reconnecting`: the others' events are not arriving now. */
  liveEvents: { state: 'local' | 'connected' | 'reconnecting'; reason: string | null };
}

export interface ShardOwnership {
  /** Whether this collector collects the device now (its shard is held and the lease still safe). */
  owns(deviceId: string): boolean;
  status(): OwnershipStatus;
  start(): Promise<void>;
  /** Stops collecting and gives the shards up. */
  stop(): Promise<void>;
}

/** PGlite: one process, so its collector owns every shard, no lease needed. */
export class AllShards implements ShardOwnership {
  readonly #collector: { id: string; name: string };

  constructor(collector: { id: string; name: string }) {
    this.#collector = { ...collector };
  }

  owns(deviceId: string): boolean {
    shardOf(deviceId); // the same argument checks as with leases
    return true;
  }

  status(): OwnershipStatus {
    const all = Array.from({ length: SHARD_COUNT }, (_, i) => i);
    return {
      mode: 'single',
      state: 'ok',
      reason: null,
      collector: { ...this.#collector },
      total: SHARD_COUNT,
      owned: all,
      leaseInMs: null,
      collectors: [{ ...this.#collector, shards: all, expiresAt: null }],
      unowned: [],
    };
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
