// The collectors panel, shown only when several collectors share the work through PostgreSQL
// leases (hidden with PGlite, where one collector owns everything): every live collector with
// its shard count, which one serves this page, the shards nobody collects right now, and
// whether the other collectors' live events arrive. Text only (built with h(), never markup).
import { getStatus, type ShardsStatus } from './api.js';
import { h, replaceChildren } from './dom.js';
import type { FleetStore } from './store.js';

/** How often the page asks /api/status again for ownership (shards move without a live event). */
export const SHARDS_REFRESH_MS = 10_000;

/** At most this many unowned shard numbers are listed. */
const LISTED = 12;

export interface ShardsSummary {
  /** This collector's own trouble with its leases, in words; null when there is none. */
  readonly problem: string | null;
  readonly collectors: readonly { readonly name: string; readonly shards: string; readonly self: boolean }[];
  readonly unowned: { readonly text: string; readonly warn: boolean };
  readonly liveEvents: { readonly text: string; readonly warn: boolean };
}

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the panel says; null when there is no panel (one collector, or a service that does not say). */
export function shardsSummary(s: ShardsStatus | null): ShardsSummary | null {
  if (!s || s.mode !== 'leases') return null;
  const problem =
    s.state === 'degraded'
      ? `This collector collects nothing until its leases are renewed: ${s.reason ?? 'no reason given'}`
      : s.state === 'starting'
        ? 'This collector is taking its first shards…'
        : null;
  const listed = `${s.unowned.slice(0, LISTED).join(', ')}${s.unowned.length > LISTED ? ', …' : ''}`;
  const live = s.liveEvents;
  return {
    problem,
    collectors: s.collectors.map((c) => ({ name: c.name, shards: count(c.shards, 'shard'), self: c.id === s.collector.id })),
    unowned:
      s.unowned.length === 0
        ? { text: `All ${s.total} shards are collected.`, warn: false }
        : { text: `${count(s.unowned.length, 'shard')} of ${s.total} not collected right now: ${listed}`, warn: true },
    liveEvents:
      live.state === 'reconnecting'
        ? { text: `Live events of the other collectors are not arriving (${live.reason ?? 'no reason given'}); reconnecting.`, warn: true }
        : live.state === 'connected'
          ? { text: 'Live events of the other collectors arrive.', warn: false }
          : { text: 'Only this collector\'s live events are shown.', warn: true },
  };
}

/**
 * Shards move between collectors without a live event: while there are several and the page is
 * shown, /api/status is asked again every SHARDS_REFRESH_MS (a failure leaves the panel as it
 * was; the live feed reports a lost service).
 */
export function refreshShards(store: FleetStore): void {
  setInterval(() => {
    if (store.shards?.mode !== 'leases' || document.visibilityState !== 'visible') return;
    getStatus().then(
      (status) => store.applyShards(status.shards),
      () => undefined,
    );
  }, SHARDS_REFRESH_MS);
}

/** Draws the panel into `body`; `section` is hidden when there is no panel or the overview is not shown. */
export function renderShards(section: HTMLElement, body: HTMLElement, store: FleetStore, overviewShown: boolean): void {
  const summary = shardsSummary(store.shards);
  section.hidden = !overviewShown || summary === null;
  if (!summary) return;
  const line = (testId: string, part: ShardsSummary['unowned']): HTMLParagraphElement =>
    h('p', { class: `shards-line${part.warn ? ' shards-warn' : ''}`, 'data-testid': testId }, part.text);
  replaceChildren(
    body,
    summary.problem !== null && h('p', { class: 'banner banner-error', 'data-testid': 'shards-problem' }, summary.problem),
    summary.collectors.length === 0
      ? h('p', { class: 'muted' }, 'No live collector yet.')
      : h(
          'ul',
          { class: 'collector-list', 'data-testid': 'collectors' },
          ...summary.collectors.map((c) =>
            h(
              'li',
              { class: 'collector', 'data-self': c.self },
              h('span', { class: 'collector-name' }, c.name),
              h('span', { class: 'collector-shards' }, c.shards),
              c.self && h('span', { class: 'badge badge-ok' }, 'This collector'),
            ),
          ),
        ),
    line('shards-unowned', summary.unowned),
    line('shards-live', summary.liveEvents),
  );
}
