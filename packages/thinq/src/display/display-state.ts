/**
 * A device's whole state as lines a person reads: `{property, location?, label, value, unit, raw}` per
 * value, for ThinQ Connect states (with or without the profile; per-location lists and WashTower
 * units included) and for decoded v1 monitor frames (worded through the model JSON).
 */
import { DeviceProfile, type DeviceState } from '../connect/profile.js';
import { ModelInfo, type MonitorData } from '../model.js';
import { displayProperty, displayValue, type DisplayOptions } from './display.js';
import { v1DisplayItems } from './v1-state.js';

/** One readable value of a device's state. */
export interface DisplayItem {
  /** Where the value is: Connect `resource.property` (`temperature.targetTemperature`), a v1 field (`TempCfg`, a bit field `Option1.ChildLock`). */
  property: string;
  /** The location, unit or compartment (`washer`, `UPPER`, `FRIDGE`) of a multi-part device; absent otherwise. */
  location?: string;
  /** The property in words, location first: `Washer status`, `Fridge target temperature (°C)`. */
  label: string;
  /** The value in words, ready to show (a number keeps its unit: `22 °C`, `Cool`, `On`). */
  value: string;
  /** The unit of a number (`C`, `F`, or what the state names), else null; for charts, the raw value is in `raw`. */
  unit: string | null;
  /** The value as the device reported it. */
  raw: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
const TEMPERATURE_UNIT = /Temperature([CF])$/;

function item(property: string, raw: string | number | boolean, location: string | undefined, unit: string | null, options: DisplayOptions): DisplayItem {
  const label = displayProperty(property, { ...options, ...(location === undefined ? {} : { location }) });
  let value = displayValue(raw, { ...options, property, ...(unit === null ? {} : { unit }) });
  if (typeof raw === 'number' && unit !== null && unit !== 'C' && unit !== 'F') value = `${value} ${unit}`;
  return { property, ...(location === undefined ? {} : { location }), label, value, unit, raw };
}

/**
 * The items of one location's `{resource: {property: value}}`. A list resource (`temperatureInUnits`,
 * `doorStatus`) gives items per entry, its `locationName` as the location; a `unit` property is the
 * unit of its entry's numbers (not an item), a `…TemperatureC`/`F` name its own.
 */
function connectItems(body: Record<string, unknown>, location: string | undefined, options: DisplayOptions, out: DisplayItem[]): void {
  for (const [resource, content] of Object.entries(body)) {
    if (resource === 'location') continue;
    if (isScalar(content)) {
      out.push(item(resource, content, location, null, options));
      continue;
    }
    for (const entry of Array.isArray(content) ? content : [content]) {
      if (!isRecord(entry)) continue;
      const part = typeof entry.locationName === 'string' ? entry.locationName : location;
      const unit = typeof entry.unit === 'string' ? entry.unit : null;
      for (const [name, raw] of Object.entries(entry)) {
        if (name === 'unit' || name === 'locationName' || !isScalar(raw)) continue;
        const own = TEMPERATURE_UNIT.exec(name)?.[1] ?? (typeof raw === 'number' ? unit : null);
        out.push(item(`${resource}.${name}`, raw, part, own, options));
      }
    }
  }
}

/** A WashTower's units: the profile's, or (without one) the keys whose values are objects of resources. */
function unitNames(state: Record<string, unknown>, profile: DeviceProfile | undefined): Set<string> {
  if (profile !== undefined) return new Set(profile.locationStyle === 'unit' ? profile.locations : []);
  const isUnit = (v: unknown) => isRecord(v) && Object.keys(v).length > 0 && Object.values(v).every((r) => isRecord(r) || Array.isArray(r));
  return new Set(Object.keys(state).filter((k) => isUnit(state[k])));
}

function connectState(state: DeviceState, profile: DeviceProfile | undefined, options: DisplayOptions): DisplayItem[] {
  const out: DisplayItem[] = [];
  if (Array.isArray(state)) {
    for (const entry of state) {
      if (!isRecord(entry)) continue;
      const location = isRecord(entry.location) && typeof entry.location.locationName === 'string' ? entry.location.locationName : undefined;
      connectItems(entry, location, options, out);
    }
    return out;
  }
  const units = unitNames(state, profile);
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (units.has(key) && isRecord(value)) connectItems(value, key, options, out);
    else shared[key] = value;
  }
  connectItems(shared, undefined, options, out);
  return out;
}

/**
 * A device's state as display items, in the state's order:
 * - ThinQ Connect: `displayState(await client.state(id), profile?)` — `{resource: {property}}`, a
 *   per-location list, or a WashTower's `{washer, dryer}` (told by the profile, else by its shape);
 * - ThinQ v1: `displayState(frame.data, model)` — a decoded monitor frame and its `ModelInfo`.
 * `options.words` (a lang pack, or the app's words) wins over the built-in tables. Non-scalar values
 * that are not resources are left out; the raw value of each item is kept in `raw`.
 */
export function displayState(state: DeviceState | MonitorData, source?: DeviceProfile | ModelInfo, options: DisplayOptions = {}): DisplayItem[] {
  if (source !== undefined && !(source instanceof DeviceProfile) && !(source instanceof ModelInfo)) {
    throw new TypeError('source must be a DeviceProfile, a ModelInfo or undefined');
  }
  if (!isRecord(options)) throw new TypeError('options must be an object');
  if (source instanceof ModelInfo) {
    if (!isRecord(state)) throw new TypeError('state must be a decoded v1 monitor frame (an object)');
    return v1DisplayItems(state, source, options);
  }
  if (!isRecord(state) && !Array.isArray(state)) throw new TypeError('state must be an object or a list of per-location objects');
  return connectState(state, source, options);
}
