/**
 * Devices of the DeviceCore inventory (`/ws/DeviceCore`), to enrich monitor events. Field names
 * follow python-devicecloud's `devicecore` module; values arrive as strings and are typed here.
 */
import { attribute } from './conditions.js';

/** A device of the account's inventory (`/ws/DeviceCore`), as `getDevice()` and `listDevices()` give it. */
export interface Device {
  devId: number;
  /** The device id, e.g. "00000000-00000000-00409DFF-FF000001". */
  deviceId: string;
  mac: string;
  connected: boolean;
  /** Group path ("" for the root group). */
  group: string;
  tags: string[];
  deviceType: string;
  description: string;
  firmwareLevel: number;
  terminated: boolean;
  /** Every field as the server sent it. */
  raw: Record<string, unknown>;
}

/** Condition attributes of DeviceCore (`DeviceFields.grpPath.eq('Staging')`, `DeviceFields.dpTags.like('%roof%')`). */
export const DeviceFields = {
  devConnectwareId: attribute('devConnectwareId'),
  devId: attribute('devId'),
  devMac: attribute('devMac'),
  grpPath: attribute('grpPath'),
  dpTags: attribute('dpTags'),
  dpConnectionStatus: attribute('dpConnectionStatus'),
  dpDeviceType: attribute('dpDeviceType'),
} as const;

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : '');

export function toDevice(item: Record<string, unknown>): Device {
  const id = (typeof item.id === 'object' && item.id !== null ? item.id : {}) as Record<string, unknown>;
  const tags = text(item.dpTags);
  return {
    devId: Number(id.devId ?? item.devId),
    deviceId: text(item.devConnectwareId),
    mac: text(item.devMac),
    connected: text(item.dpConnectionStatus) === '1',
    group: text(item.grpPath),
    tags: tags === '' ? [] : tags.split(',').map((t) => t.trim()).filter((t) => t !== ''),
    deviceType: text(item.dpDeviceType),
    description: text(item.dpDescription),
    firmwareLevel: Number(item.dpFirmwareLevel ?? 0),
    terminated: text(item.devTerminated) === 'true',
    raw: item,
  };
}
