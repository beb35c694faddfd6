// Human names for the API's codes.
import type { ConnectorState } from './api.js';
import { h } from './dom.js';

/** The registry's labels (src/vendor-info.ts, bundled into the page). */
export { VENDOR_LABELS } from '../vendor-info.js';

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
