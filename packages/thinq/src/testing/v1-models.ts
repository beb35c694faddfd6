/**
 * Model JSON of the simulator's v1 appliances. These are our own small models written in LG's
 * modelJSON format (same keys and value types as real ones), not copies of any real model.
 */
import type { ModelJson } from '../model.js';

const onOff = { type: 'Enum', default: '0', option: { '0': '@CP_OFF_EN_W', '1': '@CP_ON_EN_W' } };
const range = (min: number, max: number, step?: number) => ({ type: 'Range', default: 0, option: step ? { min, max, step } : { min, max } });
const byte = (startByte: number, value: string, length = 1) => ({ _comment: value, startByte, length, value });

/** A front-loading washer with a 15-byte binary monitor frame. */
export const SIM_WASHER_MODEL: ModelJson = {
  Info: { productType: 'WM', country: 'WW', modelType: 'FL', model: 'Simulated Washer', modelName: 'SIMWASH_W1', networkType: 'WIFI', version: '1.0' },
  Value: {
    State: {
      type: 'Enum',
      default: '0',
      option: {
        '0': '@WM_STATE_POWER_OFF_W', '1': '@WM_STATE_INITIAL_W', '2': '@WM_STATE_RUNNING_W', '3': '@WM_STATE_RINSING_W',
        '4': '@WM_STATE_SPINNING_W', '5': '@WM_STATE_END_W', '6': '@WM_STATE_PAUSE_W',
      },
    },
    PreState: { type: 'Enum', default: '0', option: { '0': '@WM_STATE_POWER_OFF_W', '1': '@WM_STATE_INITIAL_W', '2': '@WM_STATE_RUNNING_W', '6': '@WM_STATE_PAUSE_W' } },
    Remain_Time_H: range(0, 30),
    Remain_Time_M: range(0, 59),
    Initial_Time_H: range(0, 30),
    Initial_Time_M: range(0, 59),
    SpinSpeed: { type: 'Enum', default: '2', option: { '0': '-', '1': '@WM_OPTION_SPIN_LOW_W', '2': '@WM_OPTION_SPIN_MEDIUM_W', '3': '@WM_OPTION_SPIN_HIGH_W' } },
    ChildLock: onOff,
    Steam: onOff,
    Option1: { type: 'Bit', default: '0', option: [{ startbit: 0, length: 1, default: '0', value: 'ChildLock' }, { startbit: 3, length: 1, default: '0', value: 'Steam' }] },
    TubCycles: range(0, 4294967295),
    APCourse: { type: 'Reference', option: ['APCourse'] },
    SmartCourse: { type: 'Reference', option: ['SmartCourse'] },
    Error: { type: 'Reference', option: ['Error'] },
    Note: { type: 'String', _comment: 'simulated appliance' },
  },
  Monitoring: {
    type: 'BINARY(BYTE)',
    protocol: [
      byte(0, 'State'), byte(1, 'Remain_Time_H'), byte(2, 'Remain_Time_M'), byte(3, 'Initial_Time_H'), byte(4, 'Initial_Time_M'),
      byte(5, 'APCourse'), byte(6, 'Error'), byte(7, 'SpinSpeed'), byte(8, 'Option1'), byte(9, 'PreState'), byte(10, 'SmartCourse'),
      byte(11, 'TubCycles', 4),
    ],
  },
  ControlWifi: {
    type: 'BINARY(BYTE)',
    action: {
      CourseDownload: { tag: ['COURSE', 'DATA'], data: '[{{APCourse}},{{SmartCourse}},{{SpinSpeed}},{{Option1}},200]' },
      OperationStart: { cmd: 'Control', cmdOpt: 'Operation', value: 'Start', encode: true, data: '[{{APCourse}},{{SpinSpeed}},{{Option1}},255]' },
      OperationStop: { cmd: 'Control', cmdOpt: 'Operation', value: 'Stop' },
      PowerOff: { cmd: 'Control', cmdOpt: 'Power', value: 'Off' },
    },
  },
  APCourse: {
    '1': { _comment: 'Cotton', courseType: 'Course', id: 1, function: [{ value: 'SpinSpeed', default: '3' }], time: 95 },
    '2': { _comment: 'Quick 30', courseType: 'Course', id: 2, function: [{ value: 'SpinSpeed', default: '2' }], time: 30 },
    '3': { _comment: 'Wool', courseType: 'Course', id: 3, function: [{ value: 'SpinSpeed', default: '1' }], time: 45 },
  },
  SmartCourse: { '40': { _comment: 'Sportswear', courseType: 'SmartCourse', id: 40 }, '41': { _comment: 'Duvet', courseType: 'SmartCourse', id: 41 } },
  Error: {
    '0': { _comment: 'No Error', label: 'ERROR_NOERROR' },
    '1': { _comment: 'Door open', label: '@WM_ERROR_DOOR_W' },
    '2': { _comment: 'Water supply', label: '@WM_ERROR_WATER_W' },
  },
};

