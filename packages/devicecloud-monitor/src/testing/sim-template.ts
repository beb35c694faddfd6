/**
 * The simulator's Handlebars subset for templated history (`schema`): `{{path}}` (HTML-escaped, as
 * Handlebars does), `{{{path}}}` (raw), `{{json path}}`, `{{#each path}}…{{/each}}` (arrays and
 * objects; `this`, `@index`, `@key`, `@first`, `@last`), `{{#if path}}` / `{{#unless path}}` with
 * `{{else}}`, and `{{! comments }}`. Anything else is a TemplateError, which the simulator answers
 * with 400. Remote Manager runs Handlebars.java with many more helpers (Digi's templating page).
 */

/** A template the subset cannot read. */
export class TemplateError extends Error {}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string; escape: boolean; json: boolean }
  | { kind: 'block'; name: 'each' | 'if' | 'unless'; path: string; body: Node[]; inverse: Node[] };

interface Frame {
  context: unknown;
  data: Record<string, unknown>;
}

const PATH = /^(this|@index|@key|@first|@last|(this\.)?[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*)$/;
const TAG = /\{\{\{\s*([^}]*?)\s*\}\}\}|\{\{\s*([^}]*?)\s*\}\}/g;

function checkPath(path: string): string {
  if (!PATH.test(path)) throw new TemplateError(`unsupported expression "${path.slice(0, 60)}"`);
  return path;
}

/** The template as a tree (throws TemplateError). */
function parse(template: string): Node[] {
  const root: Node[] = [];
  const open: Array<{ node: Extract<Node, { kind: 'block' }>; inElse: boolean }> = [];
  const target = () => (open.length === 0 ? root : open[open.length - 1]!.inElse ? open[open.length - 1]!.node.inverse : open[open.length - 1]!.node.body);
  let last = 0;
  for (const m of template.matchAll(TAG)) {
    if (m.index > last) target().push({ kind: 'text', text: template.slice(last, m.index) });
    last = m.index + m[0].length;
    const tag = (m[1] ?? m[2] ?? '').trim();
    const block = /^#(each|if|unless)\s+(\S+)$/.exec(tag);
    if (m[1] !== undefined) target().push({ kind: 'value', path: checkPath(tag), escape: false, json: false });
    else if (tag.startsWith('!')) continue;
    else if (block) {
      const node: Extract<Node, { kind: 'block' }> = { kind: 'block', name: block[1] as 'each' | 'if' | 'unless', path: checkPath(block[2]!), body: [], inverse: [] };
      target().push(node);
      open.push({ node, inElse: false });
    } else if (tag === 'else') {
      if (open.length === 0) throw new TemplateError('{{else}} outside a block');
      open[open.length - 1]!.inElse = true;
    } else if (tag.startsWith('/')) {
      const closed = open.pop();
      if (!closed || closed.node.name !== tag.slice(1).trim()) throw new TemplateError(`unexpected {{${tag}}}`);
    } else if (tag.startsWith('json ')) target().push({ kind: 'value', path: checkPath(tag.slice(5).trim()), escape: false, json: true });
    else target().push({ kind: 'value', path: checkPath(tag), escape: true, json: false });
  }
  if (open.length > 0) throw new TemplateError(`{{#${open[open.length - 1]!.node.name}}} is not closed`);
  if (last < template.length) root.push({ kind: 'text', text: template.slice(last) });
  return root;
}

function lookup(frame: Frame, path: string): unknown {
  if (path.startsWith('@')) return frame.data[path.slice(1)];
  const parts = path === 'this' ? [] : path.replace(/^this\./, '').split('.');
  let value: unknown = frame.context;
  for (const part of parts) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
const truthy = (v: unknown): boolean => !(v === undefined || v === null || v === false || v === '' || v === 0 || (Array.isArray(v) && v.length === 0));
function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)) ?? '';
}

function render(nodes: Node[], frame: Frame): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'value') {
      const value = lookup(frame, node.path);
      const text = node.json ? (value === undefined ? 'null' : show(typeof value === 'string' ? JSON.stringify(value) : value)) : show(value);
      out += node.escape ? text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!) : text;
    } else if (node.name !== 'each') out += render(truthy(lookup(frame, node.path)) !== (node.name === 'unless') ? node.body : node.inverse, frame);
    else {
      const value = lookup(frame, node.path);
      const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : typeof value === 'object' && value !== null ? Object.entries(value) : [];
      if (entries.length === 0) out += render(node.inverse, frame);
      entries.forEach(([key, item], i) => {
        out += render(node.body, { context: item, data: { index: i, key, first: i === 0, last: i === entries.length - 1 } });
      });
    }
  }
  return out;
}

/** Renders `template` over `model` (throws TemplateError for what the subset does not read). */
export function renderTemplate(template: string, model: unknown): string {
  return render(parse(template), { context: model, data: {} });
}
