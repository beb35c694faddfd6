/**
 * Unit-aware temperatures: read and set in °C or °F through `temperatureInUnits` the way LG's SDK
 * does (an AC entry per `unit` with `targetTemperature`; a refrigerator entry per `locationName` with
 * `targetTemperatureC` / `targetTemperatureF`), falling back to the plain `temperature` resource.
 */
import { ControlValidationError } from './errors.js';
import { stateOfLocation, type ControlPayload, type DeviceProfile, type DeviceState, type ResourceSpec } from './profile.js';

/** Degrees Celsius (`C`) or Fahrenheit (`F`). */
export type TemperatureUnit = 'C' | 'F';

/** Which temperature and where: `compartment` picks a refrigerator's `locationName` (FRIDGE, FREEZER). */
export interface TemperatureOptions {
  /** `target` (default), `current`, `coolTarget`, `heatTarget`. */
  kind?: 'target' | 'current' | 'coolTarget' | 'heatTarget';
  /** A location or unit of the device (`MAIN`, `washer`). */
  location?: string;
  /** A `temperatureInUnits` entry's `locationName`. */
  compartment?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const toF = (c: number): number => Math.round((c * 9) / 5 + 32);
const toC = (f: number): number => Math.round((((f - 32) * 5) / 9) * 2) / 2;

function checkUnit(unit: unknown): asserts unit is TemperatureUnit {
  if (unit !== 'C' && unit !== 'F') throw new TypeError("unit must be 'C' or 'F'");
}

/** A temperature of a state in `unit`: from `temperatureInUnits`, else `temperature` (converted when its unit differs). */
export function readTemperature(state: DeviceState, unit: TemperatureUnit, options: TemperatureOptions = {}): number | undefined {
  checkUnit(unit);
  const s = stateOfLocation(state, options.location);
  if (s === undefined) return undefined;
  const name = `${options.kind ?? 'target'}Temperature`;
  const list = Array.isArray(s.temperatureInUnits) ? s.temperatureInUnits.filter(isRecord) : [];
  for (const e of list) {
    if (options.compartment !== undefined && e.locationName !== options.compartment) continue;
    if (e.unit === unit && typeof e[name] === 'number') return e[name];
    if (typeof e[`${name}${unit}`] === 'number') return e[`${name}${unit}`] as number;
  }
  const plain = s.temperature;
  if (options.compartment !== undefined || !isRecord(plain) || typeof plain[name] !== 'number') return undefined;
  const value = plain[name];
  const from = plain.unit === 'F' ? 'F' : 'C';
  return from === unit ? value : unit === 'F' ? toF(value) : toC(value);
}

const writable = (spec: ResourceSpec, prop: string): boolean => {
  const s = spec[prop];
  return typeof s === 'object' && s.mode.includes('w');
};

/**
 * The control payload that sets a temperature in `unit`, validated against the profile (a
 * `ControlValidationError` when the device cannot take it in that unit or the value is out of range).
 */
export function temperaturePayload(profile: DeviceProfile, value: number, unit: TemperatureUnit, options: TemperatureOptions = {}): ControlPayload {
  checkUnit(unit);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError('value must be a finite number');
  const name = `${options.kind ?? 'target'}Temperature`;
  // A location the device does not have is the caller's mistake, worded as control() words it.
  if (options.location !== undefined) profile.controlPayload({}, options.location);
  const resources = profile.resources(profile.locationStyle === 'none' ? undefined : (options.location ?? profile.locations[0]));
  const list = resources.temperatureInUnits;
  let body: ControlPayload | undefined;
  for (const e of Array.isArray(list) ? list : []) {
    if (options.compartment !== undefined && e.locationName !== options.compartment) continue;
    if (e.unit === unit && writable(e, name)) body = { temperatureInUnits: { unit, [name]: value } };
    else if (typeof e.locationName === 'string' && writable(e, `${name}${unit}`)) body = { temperatureInUnits: { locationName: e.locationName, [`${name}${unit}`]: value } };
    if (body !== undefined) break;
  }
  const plain = resources.temperature;
  if (body === undefined && unit === 'C' && options.compartment === undefined && plain !== undefined && !Array.isArray(plain) && writable(plain, name)) {
    body = { temperature: { [name]: value } };
  }
  if (body === undefined) throw new ControlValidationError(`temperatureInUnits.${name}`, `the device cannot set this temperature in °${unit}`);
  const payload = profile.locationStyle === 'none' ? body : profile.controlPayload(body, options.location);
  profile.validateControl(payload);
  return payload;
}
