// A `shards` answer of /api/status (API.md `ShardsStatus`) with three collectors over PostgreSQL,
// as this collector ('edge-2', id 'id-b') sees it; one collector's name holds markup, which the
// page must show as text. For the dashboard's tests (unit and in the browser).

/** Shard numbers from `from` to `to`, both included. */
export const shardRange = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A collector name that would run script if the page made markup of it. */
export const HOSTILE_NAME = '<img src=x onerror="document.title=\'pwned\'">';

/** The sample with `overrides` applied (a plain JSON object, as the service sends it). */
export function sampleShardsStatus(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: 'leases',
    state: 'ok',
    reason: null,
    collector: { id: 'id-b', name: 'edge-2' },
    total: 64,
    owned: shardRange(22, 42),
    leaseInMs: 15000,
    collectors: [
      { id: 'id-a', name: 'edge-1', shards: shardRange(0, 21), expiresAt: '2026-11-21T06:00:15.000Z' },
      { id: 'id-b', name: 'edge-2', shards: shardRange(22, 42), expiresAt: '2026-11-21T06:00:15.000Z' },
      { id: 'id-c', name: HOSTILE_NAME, shards: shardRange(43, 63), expiresAt: '2026-11-21T06:00:15.000Z' },
    ],
    unowned: [],
    liveEvents: { state: 'connected', reason: null },
    ...overrides,
  };
}
