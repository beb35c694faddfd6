// The devices table: every vendor's devices in one list, redrawn row by row as events arrive.
import type { Device } from './api.js';
import { cell, h, replaceChildren } from './dom.js';
import { formatAge } from './format.js';
import { VENDOR_LABELS, onlineBadge } from './labels.js';
import { vendorProblem, type FleetStore } from './store.js';
import { energyMetric, metricName, valueWords } from './words.js';

/** How many last values a row shows (the detail view has them all). */
const VALUES_PER_ROW = 4;
/** Rows per page: a fleet of 10,000 devices stays quick to draw and to read. */
export const PAGE_SIZE = 100;

export interface PagerElements {
  nav: HTMLElement;
  previous: HTMLButtonElement;
  next: HTMLButtonElement;
  position: HTMLElement;
}

/** The page of `total` rows that shows row `page * size` on; clamped to the last page. */
export function pageBounds(total: number, page: number, size = PAGE_SIZE): { page: number; pages: number; from: number; to: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(0, page), pages - 1);
  return { page: current, pages, from: current * size, to: Math.min(total, (current + 1) * size) };
}

export function deviceHref(id: string): string {
  return `#/device/${encodeURIComponent(id)}`;
}

/** Metrics in display order: the primary metric first, then alphabetical. */
export function orderedMetrics(device: Device): string[] {
  const metrics = Object.keys(device.lastValues).sort((a, b) => a.localeCompare(b));
  const primary = device.primaryMetric;
  if (primary !== null && metrics.includes(primary)) return [primary, ...metrics.filter((m) => m !== primary)];
  return metrics;
}

export function matchesFilter(device: Device, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return true;
  return [device.name, device.vendor, VENDOR_LABELS[device.vendor], device.kind, device.model ?? '', device.vendorId].some((text) => text.toLowerCase().includes(needle));
}

export class DevicesView {
  readonly #store: FleetStore;
  readonly #table: HTMLTableElement;
  readonly #rows: HTMLTableSectionElement;
  readonly #message: HTMLElement;
  readonly #filterInput: HTMLInputElement;
  readonly #pager: PagerElements;
  #page = 0;
  /** Devices in the store at the last full draw: a new one means drawing again. */
  #drawnTotal = 0;

