import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient } from './client.js';
import { DeviceProfile, stateOfLocation } from './profile.js';
import { mergeState, type DeviceState } from './merge-state.js';
import { locationFridge, washTower } from '../testing/connect-multi-devices.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';
import { fixtureJson } from '../fixtures.test-helper.js';

function rejection(fn: () => void): { name: string; property?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { name: string; property?: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('WashTower profiles (keyed by unit)', () => {
  const tower = new DeviceProfile(washTower().profile);

  it('parses both units, their push codes and properties', () => {
    expect(tower.locations).toEqual(['washer', 'dryer']);
    expect(tower.locationStyle).toBe('unit');
    expect(tower.pushCodes).toEqual(['WASHING_IS_COMPLETE', 'ERROR_DURING_WASHING', 'DRYING_IS_COMPLETE', 'DRYING_FAILED']);
    expect(tower.writableProperties('washer')).toEqual(['operation.washerOperationMode', 'timer.relativeHourToStop']);
    expect(tower.writableProperties('dryer')).toEqual(['operation.dryerOperationMode', 'timer.relativeHourToStop']);
    expect(() => tower.resources()).toThrow('location: this profile has locations washer, dryer; name one');
  });

  it('validates payloads keyed by unit, with typed errors for a missing or unknown unit', () => {
    expect(() => tower.validateControl({ washer: { operation: { washerOperationMode: 'START' } } })).not.toThrow();
    expect(() => tower.validateControl({ dryer: { timer: { relativeHourToStop: 5 } } })).not.toThrow();
    expect(rejection(() => tower.validateControl({ operation: { washerOperationMode: 'START' } }))).toMatchObject({
      name: 'ControlValidationError',
      property: 'location',
      message: 'location: this device has units washer, dryer; key the payload by one of them',
    });
    expect(rejection(() => tower.validateControl({ oven: { operation: { washerOperationMode: 'START' } } }))).toMatchObject({
      name: 'ControlValidationError',
      property: 'oven',
      message: 'oven: no such unit; this device has washer, dryer',
    });
    expect(rejection(() => tower.validateControl({ dryer: { operation: { washerOperationMode: 'START' } } }))).toMatchObject({
      name: 'ControlValidationError',
      property: 'dryer.operation.washerOperationMode',
    });
  });

  it('builds payloads for a location in the shape the device expects', () => {
    const body = { operation: { washerOperationMode: 'START' } };
    expect(tower.controlPayload(body, 'washer')).toEqual({ washer: body });
    const oven = new DeviceProfile(fixtureJson('connect/oven/profile.json'));
    expect(oven.locationStyle).toBe('list');
    expect(oven.controlPayload({ timer: { remainHour: 1 } }, 'UPPER')).toEqual({ location: { locationName: 'UPPER' }, timer: { remainHour: 1 } });
    const ac = new DeviceProfile(fixtureJson('connect/air_conditioner/profile.json'));
    expect(ac.locationStyle).toBe('none');
    expect(ac.controlPayload({ airFlow: { windStrength: 'LOW' } })).toEqual({ airFlow: { windStrength: 'LOW' } });
    expect(rejection(() => tower.controlPayload(body, 'oven'))).toMatchObject({ name: 'ControlValidationError', property: 'location' });
    expect(rejection(() => tower.controlPayload(body))).toMatchObject({ name: 'ControlValidationError', property: 'location' });
    expect(rejection(() => ac.controlPayload(body, 'MAIN'))).toMatchObject({ name: 'ControlValidationError', property: 'location' });
  });

  it('reads a unit of a WashTower state', () => {
    const state = washTower().state;
    expect(stateOfLocation(state, 'dryer')).toEqual(expect.objectContaining({ runState: { currentState: 'INITIAL' } }));
    expect(stateOfLocation(state, 'oven')).toBeUndefined();
  });
});

describe('per-location list profiles: typed errors for the location', () => {
  const oven = new DeviceProfile(fixtureJson('connect/oven/profile.json'));
  it('a missing or unknown location is a ControlValidationError, not a RangeError', () => {
    expect(rejection(() => oven.validateControl({ timer: { remainHour: 1 } }))).toMatchObject({
      name: 'ControlValidationError',
      property: 'location',
      message: 'location: this device has locations UPPER, LOWER; name one in location.locationName',
    });
    expect(rejection(() => oven.validateControl({ location: { locationName: 'MIDDLE' }, timer: { remainHour: 1 } }))).toMatchObject({
      name: 'ControlValidationError',
      property: 'location',
      message: "location: no location 'MIDDLE'; this device has UPPER, LOWER",
    });
  });
});

describe('location-keyed list resources (refrigerator temperatureInUnits)', () => {
  const fridge = new DeviceProfile(locationFridge().profile);
  it('validates writes selected by locationName', () => {
    expect(() => fridge.validateControl({ temperatureInUnits: { locationName: 'FREEZER', targetTemperatureC: -20 } })).not.toThrow();
    expect(rejection(() => fridge.validateControl({ temperatureInUnits: { locationName: 'FREEZER', targetTemperatureC: 3 } }))).toMatchObject({
      property: 'temperatureInUnits.targetTemperatureC',
      message: 'temperatureInUnits.targetTemperatureC: 3 is outside -23..-15',
    });
    expect(rejection(() => fridge.validateControl({ temperatureInUnits: { targetTemperatureC: 3 } }))).toMatchObject({
      name: 'ControlValidationError',
      property: 'temperatureInUnits',
    });
  });
});

describe('mergeState at any depth', () => {
  it('keeps siblings of a nested report (WashTower {washer:{timer:{remainMinute}}})', () => {
    const state = washTower().state;
    const next = mergeState(state, { washer: { timer: { remainMinute: 19 } } });
    expect(stateOfLocation(next, 'washer')).toEqual({
      runState: { currentState: 'RUNNING' },
      remoteControlEnable: { remoteControlEnabled: true },
      timer: { remainHour: 1, remainMinute: 19, totalHour: 1, totalMinute: 50, relativeHourToStop: 0 },
    });
    expect(stateOfLocation(next, 'dryer')).toEqual(stateOfLocation(state, 'dryer'));
    // The input is not changed.
    expect(stateOfLocation(state, 'washer')).toMatchObject({ timer: { remainMinute: 20 } });
  });

  it('merges list resources entry by entry (locationName, unit)', () => {
    const state = locationFridge().state;
    const next = mergeState(state, { temperatureInUnits: [{ locationName: 'FREEZER', targetTemperatureC: -20, targetTemperatureF: -4 }] }) as Record<string, unknown>;
    expect(next.temperatureInUnits).toEqual([
      { locationName: 'FRIDGE', targetTemperatureC: 3, targetTemperatureF: 37, unit: 'C' },
      { locationName: 'FREEZER', targetTemperatureC: -20, targetTemperatureF: -4, unit: 'C' },
    ]);
    const ac = { temperatureInUnits: [{ unit: 'C', currentTemperature: 25, targetTemperature: 19 }, { unit: 'F', currentTemperature: 77, targetTemperature: 66 }] };
    expect(mergeState(ac, { temperatureInUnits: [{ unit: 'F', targetTemperature: 70 }] })).toEqual({
      temperatureInUnits: [{ unit: 'C', currentTemperature: 25, targetTemperature: 19 }, { unit: 'F', currentTemperature: 77, targetTemperature: 70 }],
    });
    // Entries without a selector replace the list.
    expect(mergeState({ list: [1, 2] }, { list: [3] })).toEqual({ list: [3] });
  });

  it('merges reports that arrive as a list per location', () => {
    const oven = fixtureJson('connect/oven/status.json') as DeviceState;
    const next = mergeState(oven, [{ location: { locationName: 'LOWER' }, timer: { remainMinute: 4 } }]);
    expect(stateOfLocation(next, 'LOWER')).toEqual({ location: { locationName: 'LOWER' }, runState: { currentState: 'COOKING_IN_PROGRESS' }, timer: { remainHour: 0, remainMinute: 4, remainSecond: 0 } });
    expect(stateOfLocation(next, 'UPPER')).toEqual(stateOfLocation(oven, 'UPPER'));
    expect(mergeState(undefined, [{ location: { locationName: 'MAIN' }, a: { b: 1 } }])).toEqual([{ location: { locationName: 'MAIN' }, a: { b: 1 } }]);
  });
});

describe('multi-unit devices against the simulator', () => {
  let sim: ThinqSimulator;
  let client: ConnectClient;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false });
    client = new ConnectClient({ pat: sim.pat, country: sim.country, clientId: 'multi-unit-1', baseUrl: sim.connectUrl });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('profiles the WashTower and controls a unit with a payload keyed by it', async () => {
    const profile = await client.profile('sim-conn-washtower-0001');
    expect(profile.locations).toEqual(['washer', 'dryer']);
    await client.control('sim-conn-washtower-0001', { operation: { dryerOperationMode: 'START' } }, { location: 'dryer' });
    expect(sim.connect.requests.at(-1)).toMatchObject({ method: 'POST', path: 'devices/sim-conn-washtower-0001/control', body: { dryer: { operation: { dryerOperationMode: 'START' } } } });
    expect(stateOfLocation(await client.state('sim-conn-washtower-0001'), 'dryer')).toMatchObject({ runState: { currentState: 'RUNNING' }, timer: { totalHour: 0 } });
    const before = sim.connect.requests.length;
    await expect(client.control('sim-conn-washtower-0001', { operation: { dryerOperationMode: 'START' } })).rejects.toMatchObject({ name: 'ControlValidationError', property: 'location' });
    await expect(client.control('sim-conn-washtower-0001', { operation: { dryerOperationMode: 'START' } }, { location: 'oven' })).rejects.toMatchObject({ name: 'ControlValidationError', property: 'location' });
    expect(sim.connect.requests.length).toBe(before);
  });

  it('sets a refrigerator compartment through temperatureInUnits (both units follow)', async () => {
    await client.control('sim-conn-fridge-0002', { temperatureInUnits: { locationName: 'FRIDGE', targetTemperatureF: 41 } });
    const state = (await client.state('sim-conn-fridge-0002')) as Record<string, unknown>;
    expect(state.temperatureInUnits).toEqual([
      { locationName: 'FRIDGE', targetTemperatureC: 5, targetTemperatureF: 41, unit: 'C' },
      { locationName: 'FREEZER', targetTemperatureC: -18, targetTemperatureF: 0, unit: 'C' },
    ]);
  });

  it('sets an AC target through temperatureInUnits in °F: the state reports both units and temperature', async () => {
    await expect(client.control('sim-conn-ac-0001', { temperatureInUnits: { unit: 'F', targetTemperature: 59 } })).rejects.toMatchObject({
      name: 'ControlValidationError',
      property: 'temperatureInUnits.targetTemperature',
      message: 'temperatureInUnits.targetTemperature: 59 is outside 60..86',
    });
    await client.control('sim-conn-ac-0001', { temperatureInUnits: { unit: 'F', targetTemperature: 72 } });
    const state = (await client.state('sim-conn-ac-0001')) as Record<string, unknown>;
    expect(state.temperature).toEqual({ currentTemperature: 27, targetTemperature: 22, unit: 'C' });
    expect(state.temperatureInUnits).toEqual([
      { unit: 'C', currentTemperature: 27, targetTemperature: 22 },
      { unit: 'F', currentTemperature: 81, targetTemperature: 72 },
    ]);
    await client.control('sim-conn-ac-0001', { temperature: { targetTemperature: 24.5 } });
    expect(((await client.state('sim-conn-ac-0001')) as Record<string, unknown>).temperatureInUnits).toEqual([
      { unit: 'C', currentTemperature: 27, targetTemperature: 24.5 },
      { unit: 'F', currentTemperature: 81, targetTemperature: 76 },
    ]);
  });
});
