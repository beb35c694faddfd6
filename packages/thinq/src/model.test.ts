import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isThinqError } from './errors.js';
import { ModelInfo, pythonRepr, readUnsignedBE } from './model.js';
import { wideqModel } from './fixtures.test-helper.js';

// Inline model data mirrors the cases of wideq's tests/test_client.py (sampsyo/wideq @ aa4967d).
const DATA = {
  Value: {
    AntiBacterial: { default: '0', option: { '0': '@CP_OFF_EN_W', '1': '@CP_ON_EN_W' }, type: 'Enum' },
    RinseOption: { type: 'enum', option: { '0': 'A', '1': 'B' } },
    RemainedTime: { default: '0', option: { max: 24, min: 0 }, type: 'Range' },
    Stepped: { option: { max: 30, min: 18, step: 2 }, type: 'Range' },
    Option1: {
      type: 'Bit',
      option: [
        { startbit: 0, length: 1, default: '0', value: 'ChildLock' },
        { startbit: 1, length: 1, default: '0', value: 'ReduceStatic' },
        { startbit: 2, length: 1, default: '0', value: 'EasyIron' },
        { startbit: 3, length: 1, default: '0', value: 'DampDrySingal' },
        { startbit: 4, length: 1, default: '0', value: 'WrinkleCare' },
        { startbit: 7, length: 1, default: '0', value: 'AntiBacterial' },
      ],
    },
    Course: { option: ['Course'], type: 'Reference' },
    Name: { _comment: '코스명', type: 'String' },
    Flag: { type: 'Boolean', default: false },
    Unexpected: { type: 'Unexpected', default: '0' },
  },
  Course: { '3': { _comment: 'Normal', courseType: 'Course' }, '8': { _comment: 'Towels' } },
};

describe('ModelInfo value types', () => {
  const model = new ModelInfo(DATA);

  it('reads enums (Enum and enum)', () => {
    expect(model.value('AntiBacterial')).toEqual({ type: 'enum', options: { '0': '@CP_OFF_EN_W', '1': '@CP_ON_EN_W' } });
    expect(model.value('RinseOption')).toEqual({ type: 'enum', options: { '0': 'A', '1': 'B' } });
    expect(model.enumValue('AntiBacterial', '@CP_ON_EN_W')).toBe('1');
    expect(model.enumValue('AntiBacterial', 'missing')).toBeUndefined();
    expect(model.enumName('AntiBacterial', 0)).toBe('@CP_OFF_EN_W');
  });

  it('returns Unknown with a warning for unknown enum codes', () => {
    const warnings: string[] = [];
    const m = new ModelInfo(DATA, { onWarning: (w) => warnings.push(w) });
    expect(m.enumName('AntiBacterial', '7')).toBe('Unknown');
    expect(warnings).toEqual(['model ?: value 7 is not a valid option of AntiBacterial']);
  });

  it('reads ranges with step defaulting to 1', () => {
    expect(model.value('RemainedTime')).toEqual({ type: 'range', min: 0, max: 24, step: 1 });
    expect(model.value('Stepped')).toEqual({ type: 'range', min: 18, max: 30, step: 2 });
  });

  it('reads bit values keyed by start bit', () => {
    const v = model.value('Option1');
    expect(v.type).toBe('bit');
    if (v.type !== 'bit') return;
    expect(v.options).toEqual({ 0: 'ChildLock', 1: 'ReduceStatic', 2: 'EasyIron', 3: 'DampDrySingal', 4: 'WrinkleCare', 7: 'AntiBacterial' });
    expect(model.decodeBits('Option1', '129')).toEqual({
      ChildLock: 1,
      ReduceStatic: 0,
      EasyIron: 0,
      DampDrySingal: 0,
      WrinkleCare: 0,
      AntiBacterial: 1,
    });
    expect(() => model.decodeBits('Option1', '-1')).toThrow(RangeError);
    expect(() => model.decodeBits('Course', '1')).toThrow(RangeError);
  });

  it('reads references and reference names', () => {
    expect(model.value('Course')).toEqual({ type: 'reference', reference: DATA.Course });
    expect(model.referenceName('Course', 8)).toBe('Towels');
    expect(model.referenceName('Course', '99')).toBeNull();
  });

  it('reads strings and booleans', () => {
    expect(model.value('Name')).toEqual({ type: 'string', comment: '코스명' });
    expect(model.value('Flag')).toEqual({ type: 'boolean' });
    expect(model.default('RemainedTime')).toBe('0');
  });

  it('words the unsupported-type error as wideq does', () => {
    let caught: unknown;
    try {
      model.value('Unexpected');
    } catch (err) {
      caught = err;
    }
    expect(isThinqError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      "unsupported value name: 'Unexpected' type: 'Unexpected' data: '{'type': 'Unexpected', 'default': '0'}'",
    );
    expect(() => model.value('Nope')).toThrow(RangeError);
  });

  it('rejects non-object models', () => {
    expect(() => new ModelInfo([])).toThrow(/model JSON must be an object/);
    expect(() => new ModelInfo({ Value: 3 })).toThrow(/Value/);
  });

  it('prints Python reprs', () => {
    expect(pythonRepr({ a: [1, 2.5, true, null, "it's"] })).toBe(`{'a': [1, 2.5, True, None, "it's"]}`);
    expect(pythonRepr(false)).toBe('False');
    expect(pythonRepr('a\nb')).toBe("'a\\nb'");
  });
});

