import type { ProtocolPart } from '../command.js';

/**
 * Protocol parts as the Go websocket connector decodes them into `[]ProtocolPart{Name, Value string}`:
 * `null` (list, part or field) leaves the zero value (nil list, empty string); any other non-string
 * value is an unmarshal error, which the server answers with a 400 and keeps the session.
 */
export function decodeGoParts(value: unknown): { parts: ProtocolPart[] | null } | { error: string } {
  if (value === null || value === undefined) return { parts: null };
  if (!Array.isArray(value)) return { error: `json: cannot unmarshal ${goKind(value)} into Go struct field EventMessage.value of type []ProtocolPart` };
  const parts: ProtocolPart[] = [];
  for (const item of value as unknown[]) {
    if (item === null) {
      parts.push({ name: '', value: '' });
      continue;
    }
    if (typeof item !== 'object' || Array.isArray(item)) return { error: `json: cannot unmarshal ${goKind(item)} into Go value of type ProtocolPart` };
    const part = { name: '', value: '' };
    for (const field of ['name', 'value'] as const) {
      const raw = (item as Record<string, unknown>)[field];
      if (raw === null || raw === undefined) continue;
      if (typeof raw !== 'string') return { error: `json: cannot unmarshal ${goKind(raw)} into Go struct field ProtocolPart.${field} of type string` };
      part[field] = raw;
    }
    parts.push(part);
  }
  return { parts };
}

/** The JSON kind Go's decoder names in an UnmarshalTypeError. */
function goKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}
