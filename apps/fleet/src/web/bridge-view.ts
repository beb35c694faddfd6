// The SEPL bridge panel: is the fleet on the SEPL platform, how many devices it registered, and
// the commands the platform sent with their results.
import { h, replaceChildren } from './dom.js';
import { commandsTable } from './commands-table.js';
import { stateBadge } from './labels.js';
import type { FleetStore } from './store.js';

export function renderBridge(body: HTMLElement, store: FleetStore): void {
  body.setAttribute('aria-busy', String(!store.loaded));
  const sepl = store.sepl;
  if (!store.loaded || !sepl) return;
  if (!sepl.enabled || sepl.state === 'disabled') {
    replaceChildren(body, h('p', { class: 'muted' }, 'The SEPL bridge is not configured.'));
    return;
  }
  const problem =
    sepl.state === 'degraded' || sepl.state === 'unauthorised'
      ? h('p', { class: 'banner banner-error', 'data-testid': 'bridge-problem' }, `${sepl.state === 'degraded' ? 'Bridge offline' : 'Bridge unauthorised'}: ${sepl.reason ?? 'no reason given'}`)
      : null;
  const commands = store.commands.filter((c) => c.source === 'sepl').slice(0, 10);
  const name = (id: string): string => store.devices.get(id)?.name ?? id;
  replaceChildren(
    body,
    problem,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Connection'),
      h('dd', { 'data-testid': 'bridge-state' }, stateBadge(sepl.state)),
      h('dt', {}, 'Gateway'),
      h('dd', {}, sepl.gatewayId ?? '—'),
      h('dt', {}, 'Devices registered'),
      h('dd', { 'data-testid': 'bridge-registered' }, `${sepl.devicesRegistered} of ${store.devices.size}`),
      h('dt', {}, 'Events sent'),
      h('dd', {}, sepl.eventsSent),
      h('dt', {}, 'Commands received'),
      h('dd', { 'data-testid': 'bridge-commands' }, sepl.commandsReceived),
    ),
    h('h3', {}, 'Commands from SEPL'),
    commands.length === 0 ? h('p', { class: 'muted' }, 'No commands received yet.') : commandsTable(commands, 'Commands the SEPL platform sent, newest first', name),
  );
}
