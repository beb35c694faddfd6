// The fleet dashboard: entry point of the browser bundle (dist/web/app.js, served as
// /assets/app.js). Plain DOM: a store fed by the live feed, views that redraw what changed, and a
// hash route (#/device/<id>) for the detail view so links, Back and bookmarks work.
import { BridgeView } from './bridge-view.js';
import { DetailView } from './detail-view.js';
import { DevicesView } from './devices-view.js';
import { byId } from './dom.js';
import { LiveFeed, type LiveState } from './live.js';
import { refreshShards, renderShards } from './shards-view.js';
import { FleetStore } from './store.js';
import { renderVendors } from './vendors-view.js';

/** The device id in a `#/device/<id>` hash, or null for the overview. */
export function routeDeviceId(hash: string): string | null {
  const match = /^#\/device\/(.+)$/.exec(hash);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

function main(): void {
  const store = new FleetStore();
  const liveStatus = byId('live-status', HTMLElement);
  const pageError = byId('page-error', HTMLElement);
  const vendorList = byId('vendor-list', HTMLElement);
  const overview = [byId('vendors', HTMLElement), byId('bridge', HTMLElement), byId('devices', HTMLElement)];
  const devicesHeading = byId('devices-heading', HTMLElement);
  const detailHeading = byId('detail-heading', HTMLElement);
  const demoBadge = byId('demo-badge', HTMLElement);
  const shardsSection = byId('shards', HTMLElement);
  const shardsBody = byId('shards-body', HTMLElement);
  const drawShards = (): void => renderShards(shardsSection, shardsBody, store, routeDeviceId(location.hash) === null);

  const devices = new DevicesView(store, {
    table: byId('device-table', HTMLTableElement),
    rows: byId('device-rows', HTMLTableSectionElement),
    message: byId('devices-state', HTMLElement),
    filter: byId('device-filter', HTMLInputElement),
    pager: { nav: byId('device-pager', HTMLElement), previous: byId('device-prev', HTMLButtonElement), next: byId('device-next', HTMLButtonElement), position: byId('device-page', HTMLElement) },
  });
  const bridge = new BridgeView(byId('bridge-body', HTMLElement), store);
  const detail = new DetailView(store, {
    section: byId('detail', HTMLElement),
    heading: detailHeading,
    body: byId('detail-body', HTMLElement),
    dialog: byId('confirm-dialog', HTMLDialogElement),
  });

  store.subscribe((change) => {
    switch (change.type) {
      case 'snapshot':
        pageError.hidden = true;
        demoBadge.hidden = !store.demo;
        renderVendors(vendorList, store);
        bridge.render(true);
        devices.renderAll();
        drawShards();
        break;
      case 'shards':
        drawShards();
        break;
      case 'device':
        devices.renderDevice(change.id, change.reading !== undefined);
        break;
      case 'vendor':
        renderVendors(vendorList, store);
        devices.renderAll();
        break;
      case 'sepl':
      case 'command':
        bridge.render();
        break;
    }
    detail.onChange(change);
  });

  const setLive = (state: LiveState, text: string): void => {
    liveStatus.dataset['state'] = state;
    const label = liveStatus.querySelector('.text');
    if (label) label.textContent = text;
  };

  const feed = new LiveFeed(store, {
    onState: setLive,
    onError(message) {
      pageError.textContent = message;
      pageError.hidden = false;
    },
  });

  let lastDeviceId: string | null = null;
  const route = (): void => {
    const id = routeDeviceId(location.hash);
    if (id !== null) {
      if (detail.deviceId !== id) detail.open(id);
      for (const section of overview) section.hidden = true;
      shardsSection.hidden = true;
      lastDeviceId = id;
      detailHeading.focus();
      return;
    }
    detail.close();
    for (const section of overview) section.hidden = false;
    drawShards();
    if (lastDeviceId !== null) {
      // Back from a device: put the keyboard where the user left the table.
      const link = document.querySelector<HTMLAnchorElement>(`tr[data-device-id="${CSS.escape(lastDeviceId)}"] a`);
      (link ?? devicesHeading).focus();
      lastDeviceId = null;
    }
  };
  setInterval(() => devices.refreshAges(), 10_000);
  refreshShards(store);
  window.addEventListener('hashchange', route);
  route();
  feed.start();
  releaseWhenHidden(feed);
}

/**
 * A browser keeps at most six HTTP/1.1 connections per server, and every open dashboard holds
 * one for its live feed: a tab left in the background gives its connection back after a while,
 * and reconnects (with a fresh snapshot) when it is shown again.
 */
export const HIDDEN_RELEASE_MS = 5000;

function releaseWhenHidden(feed: LiveFeed): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let released = false;
  document.addEventListener('visibilitychange', () => {
    clearTimeout(timer);
    if (document.visibilityState === 'hidden') {
      timer = setTimeout(() => {
        released = true;
        feed.stop();
      }, HIDDEN_RELEASE_MS);
    } else if (released) {
      released = false;
      feed.start();
    }
  });
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main, { once: true });
  else main();
}
