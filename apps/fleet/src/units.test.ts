// Small pure pieces: shard hashing, CSV cells, command bodies and parameter checks, stream ids,
// ThinQ state flattening and profile commands, the SEPL command parameters.
import { describe, expect, it } from 'vitest';
import { DeviceProfile } from '@x/thinq';
import { normalizeCommandBody, validateParams } from './commands.js';
import { splitStream } from './connectors/devicecloud.js';
import { commandParams } from './connectors/sepl-bridge.js';
import { profileCommands, stateReadings } from './connectors/thinq.js';
import { csvCell, csvLine } from './csv.js';
import type { CommandSpec } from './model.js';
import { SHARD_COUNT, fnv1a32, shardOf } from './shard.js';

describe('shards', () => {
  it('hashes with 32-bit FNV-1a', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
  it('names the bad argument', () => {
    expect(() => shardOf('comap:g1', 0)).toThrow(new RangeError('count must be a positive integer, got 0'));
    expect(() => shardOf('comap:g1', 1.5)).toThrow(new RangeError('count must be a positive integer, got 1.5'));
    expect(() => shardOf(42 as unknown as string, 2)).toThrow(new TypeError('deviceId must be a string, got number'));
    expect(() => fnv1a32(undefined as unknown as string)).toThrow(new TypeError('text must be a string, got undefined'));
  });
  it('spreads devices over the 64 virtual shards by default', () => {
    expect(SHARD_COUNT).toBe(64);
    expect(shardOf('foobar')).toBe(0xbf9cf968 % 64);
    const used = new Set(Array.from({ length: 2000 }, (_, i) => shardOf(`comap:genset${i}`)));
    expect(used.size).toBe(64);
  });
});

describe('csv', () => {
  it('quotes and protects cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('-12.5')).toBe('-12.5');
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });
});

describe('command bodies', () => {
  it('reads the generic, ComAp-native and ThinQ-native forms', () => {
    expect(normalizeCommandBody({ command: 'changeMode', params: { mode: 'MAN' } })).toEqual({ command: 'changeMode', params: { mode: 'MAN' } });
    expect(normalizeCommandBody({ command: 'changeMode', mode: 'MAN' })).toEqual({ command: 'changeMode', params: { mode: 'MAN' } });
    expect(normalizeCommandBody({ control: { operation: { airConOperationMode: 'POWER_OFF' } } })).toEqual({
      command: 'operation.airConOperationMode',
      params: { value: 'POWER_OFF' },
    });
  });
  it('names what is wrong', () => {
    expect(() => normalizeCommandBody([])).toThrow('body: expected a JSON object');
    expect(() => normalizeCommandBody({ command: '' })).toThrow('command: expected a command name');
    expect(() => normalizeCommandBody({ command: 'x', params: 3 })).toThrow('params: expected an object');
    expect(() => normalizeCommandBody({ command: 'x', params: {}, mode: 'MAN' })).toThrow('mode: not allowed next to params');
    expect(() => normalizeCommandBody({ control: { a: { b: 1, c: 2 } } })).toThrow('control: expected exactly one resource with exactly one property');
    expect(() => normalizeCommandBody({ control: { a: { b: 1 } }, command: 'x' })).toThrow('command: not allowed next to control');
  });
  it('checks parameters against the spec', () => {
    const spec: CommandSpec = {
      name: 'temperature.targetTemperature',
      label: 't',
      dangerous: false,
      params: [{ name: 'value', type: 'number', min: 16, max: 30, step: 0.5, required: true }],
    };
    expect(validateParams(spec, { value: 21.5 })).toEqual({ value: 21.5 });
    expect(() => validateParams(spec, { value: 21.3 })).toThrow('params.value: must be a multiple of 0.5 from 16');
    expect(() => validateParams(spec, { value: 31 })).toThrow('params.value: must be at most 30');
    expect(() => validateParams(spec, { value: '21' })).toThrow('params.value: expected a number');
    expect(() => validateParams(spec, {})).toThrow('params.value: required');
    const flag: CommandSpec = { name: 'f', label: 'f', dangerous: false, params: [{ name: 'on', type: 'boolean', required: false }] };
    expect(validateParams(flag, {})).toEqual({});
    expect(() => validateParams(flag, { on: 'yes' })).toThrow('params.on: expected true or false');
  });
});

