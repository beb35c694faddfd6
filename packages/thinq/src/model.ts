import { MalformedResponseError, UnsupportedValueTypeError } from './errors.js';
import { decodeXmlMonitor, encodeXmlMonitor, xmlProtocol } from './v1/xml-monitor.js';

/** A model JSON ("modelJSON") document as served at a device's `modelJsonUrl`. */
export type ModelJson = Record<string, unknown>;

/** One interpreted `Value` entry of a model (see `ModelInfo.value`). */
export type ModelValue =
  | { readonly type: 'enum'; readonly options: Readonly<Record<string, string>> }
  | { readonly type: 'range'; readonly min: number; readonly max: number; readonly step: number }
  | { readonly type: 'bit'; readonly options: Readonly<Record<number, string>>; readonly fields: readonly BitField[] }
  | { readonly type: 'reference'; readonly reference: Readonly<Record<string, unknown>> }
  | { readonly type: 'string'; readonly comment: string }
  | { readonly type: 'boolean' };

/** One flag or multi-bit field of a `Bit` value. */
export interface BitField {
  readonly startBit: number;
  readonly length: number;
  readonly name: string;
}

/** Decoded monitor data: binary frames give decimal strings, JSON frames give the parsed object. */
export type MonitorData = Record<string, unknown>;

/** A v1 control request body (`rti/rtiControl` fields other than deviceId/workId). */
export interface ControlCommand {
  cmd: string;
  cmdOpt: string;
  value: unknown;
  data: string;
  format?: 'B64';
}

/** Callback for non-fatal oddities in model data (unknown enum codes and the like). */
export type WarningHandler = (message: string) => void;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Python-style `repr` of JSON data, used to word errors exactly as wideq does. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isRecord(value)) return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  return typeof value === 'bigint' ? value.toString() : typeof value;
}

/** Label wideq returns for enum codes missing from the model. */
export const UNKNOWN_LABEL = 'Unknown';

