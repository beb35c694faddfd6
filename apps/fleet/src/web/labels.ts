// Human names for the API's codes.
import type { ConnectorState, Vendor } from './api.js';
import { h } from './dom.js';

export const VENDOR_LABELS: Readonly<Record<Vendor, string>> = {
  comap: 'ComAp',
  devicecloud: 'Digi Device Cloud',
  thinq: 'LG ThinQ',
};

const STATE_TEXT: Readonly<Record<ConnectorState, string>> = {
  connected: 'Connected',
  connecting: 'Connecting',
  degraded: 'Offline',
  unauthorised: 'Unauthorised',
  disabled: 'Disabled',
};

const STATE_CLASS: Readonly<Record<ConnectorState, string>> = {
  connected: 'badge-ok',
  connecting: 'badge-warn',
  degraded: 'badge-bad',
  unauthorised: 'badge-bad',
  disabled: 'badge-muted',
};

export function stateText(state: ConnectorState): string {
  return STATE_TEXT[state];
}

export function stateBadge(state: ConnectorState): HTMLSpanElement {
  return h('span', { class: `badge ${STATE_CLASS[state]}`, 'data-state': state }, STATE_TEXT[state]);
}

/** A device's online state; "Unknown" while its vendor cannot be reached (`vendorDown`). */
export function onlineBadge(online: boolean, vendorDown = false): HTMLSpanElement {
  if (vendorDown) return h('span', { class: 'badge badge-warn' }, 'Unknown');
  return h('span', { class: `badge ${online ? 'badge-ok' : 'badge-bad'}` }, online ? 'Online' : 'Offline');
}
