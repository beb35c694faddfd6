import { describe, expect, it } from 'vitest';
import { displayLabel, displayProperty, displayValue, humanize, isV1Label } from './display.js';
import { DeviceProfile } from '../connect/profile.js';
import { fixtureJson } from '../fixtures.test-helper.js';

describe('display layer', () => {
  it('turns the raw values the dashboard showed into words', () => {
    expect(displayLabel('@AC_MAIN_OPERATION_MODE_COOL_W')).toBe('Cool');
    expect(displayLabel('@CP_ON_EN_W')).toBe('On');
    expect(displayProperty('airConJobMode.currentJobMode')).toBe('Mode');
    expect(displayValue('@AC_MAIN_OPERATION_MODE_COOL_W')).toBe('Cool');
  });

  it('reads v1 labels by their domain prefix, and humanises unknown ones', () => {
    expect(displayLabel('@AC_MAIN_WIND_STRENGTH_HIGH_W')).toBe('High');
    expect(displayLabel('@AC_MAIN_WIND_STRENGTH_MID_W')).toBe('Medium');
    expect(displayLabel('@WM_STATE_RUNNING_W')).toBe('Running');
    expect(displayLabel('@WM_STATE_POWER_OFF_W')).toBe('Off');
    expect(displayLabel('@WM_DRY24_STATE_COOLING_W')).toBe('Cooling');
    expect(displayLabel('@CP_OFF_EN_W')).toBe('Off');
    expect(displayLabel('@XY_SOMETHING_NEW_W')).toBe('Something new');
    expect(displayLabel('COOL')).toBe('Cool');
    expect(isV1Label('@CP_ON_EN_W')).toBe(true);
    expect(isV1Label('COOL')).toBe(false);
  });

  it('words every enum value of the fixture AC, washer and oven profiles without raw underscores', () => {
    const values = new Set<string>();
    for (const name of ['air_conditioner', 'washer', 'oven']) {
      const raw = JSON.stringify(fixtureJson(`connect/${name}/profile.json`));
      for (const m of raw.matchAll(/"([A-Z][A-Z0-9_]+)"/g)) if (m[1] !== undefined) values.add(m[1]);
    }
    for (const v of values) expect(displayValue(v), v).not.toMatch(/_|^[A-Z]{2,}[A-Z_]*$/);
    expect(displayValue('AIR_DRY')).toBe('Dry');
    expect(displayValue('POWER_OFF')).toBe('Off');
    expect(displayValue('FROZEN_PREVENT_RUNNING')).toBe('Frozen prevent running');
    expect(displayValue('COOKING_IN_PROGRESS')).toBe('Cooking');
  });

  it('words property names, with a location or unit in front', () => {
    const ac = new DeviceProfile(fixtureJson('connect/air_conditioner/profile.json'));
    for (const p of ac.readableProperties()) expect(displayProperty(p), p).not.toMatch(/[a-z][A-Z]|\.[a-z]/);
    expect(displayProperty('runState.currentState', { location: 'washer' })).toBe('Washer status');
    expect(displayProperty('airQualitySensor.PM2', { location: 'MAIN' })).toBe('Main PM2.5');
    expect(displayProperty('timer.relativeMinuteToStart')).toBe('Start in (minutes)');
    expect(displayProperty('someResource.brandNewProperty')).toBe('Brand new property');
    expect(() => displayProperty('')).toThrow(new TypeError('path must be a non-empty string'));
  });

  it('formats booleans, numbers with units, and lets the caller override words', () => {
    expect(displayValue(true)).toBe('On');
    expect(displayValue(false)).toBe('Off');
    expect(displayValue(22.5, { unit: 'C' })).toBe('22.5 °C');
    expect(displayValue(72, { property: 'temperatureInUnits.targetTemperatureF' })).toBe('72 °F');
    expect(displayValue(22, { property: 'temperature.targetTemperature' })).toBe('22');
    expect(displayValue(null)).toBe('');
    expect(displayValue({ a: 1 })).toBe('{"a":1}');
    expect(displayValue('COOL', { words: { COOL: 'Kühlen' } })).toBe('Kühlen');
    expect(displayLabel('@CP_ON_EN_W', { words: { '@CP_ON_EN_W': 'Ein' } })).toBe('Ein');
    expect(displayProperty('airFlow.windStrength', { words: { 'airFlow.windStrength': 'Lüfter' } })).toBe('Lüfter');
  });

  it('humanises tokens', () => {
    expect(humanize('relativeHourToStop')).toBe('Relative hour to stop');
    expect(humanize('AIR_CLEAN')).toBe('Air clean');
    expect(humanize('PM10')).toBe('PM10');
    expect(humanize('totalPollutionLevel')).toBe('Total pollution level');
    expect(() => humanize(1 as unknown as string)).toThrow(new TypeError('token must be a string'));
  });
});
