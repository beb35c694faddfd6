// The collectors panel's words, from /api/status's `shards` as the service sends it (API.md).
import { describe, expect, it } from 'vitest';
import { decodeShardsStatus, decodeStatus } from './api.js';
import { HOSTILE_NAME, sampleShardsStatus, shardRange } from '../test-support/shards-status.js';
import { shardsSummary } from './shards-view.js';

// The third collector holds only shard 44; 45-63 are nobody's.
const [a, b] = sampleShardsStatus()['collectors'] as unknown[];
const leases = sampleShardsStatus({ unowned: shardRange(45, 63), collectors: [a, b, { id: 'id-c', name: HOSTILE_NAME, shards: [44], expiresAt: null }] });

describe('the collectors panel', () => {
  it('lists each live collector with its shard count and marks this one; names the unowned shards (at most 12)', () => {
    expect(shardsSummary(decodeShardsStatus(leases))).toEqual({
      problem: null,
      collectors: [
        { name: 'edge-1', shards: '22 shards', self: false },
        { name: 'edge-2', shards: '21 shards', self: true },
        { name: HOSTILE_NAME, shards: '1 shard', self: false },
      ],
      unowned: { text: '19 shards of 64 not collected right now: 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, …', warn: true },
      liveEvents: { text: 'Live events of the other collectors arrive.', warn: false },
    });
    expect(shardsSummary(decodeShardsStatus({ ...leases, unowned: [3] }))?.unowned).toEqual({ text: '1 shard of 64 not collected right now: 3', warn: true });
  });

  it('says when this collector collects nothing, every shard is collected, and the others\' events do not arrive', () => {
    const summary = shardsSummary(
      decodeShardsStatus({
        ...leases,
        state: 'degraded',
        reason: 'shard leases not renewed: connect ECONNREFUSED 127.0.0.1:5432',
        unowned: [],
        liveEvents: { state: 'reconnecting', reason: 'listening connection lost: terminated' },
      }),
    );
    expect(summary).toMatchObject({
      problem: 'This collector collects nothing until its leases are renewed: shard leases not renewed: connect ECONNREFUSED 127.0.0.1:5432',
      unowned: { text: 'All 64 shards are collected.', warn: false },
      liveEvents: { text: 'Live events of the other collectors are not arriving (listening connection lost: terminated); reconnecting.', warn: true },
    });
    expect(shardsSummary(decodeShardsStatus({ ...leases, state: 'starting' }))?.problem).toBe('This collector is taking its first shards…');
  });

  it('is not shown with PGlite (one collector) or by a service that does not report shards', () => {
    const single = { ...leases, mode: 'single', collectors: [{ id: 'id-b', name: '0/1', shards: shardRange(0, 63), expiresAt: null }], unowned: [], liveEvents: { state: 'local', reason: null } };
    expect(shardsSummary(decodeShardsStatus(single))).toBeNull();
    const status = decodeStatus({ version: '0.1.0', demo: false, vendors: {}, sepl: { state: 'disabled' } });
    expect(status.shards).toBeNull();
    expect(shardsSummary(status.shards)).toBeNull();
  });

  it('names the field when the service sends something else', () => {
    expect(() => decodeShardsStatus({ ...leases, mode: 'sharded' })).toThrow('unexpected answer from the fleet service: shards.mode is not one of single, leases (got "sharded")');
    expect(() => decodeShardsStatus({ ...leases, unowned: ['1'] })).toThrow('shards.unowned is not a list of shard numbers');
    expect(() => decodeShardsStatus({ ...leases, collectors: [{ id: 'x', shards: [] }] })).toThrow('shards.collectors[].name is not a string');
  });
});