  constructor(store: FleetStore, elements: { table: HTMLTableElement; rows: HTMLTableSectionElement; message: HTMLElement; filter: HTMLInputElement; pager: PagerElements }) {
    this.#store = store;
    this.#table = elements.table;
    this.#rows = elements.rows;
    this.#message = elements.message;
    this.#filterInput = elements.filter;
    this.#pager = elements.pager;
    this.#filterInput.addEventListener('input', () => {
      this.#page = 0;
      this.renderAll();
    });
    this.#pager.previous.addEventListener('click', () => this.#turn(-1));
    this.#pager.next.addEventListener('click', () => this.#turn(1));
  }

  #turn(by: number): void {
    this.#page += by;
    this.renderAll();
  }

  /** Redraws the whole table (snapshot, vendor change, filter change). */
  renderAll(): void {
    if (!this.#store.loaded) {
      this.#message.textContent = 'Loading devices…';
      this.#table.hidden = true;
      return;
    }
    const all = this.#store.sortedDevices();
    this.#drawnTotal = all.length;
    const filter = this.#filterInput.value;
    const shown = all.filter((d) => matchesFilter(d, filter));
    const bounds = pageBounds(shown.length, this.#page);
    this.#page = bounds.page;
    const focusedId = this.#focusedDeviceId();
    replaceChildren(this.#rows, ...shown.slice(bounds.from, bounds.to).map((d) => this.#row(d)));
    this.#restoreFocus(focusedId);
    this.#table.hidden = shown.length === 0;
    this.#renderPager(bounds, shown.length);
    if (all.length === 0) {
      this.#message.textContent = 'No devices yet. The enabled vendors have not reported any device; vendors that are offline are listed above.';
    } else if (shown.length === 0) {
      this.#message.textContent = `No device matches “${filter.trim()}”.`;
    } else {
      this.#message.textContent = shown.length === all.length ? '' : `Showing ${shown.length.toLocaleString('en-US')} of ${all.length.toLocaleString('en-US')} devices.`;
    }
  }

  #renderPager(bounds: ReturnType<typeof pageBounds>, total: number): void {
    const { nav, previous, next, position } = this.#pager;
    nav.hidden = bounds.pages <= 1;
    previous.disabled = bounds.page === 0;
    next.disabled = bounds.page >= bounds.pages - 1;
    const count = (n: number): string => n.toLocaleString('en-US');
    position.textContent = `${count(bounds.from + 1)}–${count(bounds.to)} of ${count(total)} (page ${bounds.page + 1} of ${bounds.pages})`;
  }

  /** Redraws one device's row (a reading or a device event); new devices redraw the table. */
  renderDevice(id: string, flash: boolean): void {
    const device = this.#store.devices.get(id);
    const existing = this.#rows.querySelector<HTMLTableRowElement>(`tr[data-device-id="${CSS.escape(id)}"]`);
    if (!device || !existing) {
      // A device on another page changed: nothing to draw. A new (or removed) one moves the pages.
      if (this.#store.devices.size !== this.#drawnTotal) this.renderAll();
      return;
    }
    if (!matchesFilter(device, this.#filterInput.value)) {
      this.renderAll();
      return;
    }
    const focusedId = this.#focusedDeviceId();
    const row = this.#row(device);
    if (flash) row.classList.add('flash');
    existing.replaceWith(row);
    this.#restoreFocus(focusedId);
  }

  #row(device: Device): HTMLTableRowElement {
    // Short here (one line per device); the vendors panel and the detail view give the reason.
    const problem = vendorProblem(this.#store.vendors[device.vendor], false);
    const metrics = orderedMetrics(device);
    const shown = metrics.slice(0, VALUES_PER_ROW);
    const values =
      shown.length === 0
        ? h('span', { class: 'muted' }, 'No readings yet')
        : h(
            'ul',
            { class: 'values' },
            ...shown.map((metric) => {
              const last = device.lastValues[metric];
              return h('li', { 'data-metric': metric }, h('span', { class: 'metric' }, `${metricName(device, metric)}: `), h('span', { class: 'value' }, valueWords(last)));
            }),
            metrics.length > shown.length && h('li', { class: 'muted' }, `+${metrics.length - shown.length} more`),
          );
    const energy = energyMetric(device);
    const energyLine = energy === null ? null : h('div', { class: 'energy', 'data-testid': 'energy', 'data-metric': energy }, `Energy: ${valueWords(device.lastValues[energy])}`);
    const seen = device.lastSeen ? h('div', { class: 'muted seen', 'data-ts': device.lastSeen }, `seen ${formatAge(Date.parse(device.lastSeen), Date.now())}`) : null;
    return h(
      'tr',
      { 'data-device-id': device.id, 'data-vendor': device.vendor },
      cell('Vendor', {}, VENDOR_LABELS[device.vendor]),
      cell('Name', {}, h('a', { href: deviceHref(device.id), 'aria-label': `${device.name}: details` }, device.name)),
      cell('Kind', {}, device.kind, device.model && h('div', { class: 'muted' }, device.model)),
      cell('Online', { 'data-testid': 'online' }, onlineBadge(device.online, problem !== null), problem && h('div', { class: 'problem' }, problem), seen),
      cell('Last values', { 'data-testid': 'values' }, energyLine, values),
    );
  }

  /** Brings the "seen … ago" texts up to date (called on a timer). */
  refreshAges(now = Date.now()): void {
    for (const element of this.#rows.querySelectorAll<HTMLElement>('.seen[data-ts]')) {
      const ts = Date.parse(element.dataset['ts'] ?? '');
      if (Number.isFinite(ts)) element.textContent = `seen ${formatAge(ts, now)}`;
    }
  }

  #focusedDeviceId(): string | null {
    const active = document.activeElement;
    return active instanceof HTMLElement && this.#rows.contains(active) ? (active.closest('tr')?.getAttribute('data-device-id') ?? null) : null;
  }

  #restoreFocus(id: string | null): void {
    if (id === null) return;
    this.#rows.querySelector<HTMLAnchorElement>(`tr[data-device-id="${CSS.escape(id)}"] a`)?.focus();
  }
}