const toNumber = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** Big-endian unsigned integer of `bytes` (exact up to 2^53; no 32-bit sign overflow). */
export function readUnsignedBE(bytes: Uint8Array): bigint | number {
  if (bytes.length > 6) {
    let big = 0n;
    for (const b of bytes) big = big * 256n + BigInt(b);
    return big;
  }
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/** The bytes of a `BINARY(HEX)` frame: UTF-8 text such as `32,00,36` (MalformedResponseError otherwise). */
function hexFrame(frame: Uint8Array): Uint8Array {
  const text = Buffer.from(frame).toString('utf8').trim();
  const parts = text === '' ? [] : text.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) throw new MalformedResponseError('BINARY(HEX) monitor data is not comma-separated hex bytes', text);
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

/**
 * Interpretation of a ThinQ v1 model JSON: value types, enum/reference look-ups, monitor decoding and
 * binary control encoding.
 */
export class ModelInfo {
  readonly data: ModelJson;
  readonly #onWarning: WarningHandler;

  constructor(data: unknown, options: { onWarning?: WarningHandler } = {}) {
    if (!isRecord(data)) throw new MalformedResponseError('model JSON must be an object', data);
    if (data.Value !== undefined && !isRecord(data.Value)) throw new MalformedResponseError('model JSON `Value` must be an object', data.Value);
    this.data = data;
    this.#onWarning = options.onWarning ?? (() => undefined);
  }

  /** `Info.modelName`, if present. */
  get modelName(): string | undefined {
    const info = this.data.Info;
    return isRecord(info) && typeof info.modelName === 'string' ? info.modelName : undefined;
  }

  /** Names of all `Value` entries. */
  valueNames(): string[] {
    return isRecord(this.data.Value) ? Object.keys(this.data.Value) : [];
  }

  #spec(name: string): Record<string, unknown> {
    if (typeof name !== 'string') throw new TypeError('name must be a string');
    const values = this.data.Value;
    const spec = isRecord(values) ? values[name] : undefined;
    if (!isRecord(spec)) throw new RangeError(`name: the model has no value named '${name}'`);
    return spec;
  }

  /** Whether the model defines a `Value` entry `name`. */
  hasValue(name: string): boolean {
    const values = this.data.Value;
    return isRecord(values) && isRecord(values[name]);
  }

  /** The interpreted `Value[name]`. Throws `UnsupportedValueTypeError` for types wideq does not know. */
  value(name: string): ModelValue {
    const spec = this.#spec(name);
    const type = spec.type;
    const option = spec.option;
    const t = typeof type === 'string' ? type : '';
    if ((t === 'Enum' || t === 'enum') && isRecord(option)) {
      const options: Record<string, string> = {};
      for (const [k, v] of Object.entries(option)) options[k] = typeof v === 'string' ? v : String(v);
      return { type: 'enum', options };
    }
    if (t === 'Range' && isRecord(option)) {
      const min = toNumber(option.min);
      const max = toNumber(option.max);
      const step = option.step === undefined ? 1 : toNumber(option.step);
      if (min !== undefined && max !== undefined && step !== undefined) return { type: 'range', min, max, step };
    }
    const lower = t.toLowerCase();
    if (lower === 'bit' && Array.isArray(option)) {
      const options: Record<number, string> = {};
      const fields: BitField[] = [];
      for (const entry of option) {
        if (!isRecord(entry)) continue;
        const start = toNumber(entry.startbit);
        if (start === undefined || typeof entry.value !== 'string') continue;
        const length = toNumber(entry.length) ?? 1;
        options[start] = entry.value;
        fields.push({ startBit: start, length, name: entry.value });
      }
      return { type: 'bit', options, fields };
    }
    if (lower === 'reference' && Array.isArray(option) && typeof option[0] === 'string') {
      const ref = this.data[option[0]];
      if (isRecord(ref)) return { type: 'reference', reference: ref };
    }
    if (lower === 'string') return { type: 'string', comment: typeof spec._comment === 'string' ? spec._comment : '' };
    if (lower === 'boolean') return { type: 'boolean' };
    throw new UnsupportedValueTypeError(`unsupported value name: '${name}' type: '${t}' data: '${pythonRepr(spec)}'`);
  }

  /** `Value[name].default`. */
  default(name: string): unknown {
    return this.#spec(name).default;
  }

  #enumOptions(key: string): Readonly<Record<string, string>> {
    const v = this.value(key);
    if (v.type !== 'enum') throw new RangeError(`key: value '${key}' is a ${v.type}, not an enum`);
    return v.options;
  }

  /** The enum code whose label is `label` (wideq `enum_value`), or undefined. */
  enumValue(key: string, label: string): string | undefined {
    for (const [code, l] of Object.entries(this.#enumOptions(key))) if (l === label) return code;
    return undefined;
  }

  /** The label of enum code `code`, or `"Unknown"` with a warning when the model has no such code. */
  enumName(key: string, code: unknown): string {
    const options = this.#enumOptions(key);
    const c = String(code);
    const label = Object.hasOwn(options, c) ? options[c] : undefined;
    if (label === undefined) {
      this.#onWarning(`model ${this.modelName ?? '?'}: value ${c} is not a valid option of ${key}`);
      return UNKNOWN_LABEL;
    }
    return label;
  }

  /** `reference[String(value)]._comment` of a Reference value, or null (wideq `reference_name`). */
  referenceName(key: string, value: unknown): string | null {
    const v = this.value(key);
    if (v.type !== 'reference') throw new RangeError(`key: value '${key}' is a ${v.type}, not a reference`);
    const entry = v.reference[String(value)];
    return isRecord(entry) && typeof entry._comment === 'string' ? entry._comment : null;
  }

  /** Every field of the `Bit` value `key` read from `raw`: `{field: value}` (multi-bit fields as integers). */
  decodeBits(key: string, raw: unknown): Record<string, number> {
    const v = this.value(key);
    if (v.type !== 'bit') throw new RangeError(`key: value '${key}' is a ${v.type}, not a bit field`);
    const n = toNumber(raw);
    if (n === undefined || !Number.isInteger(n) || n < 0) throw new RangeError(`raw: ${String(raw)} is not a non-negative integer`);
    const out: Record<string, number> = {};
    for (const f of v.fields) out[f.name] = Math.floor(n / 2 ** f.startBit) % 2 ** f.length;
    return out;
  }

  /** `Monitoring.type`, e.g. `BINARY(BYTE)` or `JSON`. */
  get monitorType(): string {
    const m = this.data.Monitoring;
    return isRecord(m) && typeof m.type === 'string' ? m.type : 'JSON';
  }

  /** Whether monitor frames are binary: raw bytes (`BINARY(BYTE)`) or comma-separated hex text (`BINARY(HEX)`). */
  get binaryMonitor(): boolean {
    return this.monitorType === 'BINARY(BYTE)' || this.monitorType === 'BINARY(HEX)';
  }

  #protocol(): { startByte: number; length: number; name: string }[] {
    const m = this.data.Monitoring;
    const protocol = isRecord(m) ? m.protocol : undefined;
    if (!Array.isArray(protocol)) throw new MalformedResponseError('model `Monitoring.protocol` must be a list', protocol);
    const out: { startByte: number; length: number; name: string }[] = [];
    for (const item of protocol) {
      if (!isRecord(item)) continue;
      const startByte = toNumber(item.startByte);
      const length = toNumber(item.length);
      if (startByte === undefined || length === undefined || typeof item.value !== 'string') continue;
      out.push({ startByte, length, name: item.value });
    }
    return out;
  }

  /**
   * Decodes one monitor frame. `BINARY(BYTE)`: every protocol field becomes the decimal string of its
   * big-endian unsigned bytes; fields that a short frame does not fully contain are left out (never
   * decoded from a truncated slice). `XML`: the text of each protocol `tag` under the root element
   * `Monitoring.tag` (a list of names splits it on `,`), as strings. Other types: UTF-8 JSON.
   */
  decodeMonitor(frame: Uint8Array): MonitorData {
    if (!(frame instanceof Uint8Array)) throw new TypeError('frame must be a Uint8Array');
    if (this.monitorType === 'XML') {
      const m = this.data.Monitoring as Record<string, unknown>;
      return decodeXmlMonitor(frame, m.tag, xmlProtocol(m.protocol));
    }
    if (this.binaryMonitor) {
      // BINARY(HEX) (ollo69's wideq): the frame is UTF-8 text of comma-separated hex bytes.
      if (this.monitorType === 'BINARY(HEX)') frame = hexFrame(frame);
      const out: Record<string, string> = {};
      for (const { startByte, length, name } of this.#protocol()) {
        if (startByte + length > frame.length) continue;
        out[name] = String(readUnsignedBE(frame.subarray(startByte, startByte + length)));
      }
      return out;
    }
    const text = Buffer.from(frame).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new MalformedResponseError('monitor data is not valid JSON', frame, { cause });
    }
    if (!isRecord(parsed)) throw new MalformedResponseError('monitor data is not a JSON object', frame);
    return parsed;
  }

  /** Encodes `values` into a frame following `Monitoring.protocol` (used by simulators); `BINARY(HEX)` as hex text, `XML` as XML. */
  encodeMonitor(values: Readonly<Record<string, unknown>>): Uint8Array {
    if (this.monitorType === 'XML') {
      const m = this.data.Monitoring as Record<string, unknown>;
      if (typeof m.tag !== 'string' || m.tag === '') throw new MalformedResponseError('model `Monitoring.tag` must name the root element', m.tag);
      return encodeXmlMonitor(values, m.tag, xmlProtocol(m.protocol));
    }
    const bytes = this.#encodeBytes(values);
    if (this.monitorType !== 'BINARY(HEX)') return bytes;
    return new TextEncoder().encode([...bytes].map((b) => b.toString(16).padStart(2, '0')).join(','));
  }

  #encodeBytes(values: Readonly<Record<string, unknown>>): Uint8Array {
    if (!this.binaryMonitor) return new TextEncoder().encode(JSON.stringify(values));
    const protocol = this.#protocol();
    const size = protocol.reduce((max, p) => Math.max(max, p.startByte + p.length), 0);
    const frame = new Uint8Array(size);
    for (const { startByte, length, name } of protocol) {
      const raw = values[name];
      let n = typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'bigint' ? BigInt(raw) : 0n;
      for (let i = length - 1; i >= 0; i--) {
        frame[startByte + i] = Number(n & 0xffn);
        n >>= 8n;
      }
    }
    return frame;
  }

  /** `ControlWifi.action` names. */
  controlActions(): string[] {
    const cw = this.data.ControlWifi;
    return isRecord(cw) && isRecord(cw.action) ? Object.keys(cw.action) : [];
  }

  /**
   * Builds the control request of `ControlWifi.action[action]`. A `data` template with `{{Key}}` holes is
   * filled from `status` (overridden by `overrides`, then falling back to model defaults), parsed as a
   * byte list and sent as raw bytes in Base64 (`value: "ControlData"`, `format: "B64"`, or the action's
   * own cmd/cmdOpt/value when it is an `encode: true` action).
   */
  controlCommand(action: string, status: Readonly<Record<string, unknown>> = {}, overrides: Readonly<Record<string, unknown>> = {}): ControlCommand {
    const cw = this.data.ControlWifi;
    const actions = isRecord(cw) && isRecord(cw.action) ? cw.action : undefined;
    const spec = actions?.[action];
    if (!isRecord(spec)) throw new RangeError(`action: the model has no control action '${action}'`);
    const template = typeof spec.data === 'string' ? spec.data : undefined;
    const binary = isRecord(cw) && cw.type === 'BINARY(BYTE)';
    const cmd = typeof spec.cmd === 'string' ? spec.cmd : 'Control';
    const cmdOpt = typeof spec.cmdOpt === 'string' ? spec.cmdOpt : 'Set';
    if (template === undefined || template === '') return { cmd, cmdOpt, value: spec.value ?? '', data: '' };
    const filled = template.replace(/\{\{([^{}]+)\}\}/g, (_m, key: string) => {
      const v = Object.hasOwn(overrides, key) ? overrides[key] : Object.hasOwn(status, key) ? status[key] : this.hasValue(key) ? this.default(key) : undefined;
      if (v === undefined || v === null) throw new RangeError(`status: no value for template key '${key}' of action '${action}'`);
      return typeof v === 'boolean' ? (v ? '1' : '0') : typeof v === 'number' || typeof v === 'string' ? String(v) : JSON.stringify(v);
    });
    if (!binary) {
      return { cmd, cmdOpt, value: spec.value ?? '', data: filled };
    }
    let list: unknown;
    try {
      list = JSON.parse(filled);
    } catch (cause) {
      throw new MalformedResponseError(`control template of '${action}' is not a byte list`, filled, { cause });
    }
    if (!Array.isArray(list) || !list.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
      throw new RangeError(`status: control '${action}' produced values outside 0..255: ${filled.slice(0, 200)}`);
    }
    const data = Buffer.from(Uint8Array.from(list as number[])).toString('base64');
    if (spec.encode === true || spec.cmd !== undefined) return { cmd, cmdOpt, value: spec.value ?? 'ControlData', data, format: 'B64' };
    return { cmd: 'Control', cmdOpt: 'Set', value: 'ControlData', data, format: 'B64' };
  }
}
