// A collector's lease loop on a fake clock, with a lease table that answers or fails on demand:
// it renews every third of the lease period, and when renewals fail it stops collecting before
// the lease could have expired in the database and reports degraded, then recovers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.js';
import { SHARD_COUNT, shardOf } from '../shard.js';
import { LeasedShards } from './leased.js';
import type { LeaseTable, RoundInput, RoundResult } from './leases.js';

const LEASE = 900;

/** A device id in each shard, to ask owns() about. */
const inShard = new Map<number, string>();
for (let i = 0; inShard.size < SHARD_COUNT; i++) if (!inShard.has(shardOf(`comap:g${i}`))) inShard.set(shardOf(`comap:g${i}`), `comap:g${i}`);

function fakeTable(): { table: LeaseTable; rounds: RoundInput[]; answer: RoundResult | Error; left: string[] } {
  const state = {
    rounds: [] as RoundInput[],
    left: [] as string[],
    answer: { owned: [1, 2, 3], target: 22, snapshot: { collectors: [{ id: 'c1', name: 'one', shards: [1, 2, 3], expiresAt: 900 }], unowned: [] } } as RoundResult | Error,
    table: undefined as unknown as LeaseTable,
  };
  state.table = {
    round: (input: RoundInput) => {
      state.rounds.push(input);
      return state.answer instanceof Error ? Promise.reject(state.answer) : Promise.resolve(state.answer);
    },
    leave: (id: string) => {
      state.left.push(id);
      return Promise.resolve();
    },
  } as unknown as LeaseTable;
  return state;
}

describe('LeasedShards', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('renews every third of the lease and stops collecting before the lease expires when renewals fail', async () => {
    const fake = fakeTable();
    const changes: Array<{ gained: number[]; lost: number[] }> = [];
    const shards = new LeasedShards({
      table: fake.table,
      collector: { id: 'c1', name: 'one' },
      leaseInMs: LEASE,
      logger: silentLogger,
      now: () => Date.now(),
      onChange: ({ gained, lost }) => changes.push({ gained, lost }),
    });
    expect(shards.status().state).toBe('starting');
    await shards.start();
    expect(fake.rounds).toHaveLength(1);
    expect(shards.owns(inShard.get(2)!)).toBe(true);
    expect(shards.owns(inShard.get(4)!)).toBe(false);
    expect(changes).toEqual([{ gained: [1, 2, 3], lost: [] }]);
    expect(shards.status()).toEqual({
      mode: 'leases',
      state: 'ok',
      reason: null,
      collector: { id: 'c1', name: 'one' },
      total: 64,
      owned: [1, 2, 3],
      leaseInMs: LEASE,
      collectors: [{ id: 'c1', name: 'one', shards: [1, 2, 3], expiresAt: '1970-01-01T00:00:00.900Z' }],
      unowned: [],
    });
    await vi.advanceTimersByTimeAsync(LEASE / 3);
    expect(fake.rounds).toHaveLength(2);

    // The database goes away right after the renewal at t = 300 (safe until 300 + 900 - 225 = 975).
    fake.answer = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    await vi.advanceTimersByTimeAsync(LEASE / 3);
    expect(shards.status()).toMatchObject({ state: 'degraded', reason: 'shard leases not renewed: connect ECONNREFUSED 127.0.0.1:5432', owned: [1, 2, 3] });
    expect(shards.owns(inShard.get(2)!)).toBe(true);
    await vi.advanceTimersByTimeAsync(974 - 600);
    expect(shards.owns(inShard.get(2)!)).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    // 975 < 1200 = the earliest the database could see the lease expire.
    expect(shards.owns(inShard.get(2)!)).toBe(false);
    expect(shards.status()).toMatchObject({ state: 'degraded', owned: [] });
    expect(changes.at(-1)).toEqual({ gained: [], lost: [1, 2, 3] });

    // Back: the next round renews (or re-takes) the shards and collecting resumes.
    fake.answer = { owned: [2, 3], target: 22, snapshot: { collectors: [], unowned: [] } };
    await vi.advanceTimersByTimeAsync(LEASE / 3);
    expect(shards.status()).toMatchObject({ state: 'ok', reason: null, owned: [2, 3] });
    expect(shards.owns(inShard.get(3)!)).toBe(true);
    expect(changes.at(-1)).toEqual({ gained: [2, 3], lost: [] });

    await shards.stop();
    expect(shards.owns(inShard.get(3)!)).toBe(false);
    expect(fake.left).toEqual(['c1']);
    const rounds = fake.rounds.length;
    await vi.advanceTimersByTimeAsync(5 * LEASE);
    expect(fake.rounds).toHaveLength(rounds);
  });

  it('stops collecting surplus shards before their leases are given up', async () => {
    const fake = fakeTable();
    const shards = new LeasedShards({ table: fake.table, collector: { id: 'c1', name: 'one' }, leaseInMs: LEASE, logger: silentLogger, now: () => Date.now() });
    await shards.start();
    let ownedAtRelease: boolean | undefined;
    fake.table.round = (input: RoundInput) => {
      input.beforeRelease([3]);
      ownedAtRelease = shards.owns(inShard.get(3)!);
      return Promise.resolve({ owned: [1, 2], target: 2, snapshot: { collectors: [], unowned: [3] } });
    };
    await vi.advanceTimersByTimeAsync(LEASE / 3);
    expect(ownedAtRelease).toBe(false);
    expect(shards.status().owned).toEqual([1, 2]);
    await shards.stop();
  });

  it('keeps the process alive while it runs (its next round is pending work) and names a bad lease', async () => {
    const fake = fakeTable();
    const shards = new LeasedShards({ table: fake.table, collector: { id: 'c1', name: 'one' }, leaseInMs: LEASE, logger: silentLogger });
    await shards.start();
    expect(vi.getTimerCount()).toBe(2); // the next round and the lease's safety deadline
    await shards.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(() => new LeasedShards({ table: fake.table, collector: { id: 'c', name: 'c' }, leaseInMs: 0, logger: silentLogger })).toThrow(
      new RangeError('leaseInMs must be a positive integer, got 0'),
    );
  });
});

describe('LeasedShards when the database stops answering', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives a round up after half a lease, stops collecting in time, and warns once about a collector with its name', async () => {
    const fake = fakeTable();
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    fake.answer = { owned: [5], target: 32, snapshot: { collectors: [{ id: 'c1', name: 'one', shards: [5], expiresAt: 0 }, { id: 'c2', name: 'one', shards: [], expiresAt: 0 }], unowned: [] } };
    const shards = new LeasedShards({ table: fake.table, collector: { id: 'c1', name: 'one' }, leaseInMs: LEASE, logger, now: () => Date.now() });
    await shards.start();
    await vi.advanceTimersByTimeAsync(LEASE / 3);
    expect(warnings).toEqual(['another live collector is also named "one": give each its own shard.collector (FLEET_COLLECTOR)']);
    // From t = 600 the database hangs: the round started then is given up at 1050, the lease (renewed at 300) is unsafe from 975.
    fake.table.round = () => new Promise<never>(() => undefined);
    await vi.advanceTimersByTimeAsync(LEASE / 3);
    expect(shards.status().state).toBe('ok');
    await vi.advanceTimersByTimeAsync(375);
    expect(shards.owns(inShard.get(5)!)).toBe(false);
    await vi.advanceTimersByTimeAsync(75);
    expect(shards.status()).toMatchObject({ state: 'degraded', reason: 'shard leases not renewed: no answer from the database within 450 ms', owned: [] });
    expect(warnings.filter((w) => w.startsWith('another live collector'))).toHaveLength(1);
    await shards.stop();
  });
});
