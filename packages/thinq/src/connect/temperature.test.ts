import { describe, expect, it } from 'vitest';
import { isControlValidationError } from '../errors.js';
import { DeviceProfile } from './profile.js';
import { readTemperature, temperaturePayload } from './temperature.js';
import { defaultConnectDevices } from '../testing/connect-devices.js';
import { fixtureJson } from '../fixtures.test-helper.js';

const device = (id: string) => {
  const d = defaultConnectDevices().find((x) => x.deviceId === id);
  if (!d) throw new Error(id);
  return d;
};

describe('unit-aware temperatures', () => {
  it('reads an AC through temperatureInUnits in either unit, and falls back to temperature', () => {
    const ac = device('sim-conn-ac-0001');
    expect(readTemperature(ac.state, 'C')).toBe(24);
    expect(readTemperature(ac.state, 'F')).toBe(75);
    expect(readTemperature(ac.state, 'F', { kind: 'current' })).toBe(81);
    const plain = fixtureJson('connect/air_conditioner/status.json') as Record<string, unknown>;
    expect(readTemperature(plain, 'C')).toBe(19);
    expect(readTemperature(plain, 'F')).toBe(66);
    expect(readTemperature({ temperature: { targetTemperature: 70, unit: 'F' } }, 'C')).toBe(21);
    expect(readTemperature(plain, 'C', { kind: 'heatTarget' })).toBeUndefined();
    expect(() => readTemperature(plain, 'K' as 'C')).toThrow(new TypeError("unit must be 'C' or 'F'"));
  });

  it('reads a refrigerator compartment', () => {
    const fridge = device('sim-conn-fridge-0002');
    expect(readTemperature(fridge.state, 'F', { compartment: 'FREEZER' })).toBe(0);
    expect(readTemperature(fridge.state, 'C', { compartment: 'FRIDGE' })).toBe(3);
    expect(readTemperature(fridge.state, 'C', { compartment: 'PANTRY' })).toBeUndefined();
  });

  it('builds validated payloads the way LG SDK sets them', () => {
    const ac = new DeviceProfile(device('sim-conn-ac-0001').profile);
    expect(temperaturePayload(ac, 72, 'F')).toEqual({ temperatureInUnits: { unit: 'F', targetTemperature: 72 } });
    expect(temperaturePayload(ac, 22.5, 'C')).toEqual({ temperatureInUnits: { unit: 'C', targetTemperature: 22.5 } });
    expect(() => temperaturePayload(ac, 90, 'F')).toThrow('temperatureInUnits.targetTemperature: 90 is outside 60..86');
    const fridge = new DeviceProfile(device('sim-conn-fridge-0002').profile);
    expect(temperaturePayload(fridge, -20, 'C', { compartment: 'FREEZER' })).toEqual({ temperatureInUnits: { locationName: 'FREEZER', targetTemperatureC: -20 } });
    const haAc = new DeviceProfile(fixtureJson('connect/air_conditioner/profile.json'));
    // The HA fixture only writes coolTargetTemperature per unit, and targetTemperature through `temperature` (°C).
    expect(temperaturePayload(haAc, 66, 'F', { kind: 'coolTarget' })).toEqual({ temperatureInUnits: { unit: 'F', coolTargetTemperature: 66 } });
    expect(temperaturePayload(haAc, 20, 'C')).toEqual({ temperature: { targetTemperature: 20 } });
    expect(() => temperaturePayload(haAc, 68, 'F')).toThrow('temperatureInUnits.targetTemperature: the device cannot set this temperature in °F');
    expect(() => temperaturePayload(haAc, Number.NaN, 'C')).toThrow(new TypeError('value must be a finite number'));
  });

  it('refuses a location the device does not have with a ControlValidationError naming `location`, as control() does', () => {
    const ac = new DeviceProfile(device('sim-conn-ac-0001').profile);
    // The refrigerator's compartments are `compartment`s of temperatureInUnits, not locations.
    const fridge = new DeviceProfile(device('sim-conn-fridge-0002').profile);
    const oven = new DeviceProfile(fixtureJson('connect/oven/profile.json'));
    const tower = new DeviceProfile(device('sim-conn-washtower-0001').profile);
    const cases: [DeviceProfile, string, string][] = [
      [ac, 'MAIN', "location: this device has no locations (asked for 'MAIN')"],
      [fridge, 'FREEZER', "location: this device has no locations (asked for 'FREEZER')"],
      [oven, 'MIDDLE', "location: no location 'MIDDLE'; this device has UPPER, LOWER"],
      [tower, 'oven', "location: no location 'oven'; this device has washer, dryer"],
    ];
    for (const [profile, location, message] of cases) {
      const error = (() => {
        try {
          temperaturePayload(profile, 20, 'C', { location });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isControlValidationError(error), location).toBe(true);
      expect([(error as { property: string }).property, (error as Error).message]).toEqual(['location', message]);
    }
  });
});
