import { describe, expect, it } from 'vitest';
import { DeviceProfile, stateOfLocation, type DeviceState } from './profile.js';
import { mergeState } from './merge-state.js';
import { connectBaseUrl, connectCountries, connectRegionOf } from './region.js';
import { connectError } from './errors.js';
import { isControlValidationError, isRateLimitedError } from '../errors.js';
import { fixtureJson } from '../fixtures.test-helper.js';

// Fixtures: home-assistant/core tests/components/lg_thinq/fixtures/ (Apache-2.0), copied to
// /work/shared/fixtures/thinq/connect/.
const acProfile = new DeviceProfile(fixtureJson('connect/air_conditioner/profile.json'));
const washerProfile = new DeviceProfile(fixtureJson('connect/washer/profile.json'));
const ovenProfile = new DeviceProfile(fixtureJson('connect/oven/profile.json'));

function rejection(fn: () => void): { name: string; property?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { name: string; property?: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('Connect profiles (fixtures)', () => {
  it('parses the three fixture profiles', () => {
    expect(acProfile.locations).toEqual([]);
    expect(acProfile.pushCodes).toEqual(['WATER_IS_FULL']);
    expect(acProfile.writableProperties()).toEqual([
      'airConJobMode.currentJobMode', 'airFlow.windStrength', 'airQualitySensor.monitoringEnabled', 'operation.airCleanOperationMode',
      'operation.airConOperationMode', 'powerSave.powerSaveEnabled', 'temperature.coolTargetTemperature', 'temperature.targetTemperature',
      'temperatureInUnits.coolTargetTemperature', 'timer.relativeHourToStart', 'timer.relativeHourToStop', 'timer.relativeMinuteToStart',
      'timer.relativeMinuteToStop', 'timer.absoluteHourToStart', 'timer.absoluteMinuteToStart', 'windDirection.rotateUpDown',
      'windDirection.rotateLeftRight',
    ]);
    expect(washerProfile.locations).toEqual(['MAIN']);
    expect(washerProfile.pushCodes).toEqual(['WASHING_IS_COMPLETE', 'ERROR_DURING_WASHING']);
    expect(washerProfile.readableProperties()).toContain('detergent.detergentSetting');
    expect(washerProfile.writableProperties('MAIN')).toEqual(['operation.washerOperationMode', 'timer.relativeHourToStart']);
    expect(ovenProfile.locations).toEqual(['UPPER', 'LOWER']);
    expect(ovenProfile.writableProperties('LOWER')).toEqual([]);
    expect(() => ovenProfile.resources()).toThrow(RangeError);
    expect(() => ovenProfile.resources('MIDDLE')).toThrow(RangeError);
  });

  it('accepts valid controls', () => {
    acProfile.validateControl({ temperature: { targetTemperature: 22 } });
    acProfile.validateControl({ airConJobMode: { currentJobMode: 'AIR_DRY' }, airFlow: { windStrength: 'HIGH' } });
    acProfile.validateControl({ powerSave: { powerSaveEnabled: true } });
    acProfile.validateControl({ temperatureInUnits: { coolTargetTemperature: 64, unit: 'F' } });
    acProfile.validateControl({ timer: { relativeHourToStart: 3 } });
    washerProfile.validateControl({ operation: { washerOperationMode: 'START' } });
    washerProfile.validateControl({ location: { locationName: 'MAIN' }, timer: { relativeHourToStart: 19 } });
  });

  it('rejects controls outside a range, off the step, not writable or not in the enum', () => {
    expect(rejection(() => acProfile.validateControl({ temperature: { targetTemperature: 31 } }))).toMatchObject({
      name: 'ControlValidationError',
      property: 'temperature.targetTemperature',
      message: 'temperature.targetTemperature: 31 is outside 18..30',
    });
    expect(rejection(() => acProfile.validateControl({ temperatureInUnits: { coolTargetTemperature: 65, unit: 'F' } })).message).toBe(
      'temperatureInUnits.coolTargetTemperature: 65 is not on the step 2 from 64',
    );
    expect(rejection(() => acProfile.validateControl({ temperature: { targetTemperature: 22.5 } })).message).toMatch(/step 1/);
    expect(rejection(() => acProfile.validateControl({ temperature: { currentTemperature: 20 } })).message).toBe(
      'temperature.currentTemperature: the property is not writable',
    );
    expect(rejection(() => acProfile.validateControl({ airFlow: { windStrength: 'TURBO' } })).message).toBe(
      'airFlow.windStrength: "TURBO" is not one of ["LOW","HIGH","MID"]',
    );
    expect(rejection(() => acProfile.validateControl({ powerSave: { powerSaveEnabled: 'yes' } })).message).toMatch(/boolean/);
    expect(rejection(() => acProfile.validateControl({ fan: { speed: 1 } })).message).toBe('fan: the device has no such resource');
    expect(rejection(() => acProfile.validateControl({ airFlow: { direction: 1 } })).message).toMatch(/no such property/);
    expect(rejection(() => acProfile.validateControl({ temperatureInUnits: { coolTargetTemperature: 64, unit: 'K' } })).message).toMatch(
      /no entry/,
    );
    expect(rejection(() => washerProfile.validateControl({ timer: { relativeHourToStart: 0 } })).message).toMatch(/outside 1..19/);
    expect(rejection(() => washerProfile.validateControl({ runState: { currentState: 'RUNNING' } })).message).toMatch(/not writable/);
    expect(isControlValidationError(rejection(() => acProfile.validateControl({ timer: { relativeHourToStart: 'x' } })))).toBe(true);
    expect(() => acProfile.validateControl({})).toThrow(TypeError);
    expect(() => acProfile.validateControl({ airFlow: 3 })).toThrow(TypeError);
    expect(() => acProfile.validateControl({ location: 'x', airFlow: {} })).toThrow(TypeError);
  });

  it('honours except lists', () => {
    const p = new DeviceProfile({ property: { t: { v: { type: 'range', mode: ['w'], value: { w: { min: 0, max: 10, step: 0.5, except: [5] } } } } } });
    p.validateControl({ t: { v: 4.5 } });
    expect(() => p.validateControl({ t: { v: 5 } })).toThrow('t.v: 5 is excluded');
  });

  it('rejects malformed profiles', () => {
    expect(() => new DeviceProfile(null)).toThrow(/must be an object/);
    expect(() => new DeviceProfile({})).toThrow(/no property/);
    expect(() => new DeviceProfile({ property: { a: { b: { type: 'weird', mode: ['r'] } } } })).toThrow(/a.b has no valid type/);
    expect(() => new DeviceProfile({ property: { a: { b: { type: 'enum', mode: ['x'] } } } })).toThrow(/no valid mode/);
    expect(() => new DeviceProfile({ property: [{ a: {} }] })).toThrow(/locationName/);
    expect(() => new DeviceProfile({ property: { a: 1 } })).toThrow(/not an object/);
  });
});

describe('Connect states', () => {
  it('reads per-location states and merges reports', () => {
    const oven = fixtureJson('connect/oven/status.json') as DeviceState;
    expect(stateOfLocation(oven, 'LOWER')).toMatchObject({ runState: { currentState: 'COOKING_IN_PROGRESS' } });
    expect(stateOfLocation(oven)).toBeUndefined();
    const merged = mergeState(oven, { location: { locationName: 'UPPER' }, runState: { currentState: 'DONE' } });
    expect(stateOfLocation(merged, 'UPPER')).toMatchObject({ runState: { currentState: 'DONE' }, timer: { remainMinute: 10 } });
    expect(stateOfLocation(merged, 'LOWER')).toMatchObject({ runState: { currentState: 'COOKING_IN_PROGRESS' } });
    const ac = fixtureJson('connect/air_conditioner/status.json') as Record<string, unknown>;
    expect(stateOfLocation(ac)).toBe(ac);
    const next = mergeState(ac, { temperature: { targetTemperature: 22 } });
    expect(next).toMatchObject({ temperature: { currentTemperature: 25, targetTemperature: 22, unit: 'C' } });
    expect(ac).toMatchObject({ temperature: { targetTemperature: 19 } });
    const washer = [fixtureJson('connect/washer/status.json') as Record<string, unknown>];
    expect(stateOfLocation(mergeState(washer, { runState: { currentState: 'RUNNING' } }))).toMatchObject({ runState: { currentState: 'RUNNING' } });
  });
});

describe('Connect regions and errors', () => {
  it('chooses the region from the country', () => {
    expect(connectRegionOf('US')).toBe('aic');
    expect(connectRegionOf('KR')).toBe('kic');
    expect(connectRegionOf('DE')).toBe('eic');
    expect(connectBaseUrl('NZ')).toBe('https://api-kic.lgthinq.com/');
    expect(connectCountries()).toHaveLength(162);
    expect(() => connectRegionOf('AQ')).toThrow(RangeError);
    expect(() => connectRegionOf('us')).toThrow(TypeError);
  });

  it('maps error codes by code', () => {
    const e = connectError({ code: '1306', status: 429, serverMessage: 'Exceeded API calls' });
    expect(isRateLimitedError(e)).toBe(true);
    expect(e.message).toBe('ThinQ Connect error 1306 EXCEEDED_API_CALLS (HTTP 429): Exceeded API calls');
    expect(isRateLimitedError(connectError({ code: '1314', status: 400 }))).toBe(true);
    expect(connectError({ code: '1222', status: 400 }).errorName).toBe('NOT_CONNECTED_DEVICE');
    expect(connectError({ code: '1205', status: 400 }).errorName).toBe('NOT_EXIST_DEVICE');
    expect(connectError({ code: '7777', status: 500 }).errorName).toBe('UNKNOWN_ERROR');
  });
});
