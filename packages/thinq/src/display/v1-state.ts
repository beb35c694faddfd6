/**
 * A decoded v1 monitor frame as display items: each field's code worded through the model (enum
 * labels, reference comments, bit fields one by one), then the lang pack (`words`), the tables and
 * the humaniser.
 */
import type { ModelInfo} from '../model.js';
import { type ModelValue, type MonitorData } from '../model.js';
import { displayLabel, displayValue, humanize, type DisplayOptions } from './display.js';
import type { DisplayItem } from './display-state.js';
import { V1_FIELD_WORDS } from './words.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

function fieldLabel(field: string, words: DisplayOptions['words']): string {
  return words?.[field] ?? V1_FIELD_WORDS[field] ?? humanize(field);
}

/** The model's description of `field`, or undefined when it has none (or one of a type it cannot read). */
function valueOf(model: ModelInfo, field: string): ModelValue | undefined {
  if (!model.hasValue(field)) return undefined;
  try {
    return model.value(field);
  } catch {
    return undefined;
  }
}

/** The unit of a field: wideq reads an AC's `TempCur`/`TempCfg` in °C; a refrigerator says its unit in `TempUnit`. */
function fieldUnit(model: ModelInfo, field: string, data: MonitorData): string | null {
  if (field === 'TempCur' || field === 'TempCfg') return 'C';
  if (field !== 'TempRefrigerator' && field !== 'TempFreezer') return null;
  const unit = valueOf(model, 'TempUnit');
  const label = unit?.type === 'enum' ? unit.options[String(data.TempUnit)] : undefined;
  return label === 'C' || label === 'F' ? label : null;
}

function enumWords(options: Readonly<Record<string, string>>, raw: unknown, words: DisplayOptions['words']): string {
  const label = options[String(raw)];
  return label === undefined ? displayValue(raw, { words }) : displayLabel(label, { words });
}

function fieldWords(kind: ModelValue | undefined, raw: string | number | boolean, words: DisplayOptions['words']): string {
  switch (kind?.type) {
    case 'enum':
      return enumWords(kind.options, raw, words);
    case 'reference': {
      const entry = kind.reference[String(raw)];
      if (!isRecord(entry)) return String(raw);
      const label = typeof entry.label === 'string' ? entry.label : undefined;
      if (label !== undefined && words?.[label] !== undefined) return words[label];
      if (typeof entry._comment === 'string') return entry._comment;
      return label === undefined ? String(raw) : displayLabel(label, { words });
    }
    case 'boolean':
      return displayValue(raw === true || raw === '1' || raw === 1);
    case 'range':
      return Number.isFinite(Number(raw)) ? String(Number(raw)) : String(raw);
    case 'string':
      return String(raw);
    default:
      return displayValue(raw, { words });
  }
}

function withUnit(value: string, unit: string | null): string {
  return unit !== null && /^-?\d+(\.\d+)?$/.test(value) ? displayValue(Number(value), { unit }) : value;
}

/** One item per flag or multi-bit field of a `Bit` value (`Option1.ChildLock`). */
function bitItems(model: ModelInfo, field: string, kind: Extract<ModelValue, { type: 'bit' }>, raw: string | number | boolean, words: DisplayOptions['words']): DisplayItem[] | undefined {
  let bits: Record<string, number>;
  try {
    bits = model.decodeBits(field, raw);
  } catch {
    return undefined;
  }
  return kind.fields.map((f) => {
    const n = bits[f.name] ?? 0;
    const own = valueOf(model, f.name);
    const value = own?.type === 'enum' ? enumWords(own.options, n, words) : f.length === 1 ? displayValue(n === 1) : String(n);
    return { property: `${field}.${f.name}`, label: fieldLabel(f.name, words), value, unit: null, raw: n };
  });
}

/** The display items of a decoded v1 monitor frame (`V1Monitor`/`ModelInfo.decodeMonitor` output). */
export function v1DisplayItems(data: MonitorData, model: ModelInfo, options: DisplayOptions): DisplayItem[] {
  const words = options.words;
  const out: DisplayItem[] = [];
  for (const [field, raw] of Object.entries(data)) {
    if (!isScalar(raw)) continue;
    const kind = valueOf(model, field);
    const bits = kind?.type === 'bit' ? bitItems(model, field, kind, raw, words) : undefined;
    if (bits !== undefined) {
      out.push(...bits);
      continue;
    }
    const unit = fieldUnit(model, field, data);
    out.push({ property: field, label: fieldLabel(field, words), value: withUnit(fieldWords(kind, raw, words), unit), unit, raw });
  }
  return out;
}
