/**
 * Devices of the simulated ThinQ Connect account: profiles and states of our own making in the
 * Connect API's formats (not copies of any real device's data).
 */

import { locationFridge, washTower } from './connect-multi-devices.js';

/** One simulated Connect device. */
export interface SimConnectDevice {
  deviceId: string;
  deviceType: string;
  modelName: string;
  alias: string;
  profile: Record<string, unknown>;
  state: Record<string, unknown> | Record<string, unknown>[];
  online: boolean;
}

export function defaultConnectDevices(): SimConnectDevice[] {
  return [
    {
      deviceId: 'sim-conn-ac-0001',
      deviceType: 'DEVICE_AIR_CONDITIONER',
      modelName: 'SIM_AC_C1',
      alias: 'Bedroom AC',
      online: true,
      profile: {
        notification: { push: ['FILTER_RESET_REQUIRED', 'HIGH_HUMIDITY'] },
        property: {
          airConJobMode: { currentJobMode: { type: 'enum', mode: ['r', 'w'], value: { r: ['COOL', 'AIR_DRY', 'FAN', 'HEAT'], w: ['COOL', 'AIR_DRY', 'FAN', 'HEAT'] } } },
          operation: { airConOperationMode: { type: 'enum', mode: ['r', 'w'], value: { r: ['POWER_ON', 'POWER_OFF'], w: ['POWER_ON', 'POWER_OFF'] } } },
          temperature: {
            currentTemperature: { type: 'number', mode: ['r'] },
            targetTemperature: { type: 'range', mode: ['r', 'w'], value: { r: { min: 16, max: 30, step: 0.5 }, w: { min: 16, max: 30, step: 0.5, except: [29.5] } } },
            unit: { type: 'enum', mode: ['r'], value: { r: ['C', 'F'] } },
          },
          // Real AC profiles carry the temperatures per unit too; LG's SDK reads and sets them only here.
          temperatureInUnits: [
            {
              unit: 'C',
              currentTemperature: { type: 'number', mode: ['r'] },
              targetTemperature: { type: 'range', mode: ['r', 'w'], value: { r: { min: 16, max: 30, step: 0.5 }, w: { min: 16, max: 30, step: 0.5, except: [29.5] } } },
            },
            {
              unit: 'F',
              currentTemperature: { type: 'number', mode: ['r'] },
              targetTemperature: { type: 'range', mode: ['r', 'w'], value: { r: { min: 60, max: 86, step: 1 }, w: { min: 60, max: 86, step: 1 } } },
            },
          ],
          airFlow: { windStrength: { type: 'enum', mode: ['r', 'w'], value: { r: ['LOW', 'MID', 'HIGH', 'AUTO'], w: ['LOW', 'MID', 'HIGH', 'AUTO'] } } },
          powerSave: { powerSaveEnabled: { type: 'boolean', mode: ['r', 'w'], value: { r: [false, true], w: [false, true] } } },
          filterInfo: { usedTime: { type: 'number', mode: ['r'] }, filterLifetime: { type: 'number', mode: ['r'] } },
        },
      },
      state: {
        airConJobMode: { currentJobMode: 'COOL' },
        operation: { airConOperationMode: 'POWER_OFF' },
        temperature: { currentTemperature: 27, targetTemperature: 24, unit: 'C' },
        temperatureInUnits: [
          { unit: 'C', currentTemperature: 27, targetTemperature: 24 },
          { unit: 'F', currentTemperature: 81, targetTemperature: 75 },
        ],
        airFlow: { windStrength: 'AUTO' },
        powerSave: { powerSaveEnabled: false },
        filterInfo: { usedTime: 320, filterLifetime: 2000 },
      },
    },
    {
      deviceId: 'sim-conn-washer-0001',
      deviceType: 'DEVICE_WASHER',
      modelName: 'SIM_WM_C1',
      alias: 'Laundry',
      online: true,
      profile: {
        notification: { push: ['WASHING_IS_COMPLETE', 'ERROR_DURING_WASHING'] },
        property: [
          {
            location: { locationName: 'MAIN' },
            runState: { currentState: { type: 'enum', mode: ['r'], value: { r: ['POWER_OFF', 'INITIAL', 'RUNNING', 'RINSING', 'SPINNING', 'END', 'PAUSE'] } } },
            operation: { washerOperationMode: { type: 'enum', mode: ['w'], value: { w: ['START', 'STOP', 'POWER_OFF', 'WAKE_UP'] } } },
            remoteControlEnable: { remoteControlEnabled: { type: 'boolean', mode: ['r'], value: { r: [false, true] } } },
            timer: {
              remainHour: { type: 'range', mode: ['r'], value: { r: { min: 0, max: 30, step: 1 } } },
              remainMinute: { type: 'range', mode: ['r'], value: { r: { min: 0, max: 59, step: 1 } } },
              relativeHourToStop: { type: 'range', mode: ['r', 'w'], value: { r: { min: 0, max: 19, step: 1, except: [] }, w: { min: 3, max: 19, step: 1, except: [] } } },
            },
            detergent: { detergentSetting: 'AUTO' },
          },
        ],
      },
      state: [
        {
          location: { locationName: 'MAIN' },
          runState: { currentState: 'INITIAL' },
          remoteControlEnable: { remoteControlEnabled: true },
          timer: { remainHour: 1, remainMinute: 5, relativeHourToStop: 0 },
        },
      ],
    },
    {
      deviceId: 'sim-conn-fridge-0001',
      deviceType: 'DEVICE_REFRIGERATOR',
      modelName: 'SIM_REF_C1',
      alias: 'Garage fridge (offline)',
      online: false,
      profile: {
        property: {
          powerSave: { powerSaveEnabled: { type: 'boolean', mode: ['r', 'w'], value: { r: [false, true], w: [false, true] } } },
        },
      },
      state: { powerSave: { powerSaveEnabled: true } },
    },
    washTower(),
    locationFridge(),
  ];
}
