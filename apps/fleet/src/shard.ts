// Devices are spread over a fixed number of virtual shards (FNV-1a 32-bit of the fleet device id,
// modulo SHARD_COUNT). The split is stable across restarts and machines; which collector owns a
// shard is decided by leases in the database (src/shards/), never by this file.

/** The fixed number of virtual shards; collectors own whole shards. */
export const SHARD_COUNT = 64;

export function fnv1a32(text: string): number {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The shard of a device among `count` shards (default: the fleet's SHARD_COUNT). */
export function shardOf(deviceId: string, count: number = SHARD_COUNT): number {
  if (typeof deviceId !== 'string') throw new TypeError(`deviceId must be a string, got ${typeof deviceId}`);
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${String(count)}`);
  return fnv1a32(deviceId) % count;
}
