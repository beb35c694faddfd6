// Tiny DOM helpers: build elements from data without innerHTML, so nothing a device or a vendor
// sends can inject markup into the page.

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

/** Creates an element; attributes set to false/null/undefined are left out, true sets an empty one. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

/** Appends children, skipping empty ones; strings become text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces all children of an element. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** The element with this id, of the expected type, or a clear error (the page markup is ours). */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`dashboard markup: #${id} is missing or not a ${type.name}`);
  return element;
}

/** A table cell whose content sits in one box, labelled for the phone layout (label beside it). */
export function cell(label: string, attrs: Attrs, ...children: Child[]): HTMLTableCellElement {
  return h('td', { 'data-label': label, ...attrs }, h('div', { class: 'cell' }, ...children));
}
