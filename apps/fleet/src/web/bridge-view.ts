// The SEPL bridge panel: is the fleet on the SEPL platform, how many devices it registered, and
// the commands the platform sent with their results. Counters change with every event the
// bridge sends, so they are updated in place; the commands table is rebuilt only when a command
// arrives or completes.
import { commandsTable } from './commands-table.js';
import { h, replaceChildren } from './dom.js';
import { stateBadge } from './labels.js';
import type { FleetStore } from './store.js';

export class BridgeView {
  readonly #body: HTMLElement;
  readonly #store: FleetStore;
  readonly #problem = h('div');
  readonly #state = h('dd', { 'data-testid': 'bridge-state' });
  readonly #gateway = h('dd');
  readonly #registered = h('dd', { 'data-testid': 'bridge-registered' });
  readonly #eventsSent = h('dd', { 'data-testid': 'bridge-events' });
  readonly #commandsReceived = h('dd', { 'data-testid': 'bridge-commands' });
  readonly #commands = h('div');
  #commandsKey: string | null = null;
  #mode: 'loading' | 'disabled' | 'enabled' = 'loading';

  constructor(body: HTMLElement, store: FleetStore) {
    this.#body = body;
    this.#store = store;
  }

  /** `full`: also rebuild the commands table (device names may have changed). */
  render(full = false): void {
    if (full) this.#commandsKey = null;
    const store = this.#store;
    const sepl = store.sepl;
    this.#body.setAttribute('aria-busy', String(!store.loaded));
    if (!store.loaded || !sepl) return;
    if (!sepl.enabled || sepl.state === 'disabled') {
      if (this.#mode !== 'disabled') replaceChildren(this.#body, h('p', { class: 'muted' }, 'The SEPL bridge is not configured.'));
      this.#mode = 'disabled';
      return;
    }
    if (this.#mode !== 'enabled') {
      this.#mode = 'enabled';
      this.#commandsKey = null;
      replaceChildren(
        this.#body,
        this.#problem,
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Connection'),
          this.#state,
          h('dt', {}, 'Gateway'),
          this.#gateway,
          h('dt', {}, 'Devices registered'),
          this.#registered,
          h('dt', {}, 'Events sent'),
          this.#eventsSent,
          h('dt', {}, 'Commands received'),
          this.#commandsReceived,
        ),
        h('h3', {}, 'Commands from SEPL'),
        this.#commands,
      );
    }
    const problem =
      sepl.state === 'degraded' || sepl.state === 'unauthorised'
        ? h('p', { class: 'banner banner-error', 'data-testid': 'bridge-problem' }, `${sepl.state === 'degraded' ? 'Bridge offline' : 'Bridge unauthorised'}: ${sepl.reason ?? 'no reason given'}`)
        : null;
    replaceChildren(this.#problem, problem);
    if (this.#state.dataset['state'] !== sepl.state) {
      this.#state.dataset['state'] = sepl.state;
      replaceChildren(this.#state, stateBadge(sepl.state));
    }
    this.#gateway.textContent = sepl.gatewayId ?? '—';
    this.#registered.textContent = `${sepl.devicesRegistered} of ${store.devices.size}`;
    this.#eventsSent.textContent = String(sepl.eventsSent);
    this.#commandsReceived.textContent = String(sepl.commandsReceived);

    const commands = store.commands.filter((c) => c.source === 'sepl').slice(0, 10);
    const key = commands.map((c) => `${c.id}:${c.status}`).join(',');
    if (key === this.#commandsKey) return;
    this.#commandsKey = key;
    const name = (id: string): string => store.devices.get(id)?.name ?? id;
    replaceChildren(
      this.#commands,
      commands.length === 0 ? h('p', { class: 'muted' }, 'No commands received yet.') : commandsTable(commands, 'Commands the SEPL platform sent, newest first', name),
    );
  }
}
