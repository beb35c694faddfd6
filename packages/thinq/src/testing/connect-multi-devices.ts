/**
 * Multi-unit devices of the simulated ThinQ Connect account, shaped like LG's: a WashTower whose
 * profile, state, control payloads and reports are keyed by unit (`washer` / `dryer`, as LG's
 * pythinqconnect `washtower.py` reads them), and a refrigerator whose `temperatureInUnits` and
 * `doorStatus` resources are lists keyed by `locationName` (`refrigerator.py`). The values are our own.
 */
import type { SimConnectDevice } from './connect-devices.js';

const rw = ['r', 'w'];
const enumOf = (mode: string[], values: string[]) => ({ type: 'enum', mode, value: { ...(mode.includes('r') ? { r: values } : {}), ...(mode.includes('w') ? { w: values } : {}) } });
const readRange = (max: number) => ({ type: 'range', mode: ['r'], value: { r: { min: 0, max, step: 1 } } });

/** One WashTower unit's resources (the washer and the dryer share the shape, not the operation). */
function towerUnit(operation: string, states: string[]): Record<string, unknown> {
  return {
    runState: { currentState: enumOf(['r'], states) },
    operation: { [operation]: enumOf(['w'], ['START', 'STOP', 'POWER_OFF', 'WAKE_UP']) },
    remoteControlEnable: { remoteControlEnabled: { type: 'boolean', mode: ['r'], value: { r: [false, true] } } },
    timer: {
      remainHour: readRange(30),
      remainMinute: readRange(59),
      totalHour: readRange(30),
      totalMinute: readRange(59),
      relativeHourToStop: { type: 'range', mode: rw, value: { r: { min: 0, max: 19, step: 1 }, w: { min: 3, max: 19, step: 1 } } },
    },
  };
}

export function washTower(): SimConnectDevice {
  return {
    deviceId: 'sim-conn-washtower-0001',
    deviceType: 'DEVICE_WASHTOWER',
    modelName: 'SIM_WT_C1',
    alias: 'WashTower',
    online: true,
    profile: {
      washer: {
        notification: { push: ['WASHING_IS_COMPLETE', 'ERROR_DURING_WASHING'] },
        property: towerUnit('washerOperationMode', ['POWER_OFF', 'INITIAL', 'RUNNING', 'RINSING', 'SPINNING', 'END', 'PAUSE']),
      },
      dryer: {
        notification: { push: ['DRYING_IS_COMPLETE', 'DRYING_FAILED'] },
        property: towerUnit('dryerOperationMode', ['POWER_OFF', 'INITIAL', 'RUNNING', 'DRYING', 'COOLING', 'END', 'PAUSE']),
      },
    },
    state: {
      washer: {
        runState: { currentState: 'RUNNING' },
        remoteControlEnable: { remoteControlEnabled: true },
        timer: { remainHour: 1, remainMinute: 20, totalHour: 1, totalMinute: 50, relativeHourToStop: 0 },
      },
      dryer: {
        runState: { currentState: 'INITIAL' },
        remoteControlEnable: { remoteControlEnabled: false },
        timer: { remainHour: 0, remainMinute: 0, totalHour: 0, totalMinute: 0, relativeHourToStop: 0 },
      },
    },
  };
}

/** One `temperatureInUnits` entry of the refrigerator: a location with targets in °C and °F. */
function fridgeTemperature(locationName: string, c: [number, number], f: [number, number]): Record<string, unknown> {
  return {
    locationName,
    targetTemperatureC: { type: 'range', mode: rw, value: { r: { min: c[0], max: c[1], step: 1 }, w: { min: c[0], max: c[1], step: 1 } } },
    targetTemperatureF: { type: 'range', mode: rw, value: { r: { min: f[0], max: f[1], step: 1 }, w: { min: f[0], max: f[1], step: 1 } } },
    unit: enumOf(['r'], ['C', 'F']),
  };
}

export function locationFridge(): SimConnectDevice {
  return {
    deviceId: 'sim-conn-fridge-0002',
    deviceType: 'DEVICE_REFRIGERATOR',
    modelName: 'SIM_REF_C2',
    alias: 'Kitchen fridge',
    online: true,
    profile: {
      notification: { push: ['DOOR_IS_OPEN', 'TIME_TO_CHANGE_WATER_FILTER'] },
      property: {
        doorStatus: [{ locationName: 'MAIN', doorState: enumOf(['r'], ['OPEN', 'CLOSE']) }],
        temperatureInUnits: [fridgeTemperature('FRIDGE', [1, 7], [33, 45]), fridgeTemperature('FREEZER', [-23, -15], [-8, 5])],
        powerSave: { powerSaveEnabled: { type: 'boolean', mode: rw, value: { r: [false, true], w: [false, true] } } },
        refrigeration: { expressMode: { type: 'boolean', mode: rw, value: { r: [false, true], w: [false, true] } } },
      },
    },
    state: {
      doorStatus: [{ locationName: 'MAIN', doorState: 'CLOSE' }],
      temperatureInUnits: [
        { locationName: 'FRIDGE', targetTemperatureC: 3, targetTemperatureF: 37, unit: 'C' },
        { locationName: 'FREEZER', targetTemperatureC: -18, targetTemperatureF: 0, unit: 'C' },
      ],
      powerSave: { powerSaveEnabled: false },
      refrigeration: { expressMode: false },
    },
  };
}
