import { describe, expect, it } from 'vitest';
import { DeviceProfile, type DeviceState } from '../connect/profile.js';
import { fixtureJson } from '../fixtures.test-helper.js';
import { ModelInfo } from '../model.js';
import { locationFridge, washTower } from '../testing/connect-multi-devices.js';
import { SIM_LANG_PACKS } from '../testing/v1-lang-packs.js';
import { SIM_AC_MODEL, SIM_FRIDGE_MODEL, SIM_WASHER_MODEL } from '../testing/v1-models.js';
import { displayLabel, displayValue } from './display.js';
import { displayState, type DisplayItem } from './display-state.js';
import { parseLangPack } from './lang-pack.js';

const pick = (items: DisplayItem[], property: string, location?: string) => items.filter((i) => i.property === property && i.location === location);
/** Words a person reads: no raw enum tokens, no camel case, no `@` labels. */
const RAW = /_|[a-z][A-Z]|^@|^[A-Z]{2,}$/;

describe('displayState', () => {
  it('turns a Connect AC state and its profile into words, numbers keeping their unit', () => {
    const items = displayState(fixtureJson('connect/air_conditioner/status.json') as DeviceState, new DeviceProfile(fixtureJson('connect/air_conditioner/profile.json')));
    expect(pick(items, 'airConJobMode.currentJobMode')).toEqual([{ property: 'airConJobMode.currentJobMode', label: 'Mode', value: 'Cool', unit: null, raw: 'COOL' }]);
    expect(pick(items, 'temperature.targetTemperature')).toEqual([{ property: 'temperature.targetTemperature', label: 'Target temperature', value: '19 °C', unit: 'C', raw: 19 }]);
    expect(pick(items, 'powerSave.powerSaveEnabled')).toEqual([{ property: 'powerSave.powerSaveEnabled', label: 'Power saving', value: 'Off', unit: null, raw: false }]);
    expect(pick(items, 'operation.airConOperationMode')[0]?.value).toBe('On');
    expect(pick(items, 'temperature.unit')).toEqual([]);
    expect(items).toHaveLength(22);
    for (const item of items) {
      expect(item.label, item.property).not.toMatch(RAW);
      expect(item.value, item.property).not.toMatch(RAW);
    }
  });

  it('puts each location or unit in front: a WashTower by its profile or by its shape, a per-location oven', () => {
    const tower = washTower();
    const items = displayState(tower.state, new DeviceProfile(tower.profile));
    const washer = pick(items, 'runState.currentState', 'washer')[0];
    expect(washer?.label).toBe('Washer status');
    expect(washer?.value).toBe(displayValue(washer?.raw));
    expect(pick(items, 'runState.currentState', 'dryer')[0]?.label).toBe('Dryer status');
    expect(items.every((i) => i.location === 'washer' || i.location === 'dryer')).toBe(true);
    expect(displayState(tower.state)).toEqual(items);

    const oven = displayState(fixtureJson('connect/oven/status.json') as DeviceState);
    expect(oven.slice(0, 2)).toEqual([
      { property: 'runState.currentState', location: 'UPPER', label: 'Upper status', value: 'Cooking', unit: null, raw: 'COOKING_IN_PROGRESS' },
      { property: 'timer.remainHour', location: 'UPPER', label: 'Upper remaining hours', value: '0', unit: null, raw: 0 },
    ]);
    expect(oven.filter((i) => i.location === 'LOWER')).toHaveLength(4);
  });

  it('gives list resources one item per entry: a refrigerator’s compartments, in °C and °F', () => {
    const fridge = locationFridge();
    const items = displayState(fridge.state, new DeviceProfile(fridge.profile));
    expect(items.slice(0, 3)).toEqual([
      { property: 'doorStatus.doorState', location: 'MAIN', label: 'Main door', value: 'Closed', unit: null, raw: 'CLOSE' },
      { property: 'temperatureInUnits.targetTemperatureC', location: 'FRIDGE', label: 'Fridge target temperature (°C)', value: '3 °C', unit: 'C', raw: 3 },
      { property: 'temperatureInUnits.targetTemperatureF', location: 'FRIDGE', label: 'Fridge target temperature (°F)', value: '37 °F', unit: 'F', raw: 37 },
    ]);
    expect(pick(items, 'temperatureInUnits.targetTemperatureC', 'FREEZER')[0]?.value).toBe('-18 °C');
    // An AC's entries per unit, and a unit the state names for another resource.
    const ac = displayState({ temperatureInUnits: [{ unit: 'C', targetTemperature: 22 }, { unit: 'F', targetTemperature: 72 }], energy: { usage: 3, unit: 'kWh' } });
    expect(ac.map((i) => [i.property, i.value, i.unit])).toEqual([
      ['temperatureInUnits.targetTemperature', '22 °C', 'C'],
      ['temperatureInUnits.targetTemperature', '72 °F', 'F'],
      ['energy.usage', '3 kWh', 'kWh'],
    ]);
  });

  it('words a decoded v1 washer frame through its model, bit fields one by one, a lang pack winning', () => {
    const model = new ModelInfo(SIM_WASHER_MODEL);
    const frame = model.decodeMonitor(model.encodeMonitor({ State: '3', Remain_Time_M: '21', APCourse: '1', Error: '0', SpinSpeed: '3', Option1: '9', TubCycles: '2147483649' }));
    const items = displayState(frame, model);
    expect(pick(items, 'State')).toEqual([{ property: 'State', label: 'Status', value: 'Rinsing', unit: null, raw: '3' }]);
    expect(pick(items, 'Remain_Time_M')[0]).toMatchObject({ label: 'Remaining minutes', value: '21' });
    expect(pick(items, 'APCourse')[0]?.value).toBe('Cotton');
    expect(pick(items, 'Error')[0]?.value).toBe('No Error');
    expect(pick(items, 'SpinSpeed')[0]?.value).toBe('High');
    expect(pick(items, 'Option1.ChildLock')).toEqual([{ property: 'Option1.ChildLock', label: 'Child lock', value: 'On', unit: null, raw: 1 }]);
    expect(pick(items, 'Option1.Steam')[0]?.value).toBe('On');
    expect(pick(items, 'TubCycles')[0]?.value).toBe('2147483649');
    expect(pick(items, 'Option1')).toEqual([]);

    const words = parseLangPack(SIM_LANG_PACKS['product-WM']);
    const worded = displayState(frame, model, { words });
    expect(pick(worded, 'State')[0]?.value).toBe('Rinsing now');
    expect(pick(worded, 'SpinSpeed')[0]?.value).toBe('Spin: high');
    expect(pick(worded, 'Option1.ChildLock')[0]?.value).toBe('Enabled');
  });

  it('words v1 AC and refrigerator frames with their units', () => {
    const ac = displayState({ TempCur: '25', TempCfg: '22', OpMode: '0', WDirHStep: '0', Operation: '1', Nested: { x: 1 } }, new ModelInfo(SIM_AC_MODEL));
    expect(ac.map((i) => [i.property, i.label, i.value, i.unit])).toEqual([
      ['TempCur', 'Current temperature', '25 °C', 'C'],
      ['TempCfg', 'Target temperature', '22 °C', 'C'],
      ['OpMode', 'Mode', 'Cool', null],
      ['WDirHStep', 'Horizontal swing', 'Off', null],
      ['Operation', 'Power', 'On', null],
    ]);
    const fridge = displayState({ TempRefrigerator: '3', TempFreezer: '4', TempUnit: '1', DoorOpenState: '1', Unknown_Field: 'X_Y' }, new ModelInfo(SIM_FRIDGE_MODEL));
    expect(fridge.map((i) => [i.property, i.label, i.value, i.unit])).toEqual([
      ['TempRefrigerator', 'Fridge temperature', '5 °C', 'C'],
      ['TempFreezer', 'Freezer temperature', '-17 °C', 'C'],
      ['TempUnit', 'Temperature unit', displayValue('C'), null],
      ['DoorOpenState', 'Door', 'Open', null],
      ['Unknown_Field', 'Unknown field', 'X y', null],
    ]);
  });

  it('words every kind of v1 model value: booleans, strings, references by label, unreadable types and bit values', () => {
    const model = new ModelInfo({
      Value: {
        Flag: { type: 'Boolean' },
        Name: { type: 'String' },
        Course: { type: 'Reference', option: ['Course'] },
        Odd: { type: 'Array', option: [] },
        Bits: { type: 'Bit', option: [{ startbit: 0, length: 2, value: 'Level' }] },
        Level2: { type: 'Range', option: { min: 0, max: 9 } },
      },
      Course: { '1': { label: '@WM_COURSE_COTTON_W', _comment: 'Cotton' }, '2': { label: '@WM_COURSE_QUICK_WASH_W' }, '3': 'x', '4': {} },
      Monitoring: { type: 'JSON' },
    });
    const items = displayState({ Flag: '1', Name: 'Kitchen_Hood', Course: '2', Odd: 'SOME_VALUE', Bits: 'x', Level2: 'n/a' }, model);
    expect(items.map((i) => [i.property, i.value])).toEqual([
      ['Flag', 'On'],
      ['Name', 'Kitchen_Hood'],
      ['Course', 'Quick wash'],
      ['Odd', 'Some value'],
      ['Bits', displayValue('x')],
      ['Level2', 'n/a'],
    ]);
    const course = (raw: string, words?: Record<string, string>) => pick(displayState({ Course: raw }, model, words ? { words } : {}), 'Course')[0]?.value;
    expect(course('1')).toBe('Cotton');
    expect(course('1', { '@WM_COURSE_COTTON_W': 'Baumwolle' })).toBe('Baumwolle');
    expect(course('3')).toBe('3');
    expect(course('4')).toBe('4');
    expect(pick(displayState({ Bits: '3' }, model), 'Bits.Level')).toEqual([{ property: 'Bits.Level', label: 'Level', value: '3', unit: null, raw: 3 }]);
    expect(pick(displayState({ Flag: '0' }, model), 'Flag')[0]?.value).toBe('Off');
  });

  it('keeps minus signs and domain-less labels readable, and refuses what is not a state', () => {
    expect(displayValue('-17')).toBe('-17');
    expect(displayLabel('@OFF')).toBe('Off');
    expect(displayLabel('@AC_MAIN_OPERATION_ALL_ON_W')).toBe('On');
    expect(() => displayState(null as unknown as DeviceState)).toThrow(new TypeError('state must be an object or a list of per-location objects'));
    expect(() => displayState({}, {} as unknown as ModelInfo)).toThrow(new TypeError('source must be a DeviceProfile, a ModelInfo or undefined'));
    expect(() => displayState([], new ModelInfo(SIM_AC_MODEL))).toThrow(new TypeError('state must be a decoded v1 monitor frame (an object)'));
    expect(() => displayState({}, undefined, null as unknown as object)).toThrow(new TypeError('options must be an object'));
    expect(displayState({})).toEqual([]);
  });
});
