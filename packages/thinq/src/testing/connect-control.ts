/**
 * What a control request changes in a simulated Connect device's state, as the real appliance would
 * report it: laundry operations become run states (the write-only operation itself is not state), and
 * a temperature set in one unit is reported in both (`temperature` and every `temperatureInUnits` entry).
 */
import type { SimConnectDevice } from './connect-devices.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const RUN_STATE_OF: Record<string, string> = { START: 'RUNNING', STOP: 'PAUSE', POWER_OFF: 'POWER_OFF', WAKE_UP: 'INITIAL' };
const LAUNDRY = new Set(['DEVICE_WASHER', 'DEVICE_DRYER', 'DEVICE_WASHTOWER', 'DEVICE_WASHTOWER_WASHER', 'DEVICE_WASHTOWER_DRYER']);

/** °C to °F as LG's devices round it (whole degrees). */
export const toFahrenheit = (c: number): number => Math.round((c * 9) / 5 + 32);
/** °F to °C, to the half degree. */
export const toCelsius = (f: number): number => Math.round((((f - 32) * 5) / 9) * 2) / 2;

/** A laundry unit's body: the write-only `operation` becomes a `runState`. */
function laundryReport(body: Record<string, unknown>): Record<string, unknown> {
  const { operation, ...rest } = body;
  const op = isRecord(operation) ? Object.values(operation).find((v): v is string => typeof v === 'string' && v in RUN_STATE_OF) : undefined;
  return op === undefined ? rest : { ...rest, runState: { currentState: RUN_STATE_OF[op] } };
}

/** An AC target temperature written through `temperature` or `temperatureInUnits`, reported in both. */
function airConReport(d: SimConnectDevice, body: Record<string, unknown>): Record<string, unknown> {
  const state = isRecord(d.state) ? d.state : {};
  const viaUnits = isRecord(body.temperatureInUnits) ? body.temperatureInUnits : undefined;
  const viaPlain = isRecord(body.temperature) ? body.temperature : undefined;
  let celsius: number | undefined;
  if (viaUnits && typeof viaUnits.targetTemperature === 'number') {
    celsius = viaUnits.unit === 'F' ? toCelsius(viaUnits.targetTemperature) : viaUnits.targetTemperature;
  } else if (viaPlain && typeof viaPlain.targetTemperature === 'number') {
    const unit = isRecord(state.temperature) ? state.temperature.unit : 'C';
    celsius = unit === 'F' ? toCelsius(viaPlain.targetTemperature) : viaPlain.targetTemperature;
  }
  const { temperatureInUnits: _u, ...rest } = body;
  if (celsius === undefined) return rest;
  const unit = isRecord(state.temperature) && state.temperature.unit === 'F' ? 'F' : 'C';
  return {
    ...rest,
    temperature: { ...(viaPlain ?? {}), targetTemperature: unit === 'F' ? toFahrenheit(celsius) : celsius },
    temperatureInUnits: [
      { unit: 'C', targetTemperature: celsius },
      { unit: 'F', targetTemperature: toFahrenheit(celsius) },
    ],
  };
}

/** A refrigerator compartment set in °C or °F: the entry reports both. */
function fridgeReport(body: Record<string, unknown>): Record<string, unknown> {
  const t = body.temperatureInUnits;
  if (!isRecord(t) || typeof t.locationName !== 'string') return body;
  const entry: Record<string, unknown> = { locationName: t.locationName };
  if (typeof t.targetTemperatureC === 'number') Object.assign(entry, { targetTemperatureC: t.targetTemperatureC, targetTemperatureF: toFahrenheit(t.targetTemperatureC) });
  if (typeof t.targetTemperatureF === 'number') Object.assign(entry, { targetTemperatureC: Math.round(toCelsius(t.targetTemperatureF)), targetTemperatureF: t.targetTemperatureF });
  return { ...body, temperatureInUnits: [entry] };
}

/** The state report a validated control payload causes (may be empty: nothing readable changed). */
export function controlReport(d: SimConnectDevice, payload: Record<string, unknown>): Record<string, unknown> {
  if (d.deviceType === 'DEVICE_WASHTOWER') {
    const out: Record<string, unknown> = {};
    for (const [unit, body] of Object.entries(payload)) if (isRecord(body)) out[unit] = laundryReport(body);
    return out;
  }
  if (LAUNDRY.has(d.deviceType)) return laundryReport(payload);
  if (d.deviceType === 'DEVICE_AIR_CONDITIONER') return airConReport(d, payload);
  if (d.deviceType === 'DEVICE_REFRIGERATOR') return fridgeReport(payload);
  return payload;
}

/** Whether a report changes anything besides naming its location. */
export function reportsSomething(rep: Record<string, unknown>): boolean {
  return Object.entries(rep).some(([k, v]) => k !== 'location' && (!isRecord(v) || Object.keys(v).length > 0));
}
