// The shard lease protocol in SQL. Lease rows (not advisory locks) because ownership then is
// data every collector can read (and /api/status shows), a lease survives a pooled connection
// being recycled, and a dead collector's shards free themselves when their expiry passes. All
// times come from the database clock, so collectors on machines with skewed clocks still agree.
// A collector's heartbeat row outlives it (a clean stop only ends it): the newest one of each name
// says when that collector was last seen, so the push monitor of one gone for long can be retired
// (connectors/devicecloud-retire.ts); rows are removed once a newer one of the name exists, or after
// FORGET_COLLECTOR_AFTER_MS.
import { SHARD_COUNT } from '../shard.js';
import type { Queryable, SqlDriver } from '../storage/driver.js';

export interface CollectorInfo {
  id: string;
  name: string;
  /** The shards whose lease it holds (unexpired). */
  shards: number[];
  /** Database time (epoch ms) its heartbeat expires. */
  expiresAt: number;
}

/** Who owns what, as the database says at the end of a round. */
export interface ClusterSnapshot {
  collectors: CollectorInfo[];
  /** Shards without an unexpired lease. */
  unowned: number[];
}

export interface RoundResult {
  /** The shards this collector holds after the round. */
  owned: number[];
  /** Its fair share: ceil(shards / live collectors). */
  target: number;
  snapshot: ClusterSnapshot;
}

export interface RoundInput {
  id: string;
  name: string;
  leaseInMs: number;
  /** Called with the surplus shards before their leases are given up (stop collecting them first). */
  beforeRelease(shards: readonly number[]): void;
}

const DB_NOW = 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now';

/**
 * How long the last heartbeat of a collector that is gone is kept: longer than the longest
 * `devicecloud.retireMonitorsAfterInMs` (30 days), so its monitor is retired before its name is forgotten.
 */
export const FORGET_COLLECTOR_AFTER_MS = 32 * 86_400_000;

export interface LeaseTableOptions {
  /** Virtual shards (default SHARD_COUNT). */
  shards?: number;
  /** Epoch ms instead of the database clock (tests). */
  now?: () => number;
}

/** The fair share of one of `live` collectors. */
export function fairShare(live: number, shards: number = SHARD_COUNT): number {
  if (!Number.isSafeInteger(live) || live < 1) throw new RangeError(`live must be a positive integer, got ${String(live)}`);
  return Math.ceil(shards / live);
}

export class LeaseTable {
  readonly #db: SqlDriver;
  readonly #shards: number;
  readonly #clock: (() => number) | undefined;
  #seeded = false;

  constructor(db: SqlDriver, options: LeaseTableOptions = {}) {
    this.#db = db;
    this.#shards = options.shards ?? SHARD_COUNT;
    this.#clock = options.now;
  }

