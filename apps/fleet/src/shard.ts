// Sharding several collectors over one PostgreSQL: each owns the devices whose id hashes to its
// index (FNV-1a 32-bit of the fleet device id, modulo the shard count). Stable across restarts and
// machines, so every collector agrees without talking to the others.
import type { ShardConfig } from './config.js';

export function fnv1a32(text: string): number {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function shardOf(deviceId: string, count: number): number {
  if (typeof deviceId !== 'string') throw new TypeError(`deviceId must be a string, got ${typeof deviceId}`);
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${String(count)}`);
  return fnv1a32(deviceId) % count;
}

export function ownsDevice(shard: ShardConfig, deviceId: string): boolean {
  return shard.count <= 1 || shardOf(deviceId, shard.count) === shard.index;
}
