import { createHash } from 'node:crypto';

/** Tags as an object (insertion order) or as `[key, value]` pairs. */
export type SeplTags = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** A local device of the gateway. */
export interface SeplDevice {
  /** Gateway-local id (the platform's `uri` / `device_url`). */
  readonly id: string;
  /** Platform device type id, e.g. `iot#d66ec9bc-e37f-4f35-a788-027301aad6c2`. */
  readonly type: string;
  /** Display name. */
  readonly name: string;
  /** Tags; their order is part of the hash. */
  readonly tags?: SeplTags;
}

const RESERVED_TAG_KEYS = new Set(['device_name', 'device_type']);

/** The device's tags as ordered `[key, value]` pairs. */
export function tagEntries(device: SeplDevice): Array<[string, string]> {
  const tags = device.tags;
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return (tags as ReadonlyArray<readonly [string, string]>).map(([k, v]) => [k, v]);
  return Object.entries(tags as Record<string, string>);
}

/** The tags as the platform expects them: `"key:value"`. */
export function tagStrings(device: SeplDevice): string[] {
  return tagEntries(device).map(([k, v]) => `${k}:${v}`);
}

/**
 * Checks a device supplied by a user; throws a TypeError/RangeError naming the offending field.
 * `param` names the argument in the message (e.g. `device` or `devices[2]`).
 */
export function validateDevice(device: unknown, param = 'device'): SeplDevice {
  if (typeof device !== 'object' || device === null) throw new TypeError(`${param} must be an object`);
  const d = device as Record<string, unknown>;
  for (const key of ['id', 'type', 'name'] as const) {
    if (typeof d[key] !== 'string') throw new TypeError(`${param}.${key} must be a string`);
    if (d[key] === '') throw new RangeError(`${param}.${key} must not be empty`);
  }
  const tags = d['tags'];
  if (tags !== undefined) {
    let entries: unknown[];
    if (Array.isArray(tags)) {
      entries = tags;
    } else if (typeof tags === 'object' && tags !== null) {
      entries = Object.entries(tags);
    } else {
      throw new TypeError(`${param}.tags must be an object or an array of [key, value] pairs`);
    }
    const seen = new Set<string>();
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') {
        throw new TypeError(`${param}.tags entries must be [string, string] pairs with string values`);
      }
      const [key, value] = entry as [string, string];
      if (key === '') throw new RangeError(`${param}.tags: a tag key must not be empty`);
      if (RESERVED_TAG_KEYS.has(key)) throw new RangeError(`${param}.tags: the key '${key}' is reserved`);
      if (/[:;]/.test(key)) throw new RangeError(`${param}.tags: the key '${key}' contains ':' or ';'`);
      if (/[:;]/.test(value)) throw new RangeError(`${param}.tags['${key}'] contains ':' or ';'`);
      if (seen.has(key)) throw new RangeError(`${param}.tags: duplicate key '${key}'`);
      seen.add(key);
    }
  }
  return device as SeplDevice;
}

function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** SHA-1 hex of `id + type + name + key1 + value1 + …` (tags in order), as the Python client computes it. */
export function deviceHash(device: SeplDevice): string {
  const tags = tagEntries(device)
    .map(([k, v]) => k + v)
    .join('');
  return sha1Hex(device.id + device.type + device.name + tags);
}

/** SHA-1 hex of the sorted device hashes concatenated (the gateway hash committed to the platform). */
export function gatewayHash(devices: Iterable<SeplDevice>): string {
  const hashes = [...devices].map(deviceHash).sort();
  return sha1Hex(hashes.join(''));
}

/** A plain JSON-safe copy of a device (tags as an object only when that keeps their order). */
export function cloneDevice(device: SeplDevice): SeplDevice {
  const entries = tagEntries(device);
  const base = { id: device.id, type: device.type, name: device.name };
  if (device.tags === undefined) return base;
  return { ...base, tags: entries.map(([k, v]) => [k, v] as [string, string]) };
}