describe('binary monitor decoding', () => {
  it('reads big-endian unsigned values without the 32-bit sign bug', () => {
    expect(readUnsignedBE(Uint8Array.of(0x80, 0, 0, 1))).toBe(2147483649);
    expect(readUnsignedBE(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toBe(4294967295);
    expect(readUnsignedBE(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0))).toBe(72057594037927936n);
    expect(readUnsignedBE(new Uint8Array(0))).toBe(0);
  });

  // Frames: /work/shared/specs/thinq.md §6.1 (derived from wideq's tests' POLL_DATA and the fixture models).
  it('decodes the dryer frame of the spec to wideq POLL_DATA', () => {
    const model = new ModelInfo(wideqModel('RV13B6ES_D_US_WIFI'));
    expect(model.binaryMonitor).toBe(true);
    expect(model.decodeMonitor(Buffer.from('MgA2AQsCAAMEAAAAAAAAqAAAAAEAAABk', 'base64'))).toEqual({
      State: '50', Remain_Time_H: '0', Remain_Time_M: '54', Initial_Time_H: '1', Initial_Time_M: '11', Course: '2', Error: '0',
      DryLevel: '3', TempControl: '4', TimeDry: '0', MoreLessTime: '0', Option1: '0', Option2: '168', PreState: '1',
      SmartCourse: '0', LoadItem: '0', CurrentDownloadCourse: '100',
    });
  });

  it('decodes 4-byte fields and leaves out fields a short frame does not contain', () => {
    const model = new ModelInfo(wideqModel('D3210'));
    const frame = Buffer.from('020200030e0201013b0000d0080200000000000002000002', 'hex');
    frame[16] = 0x80;
    frame[19] = 0x01;
    expect(model.decodeMonitor(frame)['16~19']).toBe('2147483649');
    const short = model.decodeMonitor(frame.subarray(0, 18));
    expect(short['16~19']).toBeUndefined();
    expect(short.SmartCourse).toBeUndefined();
    expect(short.Option3).toBe('0');
    expect(Object.keys(short)).toHaveLength(16);
  });

  it('decodes BINARY(HEX) frames (comma-separated hex text) with the same protocol, and refuses other text', () => {
    const data = wideqModel('RV13B6ES_D_US_WIFI') as Record<string, unknown>;
    const model = new ModelInfo({ ...data, Monitoring: { ...(data.Monitoring as Record<string, unknown>), type: 'BINARY(HEX)' } });
    expect(model.binaryMonitor).toBe(true);
    const bytes = Buffer.from('MgA2AQsCAAMEAAAAAAAAqAAAAAEAAABk', 'base64');
    const text = [...bytes].map((b) => b.toString(16)).join(',');
    expect(text.startsWith('32,0,36,1,b,2,0,3,4')).toBe(true);
    expect(model.decodeMonitor(Buffer.from(text))).toMatchObject({ State: '50', Remain_Time_M: '54', Option2: '168', CurrentDownloadCourse: '100' });
    expect(Buffer.from(model.encodeMonitor(model.decodeMonitor(Buffer.from(text)))).toString()).toBe([...bytes].map((b) => b.toString(16).padStart(2, '0')).join(','));
    expect(() => model.decodeMonitor(Buffer.from('32,zz,36'))).toThrow('BINARY(HEX) monitor data is not comma-separated hex bytes');
  });

  it('round-trips encodeMonitor/decodeMonitor and never throws on arbitrary bytes', () => {
    const model = new ModelInfo(wideqModel('F3L2CYV5W_WIFI'));
    const frame = Buffer.from('1e000d003a0a0000050401000000000002000017330f0004', 'hex');
    expect(Buffer.from(model.encodeMonitor(model.decodeMonitor(frame))).toString('hex')).toBe(frame.toString('hex'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const out = model.decodeMonitor(bytes);
        for (const v of Object.values(out)) expect(v).toMatch(/^\d+$/);
      }),
    );
  });

  it('parses JSON monitor frames and reports malformed ones with a bounded preview', () => {
    const model = new ModelInfo({ Monitoring: { type: 'JSON' }, Value: {} });
    expect(model.decodeMonitor(Buffer.from('{"TempCur":"25"}'))).toEqual({ TempCur: '25' });
    let caught: unknown;
    try {
      model.decodeMonitor(Buffer.alloc(4000, 0x7b));
    } catch (err) {
      caught = err;
    }
    expect((caught as { name: string }).name).toBe('MalformedResponseError');
    expect((caught as { rawPreview: string }).rawPreview.length).toBeLessThanOrEqual(1025);
    expect(() => model.decodeMonitor(Buffer.from('[1]'))).toThrow(/not a JSON object/);
    expect(() => model.decodeMonitor('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('binary control templates', () => {
  it('fills templates from status and overrides and sends raw bytes', () => {
    const model = new ModelInfo(wideqModel('D3210'));
    const cmd = model.controlCommand('OperationStart', { RinseLevel: '2', Option5: '0' }, { Option5: 200 });
    expect(cmd).toEqual({ cmd: 'Control', cmdOpt: 'Operation', value: 'Start', data: Buffer.from([2, 0, 200]).toString('base64'), format: 'B64' });
    expect(Buffer.from(cmd.data, 'base64')).toEqual(Buffer.from([2, 0, 200]));
  });

  it('uses model defaults for missing status keys and validates byte ranges', () => {
    const model = new ModelInfo(wideqModel('D3210'));
    const dl = model.controlCommand('CourseDownload', { Course: '2', SmartCourse: '1', Option1: '0' });
    expect([...Buffer.from(dl.data, 'base64')]).toEqual([2, 1, 0, 0, 0, 0]);
    expect(dl.value).toBe('ControlData');
    expect(() => model.controlCommand('CourseDownload', { Course: '300' })).toThrow(RangeError);
    expect(() => model.controlCommand('Nope')).toThrow(/no control action/);
  });

  it('sends plain actions without data', () => {
    const model = new ModelInfo(wideqModel('RV13B6ES_D_US_WIFI'));
    expect(model.controlCommand('PowerOff')).toEqual({ cmd: 'Control', cmdOpt: 'Power', value: 'Off', data: '' });
    expect(model.controlActions()).toContain('OperationStart');
  });
});
