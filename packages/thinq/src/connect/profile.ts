import { MalformedResponseError } from '../errors.js';
import { ControlValidationError } from './errors.js';

/** A property specification of a Connect device profile. */
export interface PropertySpec {
  type: 'enum' | 'range' | 'number' | 'boolean' | 'string' | 'list';
  mode: ('r' | 'w')[];
  unit?: string;
  value?: { r?: unknown; w?: unknown };
}

/** A range constraint (`value.r` / `value.w` of a `range` property). */
export interface RangeSpec {
  min: number;
  max: number;
  step: number;
  except: number[];
}

/** A resource: properties by name; a bare string is a fixed read-only value. */
export type ResourceSpec = Record<string, PropertySpec | string>;

/** Resources of one location; list resources (e.g. `temperatureInUnits`) hold one entry per unit. */
export type ResourceMap = Record<string, ResourceSpec | ResourceSpec[]>;

/** A Connect control payload: `{resource: {property: value}}` (plus `location` for multi-location devices). */
export type ControlPayload = Record<string, Record<string, unknown>>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES = new Set(['enum', 'range', 'number', 'boolean', 'string', 'list']);

function checkSpec(where: string, spec: unknown, raw: unknown): PropertySpec | string {
  if (typeof spec === 'string') return spec;
  if (!isRecord(spec) || typeof spec.type !== 'string' || !TYPES.has(spec.type)) {
    throw new MalformedResponseError(`profile: ${where} has no valid type`, raw);
  }
  if (!Array.isArray(spec.mode) || !spec.mode.every((m) => m === 'r' || m === 'w')) {
    throw new MalformedResponseError(`profile: ${where} has no valid mode`, raw);
  }
  return spec as unknown as PropertySpec;
}

function checkResources(where: string, obj: Record<string, unknown>, raw: unknown): ResourceMap {
  const out: ResourceMap = {};
  for (const [name, resource] of Object.entries(obj)) {
    if (name === 'location') continue;
    if (Array.isArray(resource)) {
      out[name] = resource.map((entry, i) => {
        if (!isRecord(entry)) throw new MalformedResponseError(`profile: ${where}${name}[${i}] is not an object`, raw);
        const r: ResourceSpec = {};
        for (const [p, s] of Object.entries(entry)) r[p] = checkSpec(`${where}${name}[${i}].${p}`, s, raw);
        return r;
      });
    } else if (isRecord(resource)) {
      const r: ResourceSpec = {};
      for (const [p, s] of Object.entries(resource)) r[p] = checkSpec(`${where}${name}.${p}`, s, raw);
      out[name] = r;
    } else {
      throw new MalformedResponseError(`profile: ${where}${name} is not an object`, raw);
    }
  }
  return out;
}

function rangeOf(v: unknown): RangeSpec | undefined {
  if (!isRecord(v) || typeof v.min !== 'number' || typeof v.max !== 'number') return undefined;
  const step = typeof v.step === 'number' && v.step > 0 ? v.step : 1;
  const except = Array.isArray(v.except) ? v.except.filter((x): x is number => typeof x === 'number') : [];
  return { min: v.min, max: v.max, step, except };
}