const tempOptions = (from: number, count: number, dir: 1 | -1): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i + 1), String(from + dir * i)]));

/** A refrigerator with a 12-byte binary frame; temperatures are enum codes (set with RETM/REFT). */
export const SIM_FRIDGE_MODEL: ModelJson = {
  Info: { productType: 'REF', country: 'WW', modelType: 'REF', model: 'Simulated Fridge', modelName: 'SIMFRIDGE_R1', networkType: 'WIFI', version: '1.0' },
  Value: {
    TempRefrigerator: { type: 'Enum', default: '3', option: tempOptions(7, 7, -1) },
    TempFreezer: { type: 'Enum', default: '4', option: tempOptions(-14, 8, -1) },
    IcePlus: { type: 'Enum', default: '0', option: { '0': '@CP_OFF_EN_W', '1': '@CP_ON_EN_W' } },
    FreshAirFilter: { type: 'Enum', default: '1', option: { '1': '@CP_TERM_OFF_KO_W', '2': '@RE_STATE_FRESH_AIR_FILTER_MODE_AUTO_W', '3': '@RE_STATE_FRESH_AIR_FILTER_MODE_POWER_W', '4': '@RE_STATE_REPLACE_FILTER_W' } },
    SmartSavingMode: { type: 'Enum', default: '0', option: { '0': '@CP_TERM_USE_NOT_W', '1': '@RE_SMARTSAVING_MODE_NIGHT_W', '2': '@RE_SMARTSAVING_MODE_CUSTOM_W' } },
    DoorOpenState: { type: 'Enum', default: '0', option: { '0': 'CLOSE', '1': 'OPEN' } },
    TempUnit: { type: 'Enum', default: '1', option: { '0': 'F', '1': 'C' } },
    SmartSavingModeStatus: { type: 'Enum', default: '0', option: { '0': 'OFF', '1': 'ON' } },
    LockingStatus: { type: 'Enum', default: '0', option: { '0': 'UNLOCK', '1': 'LOCK' } },
    ActiveSavingStatus: range(0, 3),
    EcoFriendly: { type: 'Enum', default: '0', option: { '0': '@CP_OFF_EN_W', '1': '@CP_ON_EN_W' } },
    WaterFilterUsedMonth: range(0, 12),
  },
  Monitoring: {
    type: 'BINARY(BYTE)',
    protocol: [
      'TempRefrigerator', 'TempFreezer', 'IcePlus', 'FreshAirFilter', 'SmartSavingMode', 'DoorOpenState', 'TempUnit',
      'SmartSavingModeStatus', 'LockingStatus', 'ActiveSavingStatus', 'EcoFriendly', 'WaterFilterUsedMonth',
    ].map((name, i) => byte(i, name)),
  },
  ControlWifi: {
    type: 'BINARY(BYTE)',
    action: {
      SetControl: { cmd: 'Control', cmdOpt: 'Set', value: 'ControlData', data: '[{{TempRefrigerator}},{{TempFreezer}},255,{{IcePlus}},255,255]' },
    },
  },
};

