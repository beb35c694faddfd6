import { describe, expect, it } from 'vitest';
import type { Device } from './model.js';
import { metricLabel, readableDevice, readableReading, valueText } from './readable.js';

const ts = '2026-12-05T01:00:00.000Z';

function device(vendor: Device['vendor'], lastValues: Device['lastValues'], commands: Device['commands'] = []): Device {
  return { id: `${vendor}:x`, vendor, vendorId: 'x', name: 'X', kind: 'appliance', model: null, online: true, primaryMetric: null, commands, lastSeen: ts, lastValues, sepl: { registered: false } };
}

describe('readable values', () => {
  it('puts ThinQ names and values in words, keeping the raw ones', () => {
    const d = readableDevice(
      device('thinq', {
        'airConJobMode.currentJobMode': { value: 'AIR_DRY', unit: null, ts },
        'temperature.currentTemperature': { value: 27, unit: 'C', ts },
        OpMode: { value: '@AC_MAIN_OPERATION_MODE_COOL_W', unit: null, ts },
        'filterInfo.usedTime': { value: 320, unit: null, ts },
      }, [{ name: 'operation.airConOperationMode', label: 'Operation', dangerous: true, params: [] }]),
    );
    expect(d.labels).toEqual({
      'airConJobMode.currentJobMode': 'Mode',
      'temperature.currentTemperature': 'Current temperature',
      OpMode: 'Op mode',
      'filterInfo.usedTime': 'Filter used',
      'operation.airConOperationMode': 'Power',
    });
    expect(d.lastValues['airConJobMode.currentJobMode']).toEqual({ value: 'AIR_DRY', unit: null, ts, text: 'Dry' });
    expect(d.lastValues['temperature.currentTemperature']).toEqual({ value: 27, unit: 'C', ts, text: '27 °C' });
    expect(d.lastValues['OpMode']?.text).toBe('Cool');
    // Numbers the page formats itself get no words.
    expect(d.lastValues['filterInfo.usedTime']).toEqual({ value: 320, unit: null, ts });
  });

  it('leaves ComAp and Device Cloud names and values as they are', () => {
    const genset = device('comap', { 'Act power': { value: 400, unit: 'kW', ts }, ControllerMode: { value: 'AUT', unit: null, ts } });
    expect(readableDevice(genset)).toBe(genset);
    expect(metricLabel('devicecloud', 'temperature')).toBeUndefined();
    expect(valueText('devicecloud', 'state', 'RUNNING', null)).toBeUndefined();
  });

  it('gives live ThinQ readings their words and leaves the others untouched', () => {
    expect(readableReading({ deviceId: 'thinq:w', metric: 'runState.currentState', value: 'RINSING', unit: null, ts })).toEqual({
      deviceId: 'thinq:w',
      metric: 'runState.currentState',
      value: 'RINSING',
      unit: null,
      ts,
      label: 'Status',
      text: 'Rinsing',
    });
    const genset = { deviceId: 'comap:g', metric: 'Act power', value: 400, unit: 'kW', ts };
    expect(readableReading(genset)).toBe(genset);
  });
});
