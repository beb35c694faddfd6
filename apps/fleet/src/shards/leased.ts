// A collector's shards over PostgreSQL: a round every third of the lease period renews its
// leases and moves it towards its fair share (leases.ts). Safety does not depend on the database
// answering: the collector only collects while its local clock is inside the lease it last
// renewed (minus a quarter for slack), so when renewals fail (database down) it stops collecting
// before the lease expires and another collector may take the shards; it reports `degraded`.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { SHARD_COUNT, shardOf } from '../shard.js';
import type { ClusterSnapshot, LeaseTable } from './leases.js';
import type { OwnershipStatus, ShardOwnership } from './ownership.js';

export interface LeasedShardsOptions {
  table: LeaseTable;
  collector: { id: string; name: string };
  leaseInMs: number;
  logger: Logger;
  /** A monotonic clock in ms (default performance.now). */
  now?: () => number;
  /** Told after every change of the owned set. */
  onChange?: (change: { gained: number[]; lost: number[]; owned: number[] }) => void;
}

export class LeasedShards implements ShardOwnership {
  readonly #o: LeasedShardsOptions;
  readonly #now: () => number;
  #owned = new Set<number>();
  /** Local time until which the held leases are safely ours. */
  #safeUntil = Number.NEGATIVE_INFINITY;
  #state: OwnershipStatus['state'] = 'starting';
  #reason: string | null = null;
  #snapshot: ClusterSnapshot = { collectors: [], unowned: [] };
  #timer: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;
  #warnedTwin = false;

  constructor(options: LeasedShardsOptions) {
    if (!Number.isSafeInteger(options.leaseInMs) || options.leaseInMs < 1) {
      throw new RangeError(`leaseInMs must be a positive integer, got ${String(options.leaseInMs)}`);
    }
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
  }

  owns(deviceId: string): boolean {
    return this.#owned.has(shardOf(deviceId)) && this.#now() < this.#safeUntil;
  }

  status(): OwnershipStatus {
    return {
      mode: 'leases',
      state: this.#state,
      reason: this.#reason,
      collector: { ...this.#o.collector },
      total: SHARD_COUNT,
      owned: this.#sortedOwned(),
      leaseInMs: this.#o.leaseInMs,
      collectors: this.#snapshot.collectors.map((c) => ({ id: c.id, name: c.name, shards: [...c.shards], expiresAt: new Date(c.expiresAt).toISOString() })),
      unowned: [...this.#snapshot.unowned],
    };
  }

  /** Runs the first round (a failure leaves it degraded and retrying), then one every lease/3. */
  async start(): Promise<void> {
    await this.#runRound();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#expiry);
    await this.#round;
    this.#drop(this.#sortedOwned());
    this.#safeUntil = Number.NEGATIVE_INFINITY;
    await this.#timed(this.#o.table.leave(this.#o.collector.id));
  }

  #runRound(): Promise<void> {
    this.#round = this.#roundOnce().finally(() => {
      this.#round = undefined;
      // Pending work: the next round keeps the process alive until stop().
      if (!this.#stopped) this.#timer = setTimeout(() => void this.#runRound(), Math.max(1, Math.floor(this.#o.leaseInMs / 3)));
    });
    return this.#round;
  }

  async #roundOnce(): Promise<void> {
    const startedAt = this.#now();
    try {
      const result = await this.#timed(
        this.#o.table.round({
          id: this.#o.collector.id,
          name: this.#o.collector.name,
          leaseInMs: this.#o.leaseInMs,
          beforeRelease: (shards) => this.#drop(shards),
        }),
      );
      if (this.#stopped) return;
      this.#warnTwin(result.snapshot);
      // The database set the expiry after `startedAt`, so this errs on the safe side.
      this.#safeUntil = startedAt + this.#o.leaseInMs - Math.ceil(this.#o.leaseInMs / 4);
      this.#snapshot = result.snapshot;
      this.#apply(result.owned);
      this.#state = 'ok';
      this.#reason = null;
      this.#armExpiry();
    } catch (err) {
      if (this.#stopped) return;
      this.#state = 'degraded';
      this.#reason = `shard leases not renewed: ${err instanceof Error ? err.message : String(err)}`;
      this.#o.logger.warn('shard leases not renewed', { error: err, owned: this.#owned.size });
    }
  }

  /** A round the database does not answer within half a lease counts as failed (the next one retries). */
  async #timed<T>(round: Promise<T>): Promise<T> {
    const limit = Math.ceil(this.#o.leaseInMs / 2);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the database within ${limit} ms`)), limit);
    });
    round.catch(() => undefined); // a round given up on may still fail later
    try {
      return await Promise.race([round, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Two live collectors with one name would share a Device Cloud monitor and a SEPL gateway. */
  #warnTwin(snapshot: ClusterSnapshot): void {
    const { id, name } = this.#o.collector;
    if (this.#warnedTwin || !snapshot.collectors.some((c) => c.name === name && c.id !== id)) return;
    this.#warnedTwin = true;
    this.#o.logger.warn(`another live collector is also named "${name}": give each its own shard.collector (FLEET_COLLECTOR)`);
  }

  /** When the held leases are no longer safe, stop collecting their devices (also checked in owns()). */
  #armExpiry(): void {
    clearTimeout(this.#expiry);
    this.#expiry = setTimeout(() => {
      if (this.#owned.size === 0) return;
      this.#o.logger.warn('shard leases expired without renewal: collecting nothing until they are renewed', { shards: this.#owned.size });
      this.#drop(this.#sortedOwned());
      this.#state = 'degraded';
      this.#reason ??= 'shard leases expired without renewal';
    }, Math.max(0, this.#safeUntil - this.#now()));
  }

  #apply(owned: readonly number[]): void {
    const next = new Set(owned);
    const gained = owned.filter((s) => !this.#owned.has(s));
    const lost = this.#sortedOwned().filter((s) => !next.has(s));
    this.#owned = next;
    if (gained.length > 0 || lost.length > 0) this.#changed(gained, lost);
  }

  #drop(shards: readonly number[]): void {
    const lost = shards.filter((s) => this.#owned.delete(s));
    if (lost.length > 0) this.#changed([], lost);
  }

  #changed(gained: number[], lost: number[]): void {
    const owned = this.#sortedOwned();
    this.#o.logger.info('shards changed', { gained: gained.length, lost: lost.length, owned: owned.length });
    this.#o.onChange?.({ gained, lost, owned });
  }

  #sortedOwned(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }
}
