/** A monitor frame as the CLI prints it: each value with its label, name, bits or range. */
import type { ModelInfo, MonitorData } from '../model.js';

function describeValue(model: ModelInfo, key: string, raw: unknown): unknown {
  const v = model.value(key);
  switch (v.type) {
    case 'enum':
      return { value: raw, label: model.enumName(key, raw) };
    case 'reference':
      return { value: raw, name: model.referenceName(key, raw) };
    case 'bit':
      return { value: raw, bits: model.decodeBits(key, raw) };
    case 'range':
      return { value: raw, min: v.min, max: v.max };
    case 'string':
    case 'boolean':
      return raw;
  }
}

export function describeFrame(model: ModelInfo, data: MonitorData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(data)) {
    try {
      out[key] = model.hasValue(key) ? describeValue(model, key, raw) : raw;
    } catch {
      // A value the model cannot describe is printed as it came.
      out[key] = raw;
    }
  }
  return out;
}
