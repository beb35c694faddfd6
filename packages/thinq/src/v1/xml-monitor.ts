/**
 * v1 `XML` monitor frames (ollo69's wideq `decode_monitor_xml`): the frame is UTF-8 XML whose root
 * element is `Monitoring.tag`; each protocol entry `{tag: "a" | "a.b", value: name | [names]}` reads
 * the text of that element under the root; a list of names splits the text on `,` (a missing part
 * reads ""). Empty or absent elements are left out, as ollo69 skips them. Values stay strings, like
 * the binary formats' decimal strings, so enum look-ups work the same way.
 */
import { MalformedResponseError } from '../errors.js';

/** An element's content: its text, or its child elements by name (a repeated name gives a list). */
export type XmlNode = string | { readonly [name: string]: XmlNode | XmlNode[] };

/** One `Monitoring.protocol` entry of an `XML` model. */
export interface XmlProtocolEntry {
  tag: string;
  value: string | readonly string[];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

interface Frame {
  name: string;
  children: Record<string, XmlNode | XmlNode[]>;
  hasChildren: boolean;
  text: string;
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<\/\s*([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;

function close(frame: Frame): XmlNode {
  return frame.hasChildren ? frame.children : frame.text.trim();
}

function attach(parent: Frame, name: string, node: XmlNode): void {
  const existing = parent.children[name];
  parent.children[name] = existing === undefined ? node : Array.isArray(existing) ? [...existing, node] : [existing, node];
  parent.hasChildren = true;
}

/**
 * Parses the XML of a monitor frame into `{root: node}` (attributes are not needed and dropped).
 * Mismatched or unclosed elements and stray `<` are a MalformedResponseError.
 */
export function parseXml(text: string): { name: string; node: XmlNode } {
  const stack: Frame[] = [];
  let root: { name: string; node: XmlNode } | undefined;
  for (const m of text.matchAll(TOKEN)) {
    const [, cdata, closing, opening, , selfClosing, chars, stray] = m;
    const top = stack.at(-1);
    if (stray !== undefined) throw new MalformedResponseError('XML monitor data has a stray <', text);
    if (chars !== undefined || cdata !== undefined) {
      const content = cdata ?? unescapeXml(chars ?? '');
      if (top !== undefined) top.text += content;
      else if (content.trim() !== '') throw new MalformedResponseError('XML monitor data has text outside its root element', text);
    } else if (opening !== undefined) {
      if (top === undefined && root !== undefined) throw new MalformedResponseError('XML monitor data has more than one root element', text);
      const frame: Frame = { name: opening, children: {}, hasChildren: false, text: '' };
      if (selfClosing === '/') {
        if (top === undefined) root = { name: opening, node: '' };
        else attach(top, opening, '');
      } else {
        stack.push(frame);
      }
    } else if (closing !== undefined) {
      if (top === undefined || top.name !== closing) throw new MalformedResponseError(`XML monitor data closes <${closing}> where <${top?.name ?? ''}> is open`, text);
      stack.pop();
      const parent = stack.at(-1);
      if (parent === undefined) root = { name: closing, node: close(top) };
      else attach(parent, closing, close(top));
    }
  }
  if (stack.length > 0 || root === undefined) throw new MalformedResponseError('XML monitor data has no complete root element', text);
  return root;
}

/** The protocol of an `XML` model (`{tag, value}` entries; others are ignored). */
export function xmlProtocol(protocol: unknown): XmlProtocolEntry[] {
  if (!Array.isArray(protocol)) throw new MalformedResponseError('model `Monitoring.protocol` must be a list', protocol);
  const out: XmlProtocolEntry[] = [];
  for (const item of protocol as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { tag, value } = item as { tag?: unknown; value?: unknown };
    if (typeof tag !== 'string' || tag === '') continue;
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) out.push({ tag, value });
  }
  return out;
}

function lookUp(node: XmlNode, path: readonly string[]): XmlNode | XmlNode[] | undefined {
  let current: XmlNode | XmlNode[] | undefined = node;
  for (const step of path) {
    if (current === undefined || typeof current === 'string' || Array.isArray(current)) return undefined;
    current = current[step];
  }
  return current;
}

/** Decodes an `XML` frame with the model's root `tag` and protocol into `{name: string}`. */
export function decodeXmlMonitor(frame: Uint8Array, rootTag: unknown, protocol: readonly XmlProtocolEntry[]): Record<string, string> {
  const text = Buffer.from(frame).toString('utf8');
  const { name, node } = parseXml(text);
  if (typeof rootTag !== 'string' || rootTag !== name) throw new MalformedResponseError(`XML monitor data has root <${name}>, the model expects <${String(rootTag)}>`, text);
  const out: Record<string, string> = {};
  for (const { tag, value } of protocol) {
    const found = lookUp(node, tag.split('.'));
    // Repeated or nested elements are not a value; an empty one is skipped (ollo69 skips falsy values).
    if (typeof found !== 'string' || found === '') continue;
    if (typeof value === 'string') {
      out[value] = found;
      continue;
    }
    const parts = found.split(',');
    value.forEach((key, i) => (out[key] = parts[i] ?? ''));
  }
  return out;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${Object.keys(ENTITIES).find((k) => ENTITIES[k] === c) ?? 'amp'};`);
}

/** The XML frame of `values` for the model's root `tag` and protocol (simulators; the inverse of `decodeXmlMonitor`). */
export function encodeXmlMonitor(values: Readonly<Record<string, unknown>>, rootTag: string, protocol: readonly XmlProtocolEntry[]): Uint8Array {
  const tree: Record<string, unknown> = {};
  const text = (v: unknown): string =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : v === undefined || v === null ? '' : JSON.stringify(v);
  for (const { tag, value } of protocol) {
    const path = tag.split('.');
    let parent = tree;
    for (const step of path.slice(0, -1)) parent = (parent[step] ??= {}) as Record<string, unknown>;
    parent[path.at(-1) as string] = typeof value === 'string' ? text(values[value]) : value.map((k) => text(values[k])).join(',');
  }
  const render = (name: string, node: unknown): string =>
    typeof node === 'string' ? `<${name}>${escapeXml(node)}</${name}>` : `<${name}>${Object.entries(node as Record<string, unknown>).map(([k, v]) => render(k, v)).join('')}</${name}>`;
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>${render(rootTag, tree)}`);
}