  /**
   * One round: heartbeat, renew the leases held, give up the surplus over the fair share or
   * claim free/expired shards up to it (a newcomer takes what owners released; owners never
   * take shards another collector holds, so ownership does not flap), then read the cluster.
   */
  round(input: RoundInput): Promise<RoundResult> {
    return this.#db.transaction(async (tx) => {
      const now = await this.#now(tx);
      const expires = now + input.leaseInMs;
      await this.#seed(tx);
      await tx.query(
        `INSERT INTO collectors (id, name, started_at, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, expires_at = EXCLUDED.expires_at`,
        [input.id, input.name, now, expires],
      );
      const [{ live } = { live: 1 }] = await tx.query<{ live: number }>('SELECT count(*)::int AS live FROM collectors WHERE expires_at > $1', [now]);
      const target = fairShare(live, this.#shards);
      let owned = (await tx.query<{ shard: number }>('UPDATE shard_leases SET expires_at = $2 WHERE owner = $1 RETURNING shard', [input.id, expires]))
        .map((r) => r.shard)
        .sort((a, b) => a - b);
      if (owned.length > target) {
        const surplus = owned.slice(target);
        input.beforeRelease(surplus);
        await tx.query('UPDATE shard_leases SET owner = NULL, since = NULL, expires_at = NULL WHERE owner = $1 AND shard = ANY($2::int[])', [input.id, surplus]);
        owned = owned.slice(0, target);
      } else if (owned.length < target) {
        const claimed = await tx.query<{ shard: number }>(
          `UPDATE shard_leases SET owner = $1, since = $2, expires_at = $3
           WHERE shard IN (SELECT shard FROM shard_leases WHERE owner IS NULL OR expires_at <= $2 ORDER BY shard LIMIT $4 FOR UPDATE SKIP LOCKED)
           RETURNING shard`,
          [input.id, now, expires, target - owned.length],
        );
        owned = [...owned, ...claimed.map((r) => r.shard)].sort((a, b) => a - b);
      }
      // Old heartbeats are clutter once a newer one of the same name exists, or after a month.
      await tx.query(
        `DELETE FROM collectors c WHERE c.expires_at < $1
           AND (c.expires_at < $2 OR EXISTS (SELECT 1 FROM collectors n WHERE n.name = c.name AND n.expires_at > c.expires_at))`,
        [now - 10 * input.leaseInMs, now - FORGET_COLLECTOR_AFTER_MS],
      );
      return { owned, target, snapshot: await snapshot(tx, now) };
    });
  }

  /** A clean stop: gives every lease up at once (the others take them at their next round); its heartbeat ends now. */
  async leave(id: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query('UPDATE shard_leases SET owner = NULL, since = NULL, expires_at = NULL WHERE owner = $1', [id]);
      await tx.query('UPDATE collectors SET expires_at = $2 WHERE id = $1', [id, await this.#now(tx)]);
    });
  }

  /**
   * The names of the collectors gone for longer than `afterInMs`: the newest heartbeat of the name
   * expired that long ago (so none under the name is live). Names never seen are not listed.
   */
  async gone(afterInMs: number): Promise<string[]> {
    if (!Number.isSafeInteger(afterInMs) || afterInMs < 0) throw new RangeError(`afterInMs must be a non-negative integer, got ${String(afterInMs)}`);
    const now = await this.#now(this.#db);
    const rows = await this.#db.query<{ name: string }>('SELECT name FROM collectors GROUP BY name HAVING max(expires_at) < $1 ORDER BY name', [now - afterInMs]);
    return rows.map((r) => r.name);
  }

  #now(q: Queryable): Promise<number> {
    return this.#clock ? Promise.resolve(this.#clock()) : dbNow(q);
  }

  async #seed(tx: Queryable): Promise<void> {
    if (this.#seeded) return;
    await tx.query('INSERT INTO shard_leases (shard) SELECT generate_series(0, $1::int - 1) ON CONFLICT DO NOTHING', [this.#shards]);
    this.#seeded = true;
  }
}

async function dbNow(tx: Queryable): Promise<number> {
  const [row] = await tx.query<{ now: number }>(DB_NOW);
  return Number(row?.now);
}

async function snapshot(tx: Queryable, now: number): Promise<ClusterSnapshot> {
  const collectors = await tx.query<{ id: string; name: string; expires_at: number }>(
    'SELECT id, name, expires_at FROM collectors WHERE expires_at > $1 ORDER BY name, id',
    [now],
  );
  const leases = await tx.query<{ shard: number; owner: string | null; expires_at: number | null }>(
    'SELECT shard, owner, expires_at FROM shard_leases ORDER BY shard',
  );
  const byOwner = new Map<string, number[]>();
  const unowned: number[] = [];
  for (const l of leases) {
    if (l.owner === null || l.expires_at === null || l.expires_at <= now) unowned.push(l.shard);
    else byOwner.set(l.owner, [...(byOwner.get(l.owner) ?? []), l.shard]);
  }
  return {
    collectors: collectors.map((c) => ({ id: c.id, name: c.name, shards: byOwner.get(c.id) ?? [], expiresAt: Number(c.expires_at) })),
    unowned,
  };
}
