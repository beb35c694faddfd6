/**
 * A small, fast reader for the XML of monitor documents (elements, attributes, text, CDATA;
 * comments and processing instructions skipped). It builds the same plain objects as the REST
 * parser (attributes and child elements as keys, `#text` beside them, repeated elements as
 * arrays, text trimmed and kept as strings) in one pass without a token stream. The five
 * predefined entities and numeric character references are decoded; a DOCTYPE is refused (no
 * entity expansion of any kind), and so is anything that is not well nested.
 */

type Obj = Record<string, unknown>;

interface Open {
  name: string;
  obj: Obj | undefined;
  text: string;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g;
/** Whitespace (space, tab, CR, LF). */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** Where a name ends: whitespace, `/`, `>`, `=`. */
const isNameEnd = (c: number): boolean => isSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d;

function skipSpace(xml: string, i: number): number {
  while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
  return i;
}

function nameEnd(xml: string, i: number): number {
  while (i < xml.length && !isNameEnd(xml.charCodeAt(i))) i++;
  return i;
}

function codePoint(ref: string): string {
  const n = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
  const allowed = n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff);
  if (!allowed) throw new SyntaxError(`character reference &${ref}; is not an XML character`);
  return String.fromCodePoint(n);
}

/** Decodes the predefined entities and character references of a text or attribute value. */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(REFERENCE, (whole, ref: string) => {
    if (ref[0] === '#') return codePoint(ref);
    const named = NAMED[ref];
    if (named === undefined) throw new SyntaxError(`undefined entity ${whole}`);
    return named;
  });
}

function addChild(parent: Open, name: string, value: unknown, arrays: ReadonlySet<string>): void {
  const obj = (parent.obj ??= {});
  const existing = obj[name];
  if (existing === undefined) obj[name] = arrays.has(name) ? [value] : value;
  // Values are strings or objects, never arrays: an array here is one this reader made.
  else if (Array.isArray(existing)) existing.push(value);
  else obj[name] = [existing, value];
}

function finish(open: Open): unknown {
  const text = open.text.trim();
  if (open.obj === undefined) return text;
  if (text !== '') open.obj['#text'] = text;
  return open.obj;
}

/** Reads `name="value"` pairs up to `>` or `/>`; returns the index after the tag and whether it closed itself. */
function readAttributes(xml: string, start: number, open: Open): { end: number; selfClosing: boolean } {
  let i = start;
  for (;;) {
    i = skipSpace(xml, i);
    const c = xml[i];
    if (c === '>') return { end: i + 1, selfClosing: false };
    if (c === '/' && xml[i + 1] === '>') return { end: i + 2, selfClosing: true };
    if (c === undefined) throw new SyntaxError(`unterminated tag <${open.name}>`);
    let j = nameEnd(xml, i);
    const name = xml.slice(i, j);
    j = skipSpace(xml, j);
    if (name === '' || xml[j] !== '=') throw new SyntaxError(`malformed attribute in <${open.name}>`);
    j = skipSpace(xml, j + 1);
    const quote = xml[j];
    if (quote !== '"' && quote !== "'") throw new SyntaxError(`unquoted attribute ${name} in <${open.name}>`);
    const valueStart = j + 1;
    const valueEnd = xml.indexOf(quote, valueStart);
    if (valueEnd < 0) throw new SyntaxError(`unterminated attribute ${name} in <${open.name}>`);
    const value = xml.slice(valueStart, valueEnd);
    if (value.includes('<')) throw new SyntaxError(`'<' in attribute ${name} of <${open.name}>`);
    (open.obj ??= {})[name] = decodeXmlText(value);
    i = valueEnd + 1;
  }
}

/** Skips `<?…?>`, `<!--…-->` and appends `<![CDATA[…]]>`; returns the index after it. */
function readSpecial(xml: string, i: number, top: Open | undefined): number {
  const close = (marker: string, from: number, what: string): number => {
    const at = xml.indexOf(marker, from);
    if (at < 0) throw new SyntaxError(`unterminated ${what}`);
    return at;
  };
  if (xml.startsWith('<?', i)) return close('?>', i + 2, 'processing instruction') + 2;
  if (xml.startsWith('<!--', i)) return close('-->', i + 4, 'comment') + 3;
  if (xml.startsWith('<![CDATA[', i)) {
    const end = close(']]>', i + 9, 'CDATA section');
    if (!top) throw new SyntaxError('CDATA outside the root element');
    top.text += xml.slice(i + 9, end);
    return end + 3;
  }
  throw new SyntaxError('DOCTYPE and other declarations are not accepted');
}

/**
 * Parses a document into `{ <root>: value }`. `arrays` names elements that are always arrays
 * (e.g. `Msg`). Throws a SyntaxError on anything that is not well-formed enough to trust.
 */
export function readXml(xml: string, arrays: ReadonlySet<string> = new Set()): Obj {
  const stack: Open[] = [];
  let root: Obj | undefined;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const top = stack[stack.length - 1];
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > i) {
      const chunk = xml.slice(i, textEnd);
      if (top) top.text = top.text === '' ? decodeXmlText(chunk) : top.text + decodeXmlText(chunk);
      else if (chunk.trim() !== '') throw new SyntaxError('text outside the root element');
    }
    if (lt < 0) break;
    const next = xml[lt + 1];
    if (next === '?' || next === '!') {
      i = readSpecial(xml, lt, top);
      continue;
    }
    if (next === '/') {
      const gt = xml.indexOf('>', lt);
      const name = gt < 0 ? '' : xml.slice(lt + 2, gt).trim();
      if (!top || name !== top.name) throw new SyntaxError(`unexpected </${name}>`);
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) addChild(parent, name, finish(top), arrays);
      else root = { [name]: finish(top) };
      i = gt + 1;
      continue;
    }
    const j = nameEnd(xml, lt + 1);
    const open: Open = { name: xml.slice(lt + 1, j), obj: undefined, text: '' };
    if (open.name === '') throw new SyntaxError(`malformed tag at ${lt}`);
    if (!top && root !== undefined) throw new SyntaxError('more than one root element');
    const { end, selfClosing } = readAttributes(xml, j, open);
    i = end;
    if (!selfClosing) stack.push(open);
    else if (top) addChild(top, open.name, finish(open), arrays);
    else root = { [open.name]: finish(open) };
  }
  if (stack.length > 0) throw new SyntaxError(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === undefined) throw new SyntaxError('no root element');
  return root;
}
