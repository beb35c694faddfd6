// The vendors panel: one line per device cloud with its connection state and, when it is
// offline or unauthorised, the reason.
import { VENDORS } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatTime } from './format.js';
import { VENDOR_LABELS, stateBadge } from './labels.js';
import type { FleetStore } from './store.js';

export function renderVendors(list: HTMLElement, store: FleetStore): void {
  list.setAttribute('aria-busy', String(!store.loaded));
  if (!store.loaded) return;
  const items = VENDORS.map((vendor) => {
    const status = store.vendors[vendor];
    if (!status) {
      return h('li', { class: 'vendor', 'data-vendor': vendor, 'data-state': 'disabled' }, h('span', { class: 'vendor-name' }, VENDOR_LABELS[vendor]), h('span', { class: 'badge badge-muted' }, 'Unknown'));
    }
    let detail: string;
    switch (status.state) {
      case 'connected':
        detail = `${status.devices} device${status.devices === 1 ? '' : 's'}${status.mode ? ` · ${status.mode}` : ''}`;
        break;
      case 'connecting':
        detail = 'Connecting…';
        break;
      case 'degraded':
        detail = `Offline since ${status.since ? formatTime(Date.parse(status.since)) : 'unknown'}: ${status.reason ?? 'no reason given'}. Retrying automatically.`;
        break;
      case 'unauthorised':
        detail = `The vendor rejected the credentials: ${status.reason ?? 'no reason given'}. Check the account in fleet.config.json.`;
        break;
      case 'disabled':
        detail = 'Not configured.';
        break;
    }
    return h(
      'li',
      { class: 'vendor', 'data-vendor': vendor, 'data-state': status.state },
      h('span', { class: 'vendor-name' }, VENDOR_LABELS[vendor]),
      stateBadge(status.state),
      h('span', { class: 'vendor-detail' }, detail),
    );
  });
  replaceChildren(list, ...items);
}
