// Soak on a fake clock: collectors come and go, crash, and lose the database for a while, for 10
// simulated minutes, over an in-memory lease table that answers after a random delay with the
// same rules as leases.ts. Every 25 ms, no shard is collected by two collectors; at the end,
// with everyone reachable, every shard has exactly one owner and the shares are fair.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.js';
import { SHARD_COUNT, shardOf } from '../shard.js';
import { LeasedShards } from './leased.js';
import { fairShare, type LeaseTable, type RoundInput, type RoundResult } from './leases.js';

const LEASE = 900;

/** A device id in each shard. */
const inShard: string[] = [];
for (let i = 0; inShard.filter(Boolean).length < SHARD_COUNT; i++) inShard[shardOf(`comap:g${i}`)] ??= `comap:g${i}`;

/** Deterministic randomness (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The lease rules of leases.ts over maps, the database's clock being the fake clock. */
class MemoryLeases {
  readonly owner = new Map<number, { id: string; expires: number }>();
  readonly heartbeat = new Map<string, number>();

  round(input: RoundInput): RoundResult {
    const now = Date.now();
    const expires = now + input.leaseInMs;
    this.heartbeat.set(input.id, expires);
    const live = [...this.heartbeat.values()].filter((e) => e > now).length;
    const target = fairShare(live);
    let owned: number[] = [];
    for (const [shard, l] of this.owner) {
      if (l.id !== input.id) continue;
      l.expires = expires;
      owned.push(shard);
    }
    owned.sort((a, b) => a - b);
    if (owned.length > target) {
      const surplus = owned.slice(target);
      input.beforeRelease(surplus);
      for (const s of surplus) this.owner.delete(s);
      owned = owned.slice(0, target);
    } else {
      for (let s = 0; s < SHARD_COUNT && owned.length < target; s++) {
        const l = this.owner.get(s);
        if (l === undefined || l.expires <= now) {
          this.owner.set(s, { id: input.id, expires });
          owned.push(s);
        }
      }
    }
    return { owned: owned.sort((a, b) => a - b), target, snapshot: { collectors: [], unowned: [] } };
  }

  leave(id: string): void {
    for (const [s, l] of this.owner) if (l.id === id) this.owner.delete(s);
    this.heartbeat.delete(id);
  }
}

interface Member {
  id: string;
  shards: LeasedShards;
  /** Database unreachable for this collector until then. */
  downUntil: number;
  crashed: boolean;
}

describe('LeasedShards soak', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never lets two collectors collect one shard, and settles on fair, complete ownership', async () => {
    const rnd = random(17);
    const db = new MemoryLeases();
    const members: Member[] = [];
    let next = 0;
    const join = async (): Promise<void> => {
      const member: Member = { id: `c${next++}`, shards: undefined as unknown as LeasedShards, downUntil: 0, crashed: false };
      const reachable = (): void => {
        if (member.crashed || Date.now() < member.downUntil) throw new Error('connection refused');
      };
      // Request and answer take up to 300 ms each (a slow database); the round applies in between.
      const delay = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.floor(rnd() * 300)));
      const table = {
        round: async (input: RoundInput) => {
          reachable();
          await delay();
          reachable();
          const result = db.round(input);
          await delay(); // the answer travels back (or is lost) after the database applied the round
          reachable();
          return result;
        },
        leave: async (id: string) => {
          reachable();
          await delay();
          db.leave(id);
        },
      } as unknown as LeaseTable;
      member.shards = new LeasedShards({ table, collector: { id: member.id, name: member.id }, leaseInMs: LEASE, logger: silentLogger, now: () => Date.now() });
      members.push(member);
      await settle(member.shards.start());
    };
    /** Waits for `work` while the fake clock runs (its database answers need time to pass). */
    const settle = async (work: Promise<void>): Promise<void> => {
      let done = false;
      const tracked = work.finally(() => (done = true));
      while (!done) await vi.advanceTimersByTimeAsync(25);
      await tracked;
    };
    const alive = (): Member[] => members.filter((m) => !m.crashed);
    const checkNoTwoOwners = (): void => {
      for (let s = 0; s < SHARD_COUNT; s++) {
        const owners = alive().filter((m) => m.shards.owns(inShard[s]!));
        if (owners.length > 1) throw new Error(`shard ${s} collected by ${owners.map((m) => m.id).join(' and ')} at ${Date.now()}`);
      }
    };

    for (let i = 0; i < 3; i++) await join();
    const end = Date.now() + 10 * 60_000;
    let events = 0;
    while (Date.now() < end) {
      const r = rnd();
      const some = alive()[Math.floor(rnd() * alive().length)];
      if (r < 0.15 && alive().length < 6) await join();
      else if (r < 0.25 && some && alive().length > 1) some.crashed = true; // gone without a word; its timers run on, harmless
      else if (r < 0.35 && some && alive().length > 1) {
        members.splice(members.indexOf(some), 1);
        await settle(some.shards.stop().catch(() => undefined)); // unreachable: its leases just expire
      } else if (some) some.downUntil = Date.now() + Math.floor(rnd() * 3 * LEASE);
      events++;
      const quiet = Date.now() + Math.floor(rnd() * 4 * LEASE);
      while (Date.now() < quiet) {
        await vi.advanceTimersByTimeAsync(25);
        checkNoTwoOwners();
      }
    }
    expect(events).toBeGreaterThan(200);

    // Everyone reachable and nobody moving: two lease periods later ownership is complete and fair.
    for (const m of alive()) m.downUntil = 0;
    await vi.advanceTimersByTimeAsync(3 * LEASE);
    checkNoTwoOwners();
    const live = alive();
    const owned = live.map((m) => m.shards.status().owned);
    expect(owned.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: SHARD_COUNT }, (_, i) => i));
    const share = fairShare(live.length);
    for (const o of owned) expect(o.length).toBeGreaterThanOrEqual(SHARD_COUNT - share * (live.length - 1));
    for (const o of owned) expect(o.length).toBeLessThanOrEqual(share);
    for (const m of live) expect(m.shards.status().state).toBe('ok');

    for (const m of members) {
      m.crashed = false;
      await settle(m.shards.stop());
    }
    expect(vi.getTimerCount()).toBe(0);
  }, 60_000);
});