/** An air conditioner with a JSON monitor (wideq's `ACDevice` keys). */
export const SIM_AC_MODEL: ModelJson = {
  Info: { productType: 'AC', country: 'WW', modelType: 'RAC', model: 'Simulated AC', modelName: 'SIMAC_A1', networkType: 'WIFI', version: '1.0' },
  Value: {
    OpMode: {
      type: 'Enum',
      option: { '0': '@AC_MAIN_OPERATION_MODE_COOL_W', '1': '@AC_MAIN_OPERATION_MODE_DRY_W', '2': '@AC_MAIN_OPERATION_MODE_FAN_W', '4': '@AC_MAIN_OPERATION_MODE_HEAT_W' },
    },
    WindStrength: { type: 'Enum', option: { '2': '@AC_MAIN_WIND_STRENGTH_LOW_W', '4': '@AC_MAIN_WIND_STRENGTH_MID_W', '6': '@AC_MAIN_WIND_STRENGTH_HIGH_W' } },
    WDirHStep: { type: 'Enum', option: { '0': '@OFF', '1': '@1', '2': '@2', '13': '@13', '35': '@35', '100': '@100' } },
    WDirVStep: { type: 'Enum', option: { '0': '@OFF', '1': '@1', '2': '@2', '100': '@100' } },
    Operation: { type: 'Enum', option: { '0': '@AC_MAIN_OPERATION_OFF_W', '1': '@AC_MAIN_OPERATION_RIGHT_ON_W', '3': '@AC_MAIN_OPERATION_ALL_ON_W' } },
    Jet: { type: 'Enum', option: { '0': '@OFF', '1': '@COOL_JET' } },
    TempCur: range(0, 50),
    TempCfg: range(18, 30),
    TempCelToFah: { type: 'Enum', option: Object.fromEntries(Array.from({ length: 13 }, (_, i) => [String(18 + i), String(Math.round(((18 + i) * 9) / 5 + 32))])) },
    TempFahToCel: { type: 'Enum', option: Object.fromEntries(Array.from({ length: 23 }, (_, i) => [String(64 + i), String(Math.round(((64 + i - 32) * 5) / 9))])) },
  },
  Monitoring: { type: 'JSON', protocol: 'JSON' },
  ControlWifi: { type: 'JSON', action: { SetTemp: { cmd: 'Control', cmdOpt: 'Set', value: { TempCfg: '{{TempCfg}}' }, data: '' } } },
};

/** A dryer used for the simulator's offline device. */
export const SIM_DRYER_MODEL: ModelJson = {
  Info: { productType: 'WM', country: 'WW', modelType: 'Dryer', model: 'Simulated Dryer', modelName: 'SIMDRY_D1', networkType: 'WIFI', version: '1.0' },
  Value: {
    State: { type: 'Enum', default: '0', option: { '0': '@WM_STATE_POWER_OFF_W', '50': '@WM_STATE_DRYING_W', '51': '@WM_STATE_COOLING_W' } },
    Remain_Time_H: range(0, 24),
    Remain_Time_M: range(0, 59),
  },
  Monitoring: { type: 'BINARY(BYTE)', protocol: [byte(0, 'State'), byte(1, 'Remain_Time_H'), byte(2, 'Remain_Time_M')] },
};

/** How a simulated v1 appliance with a binary model sends its monitor frames. */
export type SimMonitorType = 'BINARY(BYTE)' | 'BINARY(HEX)' | 'XML';

/**
 * `model` sending its frames as `type`: the same fields as comma-separated hex bytes (`BINARY(HEX)`),
 * or as elements of one `<DeviceStatus>` XML document (`XML`, ollo69's `{tag, value}` protocol).
 * JSON models (the AC) are left as they are.
 */
export function withMonitorType(model: ModelJson, type: SimMonitorType): ModelJson {
  const monitoring = model.Monitoring as { type: string; protocol: unknown };
  if (type === 'BINARY(BYTE)' || monitoring.type !== 'BINARY(BYTE)' || !Array.isArray(monitoring.protocol)) return model;
  if (type === 'BINARY(HEX)') return { ...model, Monitoring: { ...monitoring, type } };
  const protocol = (monitoring.protocol as { value: string }[]).map(({ value }) => ({ tag: value, value }));
  return { ...model, Monitoring: { type, tag: 'DeviceStatus', protocol } };
}
