/** Small XML helpers: escaping, a serializer for plain objects, and the shared parser setup. */
import { XMLParser } from 'fast-xml-parser';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** `<name>escaped value</name>`, or nothing for `undefined`. */
export function element(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${name}>${escapeXml(typeof value === 'string' ? value : JSON.stringify(value))}</${name}>`;
}

/** Serializes a JSON-like value as nested elements (arrays repeat the element). */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return `<${name}/>`;
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value))}</${name}>`;
}

/**
 * Parser used for every XML document we read: attributes without prefix, values kept as strings
 * (callers convert), no entity expansion beyond the predefined XML entities.
 */
export function createXmlParser(alwaysArray: readonly string[] = []): XMLParser {
  const arrays = new Set(alwaysArray);
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (tagName) => arrays.has(tagName),
  });
}
