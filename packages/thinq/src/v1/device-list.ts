/** The v1 device list: its records, device type names, and wideq's list helper. */
import { MalformedResponseError } from '../errors.js';

/** A device of the v1 device list (wideq `DeviceInfo`). */
export interface V1Device {
  deviceId: string;
  alias: string;
  modelName: string;
  modelJsonUrl: string;
  /** Numeric v1 device type (201 washer, 401 AC…). */
  deviceType: number;
  /** Name of the device type, `UNKNOWN` for codes we do not know. */
  deviceTypeName: string;
  /** The record as sent by the server. */
  raw: Record<string, unknown>;
}

const DEVICE_TYPES: Readonly<Record<number, string>> = {
  101: 'REFRIGERATOR', 102: 'KIMCHI_REFRIGERATOR', 103: 'WATER_PURIFIER', 201: 'WASHER', 202: 'DRYER', 203: 'STYLER',
  204: 'DISHWASHER', 221: 'TOWER_WASHER', 222: 'TOWER_DRYER', 223: 'TOWER_WASHER_DRYER', 301: 'OVEN', 302: 'MICROWAVE',
  303: 'COOKTOP', 304: 'HOOD', 401: 'AC', 402: 'AIR_PURIFIER', 403: 'DEHUMIDIFIER', 405: 'FAN', 406: 'WATER_HEATER',
  410: 'AIR_PURIFIER_FAN', 501: 'ROBOT_KING', 504: 'STICK_VACUUM', 603: 'CLOUD_GATEWAY', 701: 'TV', 801: 'BOILER', 901: 'SPEAKER',
  902: 'HOMEVU', 1001: 'ARCH', 3001: 'MISSG', 3002: 'SENSOR', 3003: 'IOT_LIGHTING', 3004: 'IOT_MOTION_SENSOR',
  3005: 'IOT_SMART_PLUG', 3006: 'IOT_DUST_SENSOR', 3102: 'SOLAR_SENSOR', 4001: 'EMS_AIR_STATION', 4003: 'AIR_SENSOR',
  4004: 'PURICARE_AIR_DETECTOR', 6001: 'V2PHONE', 9000: 'HOMEROBOT',
};

/** The name of a v1 device type code, or `UNKNOWN`. */
export function v1DeviceTypeName(code: number): string {
  return DEVICE_TYPES[code] ?? 'UNKNOWN';
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** wideq `get_list`: missing → `[]`, one object → `[object]`, list → list. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A required non-empty string field of a server record. */
export function needString(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw new MalformedResponseError(`${where}: missing ${key}`, obj);
  return v;
}

export function parseDevice(raw: unknown, onWarning: (m: string) => void): V1Device {
  if (!isRecord(raw)) throw new MalformedResponseError('device list entry is not an object', raw);
  const type = typeof raw.deviceType === 'number' ? raw.deviceType : Number(raw.deviceType);
  const name = v1DeviceTypeName(type);
  if (name === 'UNKNOWN') onWarning(`unknown device type ${String(raw.deviceType)}`);
  return {
    deviceId: needString(raw, 'deviceId', 'device'),
    alias: typeof raw.alias === 'string' || typeof raw.alias === 'number' ? String(raw.alias) : '',
    modelName: typeof raw.modelNm === 'string' ? raw.modelNm : '',
    modelJsonUrl: typeof raw.modelJsonUrl === 'string' ? raw.modelJsonUrl : '',
    deviceType: Number.isFinite(type) ? type : 0,
    deviceTypeName: name,
    raw,
  };
}

