import type { SeplDevice } from './device.js';

/**
 * Where the gateway keeps its devices (and its platform gateway id) between sessions.
 * Every method may be async; the connector awaits them.
 */
export interface DeviceStore {
  /** Adds a device; replaces an existing one with the same id. */
  add(device: SeplDevice): Promise<void> | void;
  /** Replaces a device (adds it when unknown). */
  update(device: SeplDevice): Promise<void> | void;
  /** Removes a device; returns whether it existed. */
  remove(id: string): Promise<boolean> | boolean;
  /** The device with that id, or undefined. */
  get(id: string): Promise<SeplDevice | undefined> | SeplDevice | undefined;
  /** All devices, in insertion order. */
  list(): Promise<SeplDevice[]> | SeplDevice[];
  /** The G2 gateway id given by the platform, if any. */
  getGatewayId(): Promise<string | undefined> | string | undefined;
  /** Keeps the G2 gateway id (the G3 hub id) given by the platform. */
  setGatewayId(id: string): Promise<void> | void;
  /**
   * Optional: ids of devices deleted while the connector was offline, whose `delete` the
   * platform has not confirmed yet. A store that keeps them lets the deletion survive a
   * restart; without these methods the connector keeps them in memory only.
   */
  getPendingDeletions?(): Promise<string[]> | string[];
  /** Optional: replaces the list of pending deletions (see `getPendingDeletions`). */
  setPendingDeletions?(ids: string[]): Promise<void> | void;
}
