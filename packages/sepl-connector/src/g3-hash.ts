import { createHash } from 'node:crypto';

/** The fields of a device the G3 hub hash covers. */
export interface G3HashedDevice {
  readonly id: string;
  readonly name: string;
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** SHA-1 hex of the local id followed by the name (the SENERGY client's per-device hash; type and tags are not part of it). */
export function g3DeviceHash(device: G3HashedDevice): string {
  return sha1(`${device.id}${device.name}`);
}

/**
 * The hub hash the SENERGY client stores with `PUT /hubs/{id}`: SHA-1 hex of the sorted per-device
 * hashes concatenated. An unchanged device set gives the same hash, so a sync writes nothing.
 */
export function g3HubHash(devices: Iterable<G3HashedDevice>): string {
  return sha1([...devices].map(g3DeviceHash).sort().join(''));
}