describe('Device Cloud streams', () => {
  it('splits a stream id into device and metric', () => {
    expect(splitStream('00000000-00000000-00409dff-ff458726/temperature')).toEqual({ vendorId: '00000000-00000000-00409DFF-FF458726', metric: 'temperature' });
    expect(splitStream('00000000-00000000-00409DFF-FF458726/dia/channel/0/DIO/0')).toEqual({
      vendorId: '00000000-00000000-00409DFF-FF458726',
      metric: 'dia/channel/0/DIO/0',
    });
    expect(splitStream('tank/level')).toEqual({ vendorId: 'account', metric: 'tank/level' });
  });
});

describe('ThinQ', () => {
  it('flattens a state into readings, with the resource unit on numbers', () => {
    const units = new Map<string, string>();
    expect(
      stateReadings('thinq:ac', { temperature: { currentTemperature: 25, targetTemperature: 19, unit: 'C' }, operation: { mode: 'ON' }, list: [1] }, 5, units),
    ).toEqual([
      { deviceId: 'thinq:ac', metric: 'temperature.currentTemperature', value: 25, unit: 'C', ts: 5 },
      { deviceId: 'thinq:ac', metric: 'temperature.targetTemperature', value: 19, unit: 'C', ts: 5 },
      { deviceId: 'thinq:ac', metric: 'operation.mode', value: 'ON', unit: null, ts: 5 },
    ]);
    // A later report without the unit keeps the one seen before.
    expect(stateReadings('thinq:ac', { temperature: { currentTemperature: 26 } }, 6, units)).toEqual([
      { deviceId: 'thinq:ac', metric: 'temperature.currentTemperature', value: 26, unit: 'C', ts: 6 },
    ]);
  });

  it('turns writable profile properties into commands', () => {
    const profile = new DeviceProfile({
      property: {
        operation: { airConOperationMode: { type: 'enum', mode: ['r', 'w'], value: { r: ['POWER_ON', 'POWER_OFF'], w: ['POWER_ON', 'POWER_OFF'] } } },
        temperature: {
          currentTemperature: { type: 'number', mode: ['r'] },
          targetTemperature: { type: 'range', mode: ['r', 'w'], unit: 'C', value: { w: { min: 16, max: 30, step: 0.5 } } },
        },
        powerSave: { powerSaveEnabled: { type: 'boolean', mode: ['w'] } },
      },
    });
    expect(profileCommands(profile)).toEqual([
      {
        name: 'operation.airConOperationMode',
        // Names and options in words (@x/thinq's display layer); the raw values are what is sent.
        label: 'Power',
        dangerous: true,
        params: [{ name: 'value', type: 'enum', values: ['POWER_ON', 'POWER_OFF'], valueLabels: { POWER_ON: 'On', POWER_OFF: 'Off' }, required: true }],
      },
      {
        name: 'temperature.targetTemperature',
        label: 'Target temperature',
        dangerous: false,
        params: [{ name: 'value', type: 'number', min: 16, max: 30, step: 0.5, required: true, unit: 'C' }],
      },
      { name: 'powerSave.powerSaveEnabled', label: 'Power saving', dangerous: false, params: [{ name: 'value', type: 'boolean', required: true }] },
    ]);
  });
});

describe('SEPL command parameters', () => {
  const command = (data: string | undefined) => ({
    device_url: 'd',
    service_url: 's',
    service_name: 's',
    time: '0',
    task_id: 't',
    protocol_parts: data === undefined ? null : [{ name: 'metadata', value: '' }, { name: 'data', value: data }],
    device_instance_id: 'iot#1',
    worker_id: 'w',
    output_name: 'o',
  });
  it('reads the data part as a JSON object', () => {
    expect(commandParams(command('{"mode":"MAN"}'))).toEqual({ mode: 'MAN' });
    expect(commandParams(command(''))).toEqual({});
    expect(commandParams(command(undefined))).toEqual({});
    expect(() => commandParams(command('[1]'))).toThrow('the data part must be a JSON object of parameters');
    expect(() => commandParams(command('{'))).toThrow(SyntaxError);
  });
});
