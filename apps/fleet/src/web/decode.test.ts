import { describe, expect, it } from 'vitest';
import { ApiError, decodeAverage, decodeCommandSpec, decodeDevice, decodeReading, decodeSeplStatus } from './api.js';
import { routeDeviceId } from './app.js';
import { toColumns } from './chart.js';
import { resultText } from './commands-table.js';
import { parseParam } from './command-form.js';
import { chartValue } from './detail-view.js';
import { formatAge, formatTime, formatValue } from './format.js';

describe('decoding API answers', () => {
  it('decodes a device and drops last values it cannot show', () => {
    const d = decodeDevice({
      id: 'thinq:ac',
      vendor: 'thinq',
      name: 'AC',
      kind: 'appliance',
      online: false,
      lastValues: { ok: { value: true, unit: null, ts: 't' }, bad: { value: { nested: 1 } }, worse: 3 },
      commands: [{ name: 'operation.mode', dangerous: true, params: [{ name: 'value', type: 'enum', values: ['A', 2, null] }] }],
    });
    expect(d.lastValues).toEqual({ ok: { value: true, unit: null, ts: 't' } });
    expect(d.commands).toEqual([{ name: 'operation.mode', label: 'operation.mode', dangerous: true, params: [{ name: 'value', type: 'enum', values: ['A', 2], required: true }] }]);
    expect(d.sepl).toEqual({ registered: false });
    expect(d.model).toBeNull();
  });

  it('names the field when the server sends something else', () => {
    expect(() => decodeDevice({ id: 'x', vendor: 'acme', name: 'n' })).toThrow('unexpected answer from the fleet service: device.vendor is not a known vendor (got "acme")');
    expect(() => decodeReading({ deviceId: 'a', metric: 'm', value: null, ts: 't' })).toThrow(ApiError);
    expect(() => decodeAverage({})).toThrow('average is not an array');
    expect(() => decodeSeplStatus({ state: 'sleepy' })).toThrow('SEPL status.state is not a known state');
    expect(() => decodeCommandSpec({ name: 'x', params: [{ name: 'p', type: 'date' }] })).toThrow('command param type');
  });

  it('bounds the preview of bad data', () => {
    try {
      decodeDevice('x'.repeat(1000));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});

describe('page helpers', () => {
  it('formats values, ages and times', () => {
    expect(formatValue(1512.25, 'RPM')).toBe('1512.3 RPM');
    expect(formatValue(21.456, 'C')).toBe('21.46 C');
    expect(formatValue(3, null)).toBe('3');
    expect(formatValue('AUT')).toBe('AUT');
    expect(formatValue(false)).toBe('false');
    expect(formatValue(undefined, 'C')).toBe('—');
    expect(formatAge(0, 59_000)).toBe('59 s ago');
    expect(formatAge(0, 5 * 60_000)).toBe('5 min ago');
    expect(formatAge(0, 3 * 3_600_000)).toBe('3 h ago');
    expect(formatAge(0, 3 * 86_400_000)).toBe('1970-01-01');
    expect(formatTime(Date.parse('2026-11-21T06:00:01.500Z'))).toBe('2026-11-21 06:00:01 UTC');
    expect(formatTime(Number.NaN)).toBe('—');
  });

  it('reads the device id from the hash route', () => {
    expect(routeDeviceId(`#/device/${encodeURIComponent('comap:gen 1/a')}`)).toBe('comap:gen 1/a');
    expect(routeDeviceId('#/device/')).toBeNull();
    expect(routeDeviceId('#/device/%E0%A4%A')).toBeNull();
    expect(routeDeviceId('')).toBeNull();
  });

  it('turns readings into sorted uPlot columns, the last of equal timestamps winning', () => {
    expect(toColumns([{ time: 3000, value: 3 }, { time: 1000, value: 1 }, { time: 3000, value: 4 }, { time: Number.NaN, value: 9 }])).toEqual([
      [1, 3],
      [1, 4],
    ]);
    expect(chartValue(true)).toBe(1);
    expect(chartValue('AUT')).toBeNull();
    expect(chartValue(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('shows a vendor answer as text', () => {
    expect(resultText('Command was successfully sent.')).toBe('Command was successfully sent.');
    expect(resultText({ message: 'sent' })).toBe('sent');
    expect(resultText({})).toBe('');
    expect(resultText(null)).toBe('');
    expect(resultText({ message: 'sent', code: 0 })).toBe('{"message":"sent","code":0}');
    expect(resultText([1])).toBe('[1]');
  });

  it('types command params from their spec and names the bad one', () => {
    expect(parseParam({ name: 'value', type: 'number', min: 18, max: 30 }, '22')).toBe(22);
    expect(() => parseParam({ name: 'value', type: 'number', min: 18, max: 30 }, '31')).toThrow(new RangeError('value: at most 30'));
    expect(() => parseParam({ name: 'value', type: 'number', min: 18 }, '17')).toThrow(new RangeError('value: at least 18'));
    expect(() => parseParam({ name: 'value', type: 'number' }, '')).toThrow(new RangeError('value: enter a number'));
    expect(parseParam({ name: 'mode', type: 'enum', values: ['MAN', 2] }, '2')).toBe(2);
    expect(() => parseParam({ name: 'mode', type: 'enum', values: ['MAN'] }, 'AUT')).toThrow(new RangeError('mode: pick one of the listed values'));
    expect(parseParam({ name: 'on', type: 'boolean' }, 'true')).toBe(true);
    expect(parseParam({ name: 's', type: 'string' }, 'x')).toBe('x');
  });
});
