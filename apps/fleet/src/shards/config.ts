// The `shard` section: this collector's name and lease period. The old static split
// (`index`/`count`, FLEET_SHARD) is still accepted, with a deprecation warning: it no longer
// decides which devices a collector takes (leases do), and `index/count` becomes the collector's
// name, so its Device Cloud push monitor and SEPL gateway stay the ones it used before.
import { hostname } from 'node:os';
import type { Reader } from '../config-read.js';
import { SHARD_COUNT } from '../shard.js';

export interface ShardConfig {
  /** This collector's name: its Device Cloud push monitor, its SEPL gateway, /api/status. */
  collector: string;
  /** How long a shard lease lasts without renewal (renewed every third of it). */
  leaseInMs: number;
  /** The warning to log at start when deprecated keys were used. */
  deprecation?: string | undefined;
}

export const DEFAULT_LEASE_MS = 15_000;
export const MIN_LEASE_MS = 300;
export const MAX_LEASE_MS = 600_000;
/** The single collector's name with PGlite: what its monitor and gateway were named before. */
export const SINGLE_COLLECTOR = '0/1';
const COLLECTOR_NAME = /^[\w.:/@-]{1,64}$/;

export function parseShardSection(root: Reader, databaseUrl: string | undefined): ShardConfig {
  const shard = root.child('shard')?.only(['collector', 'leaseInMs', 'index', 'count']);
  const leaseInMs = shard?.integer('leaseInMs', MIN_LEASE_MS, MAX_LEASE_MS) ?? DEFAULT_LEASE_MS;
  const named = shard?.string('collector', { pattern: COLLECTOR_NAME, hint: 'up to 64 letters, digits and . _ : / @ -' });
  const legacy = shard !== undefined && (shard.obj.index !== undefined || shard.obj.count !== undefined);
  if (!legacy) return { collector: named ?? (databaseUrl === undefined ? SINGLE_COLLECTOR : hostname()), leaseInMs };
  const count = shard.integer('count', 1, 1024) ?? 1;
  const index = shard.integer('index', 0, 1023) ?? 0;
  if (index >= count) root.issues.push(`shard.index: must be below shard.count (${count}), got ${index}`);
  if (count > 1 && databaseUrl === undefined) root.issues.push('shard: several collectors need a shared PostgreSQL (storage.databaseUrl / DATABASE_URL)');
  const collector = named ?? `${index}/${count}`;
  return {
    collector,
    leaseInMs,
    deprecation:
      `shard.index/shard.count (FLEET_SHARD) are deprecated and ignored for the split: collectors now share ${SHARD_COUNT} shards ` +
      `through leases in PostgreSQL; this collector is named "${collector}" (set shard.collector / FLEET_COLLECTOR instead)`,
  };
}