/** Whether `v` lies on the step grid starting at `min` (tolerating binary floating-point error). */
function onStep(v: number, min: number, step: number): boolean {
  const k = (v - min) / step;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

/** How a device names its parts in states and control payloads. */
export type LocationStyle =
  /** One part: `{resource: {property: value}}`. */
  | 'none'
  /** A list of per-location objects (`location.locationName`: MAIN, UPPER, LOWER…); payloads carry `location`. */
  | 'list'
  /** Sub-devices keyed by unit (a WashTower's `washer` / `dryer`); payloads are `{unit: {resource: {…}}}`. */
  | 'unit';

/** Top-level profile members that are not sub-device units. */
const PROFILE_META = new Set(['notification', 'error', 'property', 'extensionProperty']);

const pushCodesOf = (v: unknown): string[] =>
  isRecord(v) && isRecord(v.notification) && Array.isArray(v.notification.push) ? v.notification.push.filter((p): p is string => typeof p === 'string') : [];

/**
 * A parsed ThinQ Connect device profile (`GET devices/{id}/profile`): readable and writable properties,
 * per location or per unit for devices with sub-units, and local validation of control payloads.
 */
export class DeviceProfile {
  readonly raw: unknown;
  /** Push notification codes the device can send (every unit's, for a WashTower). */
  readonly pushCodes: string[];
  /** Possible error codes, if the profile lists them. */
  readonly errors: string[];
  /** How the device names its parts: see `LocationStyle`. */
  readonly locationStyle: LocationStyle;
  readonly #locations: Map<string | undefined, ResourceMap>;

  constructor(raw: unknown) {
    if (!isRecord(raw)) throw new MalformedResponseError('profile must be an object', raw);
    this.raw = raw;
    this.errors = Array.isArray(raw.error) ? raw.error.filter((p): p is string => typeof p === 'string') : [];
    this.#locations = new Map();
    const property = raw.property;
    const units = Object.keys(raw).filter((k) => {
      const sub = raw[k];
      return !PROFILE_META.has(k) && isRecord(sub) && 'property' in sub;
    });
    const codes = [...pushCodesOf(raw)];
    if (Array.isArray(property)) {
      this.locationStyle = 'list';
      for (const [i, entry] of property.entries()) {
        if (!isRecord(entry)) throw new MalformedResponseError(`profile: property[${i}] is not an object`, raw);
        const loc = isRecord(entry.location) && typeof entry.location.locationName === 'string' ? entry.location.locationName : undefined;
        if (loc === undefined) throw new MalformedResponseError(`profile: property[${i}] has no location.locationName`, raw);
        this.#locations.set(loc, checkResources(`${loc}.`, entry, raw));
      }
    } else if (isRecord(property)) {
      this.locationStyle = 'none';
      this.#locations.set(undefined, checkResources('', property, raw));
    } else if (units.length > 0) {
      // A WashTower: `{washer: {property, notification}, dryer: {…}}` (LG's pythinqconnect washtower.py).
      this.locationStyle = 'unit';
      for (const unit of units) {
        const sub = raw[unit] as Record<string, unknown>;
        const p: unknown = Array.isArray(sub.property) && sub.property.length === 1 ? (sub.property as unknown[])[0] : sub.property;
        if (!isRecord(p)) throw new MalformedResponseError(`profile: ${unit}.property is not an object`, raw);
        this.#locations.set(unit, checkResources(`${unit}.`, p, raw));
        codes.push(...pushCodesOf(sub));
      }
    } else {
      throw new MalformedResponseError('profile has no property object or list, and no units', raw);
    }
    this.pushCodes = [...new Set(codes)];
  }

  /** Location or unit names (`MAIN`, `UPPER`, `washer`…) for devices with parts, else `[]`. */
  get locations(): string[] {
    return [...this.#locations.keys()].filter((k): k is string => k !== undefined);
  }

  /** The resources of `location` (omit for single-location profiles; optional when there is only one location). */
  resources(location?: string): ResourceMap {
    if (location === undefined && this.#locations.has(undefined)) return this.#locations.get(undefined) as ResourceMap;
    if (location === undefined && this.#locations.size === 1) return [...this.#locations.values()][0] as ResourceMap;
    if (location === undefined) throw new RangeError(`location: this profile has locations ${this.locations.join(', ')}; name one`);
    const r = this.#locations.get(location);
    if (r === undefined) throw new RangeError(`location: no location '${location}' in this profile`);
    return r;
  }

  /**
   * The control payload for `body` (`{resource: {property: value}}`) sent to `location`, in the shape the
   * device expects: unchanged, with `location.locationName`, or keyed by unit. A location the device does
   * not have (or a missing one where it has several) is a `ControlValidationError` naming `location`.
   */
  controlPayload(body: ControlPayload, location?: string): ControlPayload {
    if (!isRecord(body)) throw new TypeError('body must be an object of resources');
    if (location !== undefined && typeof location !== 'string') throw new TypeError('location must be a string');
    const names = this.locations;
    if (this.locationStyle === 'none') {
      if (location !== undefined) throw new ControlValidationError('location', `this device has no locations (asked for '${location}')`);
      return body;
    }
    const chosen = location ?? (names.length === 1 ? names[0] : undefined);
    if (chosen === undefined) throw new ControlValidationError('location', `this device has locations ${names.join(', ')}; name one`);
    if (!names.includes(chosen)) throw new ControlValidationError('location', `no location '${chosen}'; this device has ${names.join(', ')}`);
    return this.locationStyle === 'unit' ? { [chosen]: body } : { location: { locationName: chosen }, ...body };
  }

  /** `resource.property` names that are readable (`r` in mode, or a fixed string). */
  readableProperties(location?: string): string[] {
    return this.#list(location, (s) => typeof s === 'string' || s.mode.includes('r'));
  }

  /** `resource.property` names that are writable. */
  writableProperties(location?: string): string[] {
    return this.#list(location, (s) => typeof s !== 'string' && s.mode.includes('w'));
  }

  #list(location: string | undefined, keep: (s: PropertySpec | string) => boolean): string[] {
    const out = new Set<string>();
    for (const [name, res] of Object.entries(this.resources(location))) {
      for (const entry of Array.isArray(res) ? res : [res]) {
        for (const [p, s] of Object.entries(entry)) if (keep(s)) out.add(`${name}.${p}`);
      }
    }
    return [...out];
  }

  /**
   * Checks a control payload against the profile; throws `ControlValidationError` naming the first
   * offending `resource.property` (not writable, unknown, wrong type, enum value not allowed, range
   * min/max/step/except). Nothing is sent when this throws.
   */
  validateControl(payload: unknown): void {
    if (!isRecord(payload) || Object.keys(payload).length === 0) throw new TypeError('payload must be a non-empty object of resources');
    const names = this.locations;
    if (this.locationStyle === 'unit') {
      const keys = Object.keys(payload);
      const unknown = keys.find((k) => !names.includes(k));
      if (unknown !== undefined) {
        // `{oven: {operation: {…}}}` names a wrong unit; `{operation: {…}}` names none.
        const value = payload[unknown];
        const keyed = keys.some((k) => names.includes(k)) || (isRecord(value) && Object.values(value).every(isRecord));
        if (keyed) throw new ControlValidationError(unknown, `no such unit; this device has ${names.join(', ')}`);
        throw new ControlValidationError('location', `this device has units ${names.join(', ')}; key the payload by one of them`);
      }
      for (const unit of keys) {
        const body = payload[unit];
        if (!isRecord(body)) throw new TypeError(`payload.${unit} must be an object of resources`);
        this.#validateBody(body, this.resources(unit), `${unit}.`);
      }
      return;
    }
    let location: string | undefined;
    if (payload.location !== undefined) {
      const loc = payload.location;
      if (!isRecord(loc) || typeof loc.locationName !== 'string') throw new TypeError('payload.location must be {locationName: string}');
      location = loc.locationName;
    }
    if (this.locationStyle === 'list' && location === undefined && names.length > 1) {
      throw new ControlValidationError('location', `this device has locations ${names.join(', ')}; name one in location.locationName`);
    }
    if (location !== undefined && !names.includes(location)) {
      throw new ControlValidationError('location', names.length === 0 ? `this device has no locations (got '${location}')` : `no location '${location}'; this device has ${names.join(', ')}`);
    }
    const { location: _location, ...body } = payload;
    this.#validateBody(body, this.resources(location), '');
  }

  #validateBody(payload: Record<string, unknown>, resources: ResourceMap, prefix: string): void {
    let properties = 0;
    for (const [name, body] of Object.entries(payload)) {
      if (!isRecord(body)) throw new TypeError(`payload.${prefix}${name} must be an object of properties`);
      const spec = resources[name];
      if (spec === undefined) throw new ControlValidationError(`${prefix}${name}`, 'the device has no such resource');
      let entry: ResourceSpec;
      if (Array.isArray(spec)) {
        // List resources: pick the entry whose fixed keys (`unit`, `locationName`) match the payload.
        const match = spec.find((e) => Object.entries(e).every(([k, s]) => typeof s !== 'string' || body[k] === s));
        if (match === undefined) throw new ControlValidationError(`${prefix}${name}`, 'no entry of this list resource matches the payload (name its unit or locationName)');
        entry = match;
      } else {
        entry = spec;
      }
      for (const [prop, value] of Object.entries(body)) {
        const s = entry[prop];
        if (typeof s === 'string' && Array.isArray(spec)) continue; // selector key of a list resource
        properties += 1;
        this.#check(`${prefix}${name}.${prop}`, s, value);
      }
    }
    if (properties === 0) throw new TypeError('payload must set at least one property');
  }

  #check(path: string, spec: PropertySpec | string | undefined, value: unknown): void {
    if (spec === undefined) throw new ControlValidationError(path, 'the device has no such property');
    if (typeof spec === 'string' || !spec.mode.includes('w')) throw new ControlValidationError(path, 'the property is not writable');
    const allowed = spec.value?.w;
    switch (spec.type) {
      case 'enum':
      case 'list':
        if (Array.isArray(allowed) && !allowed.includes(value)) {
          throw new ControlValidationError(path, `${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}`);
        }
        if (typeof value !== 'string' && !Array.isArray(allowed)) throw new ControlValidationError(path, 'expected a string');
        return;
      case 'boolean':
        if (typeof value !== 'boolean') throw new ControlValidationError(path, 'expected a boolean');
        if (Array.isArray(allowed) && !allowed.includes(value)) throw new ControlValidationError(path, `${String(value)} is not allowed`);
        return;
      case 'string':
        if (typeof value !== 'string') throw new ControlValidationError(path, 'expected a string');
        return;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new ControlValidationError(path, 'expected a finite number');
        return;
      case 'range': {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new ControlValidationError(path, 'expected a finite number');
        const r = rangeOf(allowed);
        if (r === undefined) return;
        if (value < r.min || value > r.max) throw new ControlValidationError(path, `${value} is outside ${r.min}..${r.max}`);
        if (!onStep(value, r.min, r.step)) throw new ControlValidationError(path, `${value} is not on the step ${r.step} from ${r.min}`);
        if (r.except.includes(value)) throw new ControlValidationError(path, `${value} is excluded`);
        return;
      }
    }
  }
}

/** A Connect state: resources for one location, one object per location, or (WashTower) one object per unit. */
export type DeviceState = Record<string, unknown> | Record<string, unknown>[];

/** The state of `location` (`location.locationName` in a list, or a unit key such as `washer`). */
export function stateOfLocation(state: DeviceState, location?: string): Record<string, unknown> | undefined {
  if (!Array.isArray(state)) {
    if (location === undefined) return state;
    const unit = state[location];
    return isRecord(unit) ? unit : undefined;
  }
  if (location === undefined) return state.length === 1 ? state[0] : undefined;
  return state.find((s) => isRecord(s.location) && s.location.locationName === location);
}
