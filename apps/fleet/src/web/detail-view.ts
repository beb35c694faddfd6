// One device in detail: its facts and last values, a chart of one metric over a period, the
// averages by granularity (SEPL's average contract), its command controls and recent commands.
import { ApiError, GRANULARITIES, getAverage, getReadings, sendCommand, type CommandSpec, type Device, type Granularity, type Reading, type ReadingValue } from './api.js';
import { TimeSeriesChart, type ChartPoint } from './chart.js';
import { commandsTable, resultText } from './commands-table.js';
import { confirmAction } from './confirm.js';
import { h, replaceChildren } from './dom.js';
import { formatClock, formatTime, formatValue } from './format.js';
import { VENDOR_LABELS, onlineBadge } from './labels.js';
import { orderedMetrics } from './devices-view.js';
import { commandParams, paramInput } from './command-form.js';
import { vendorProblem, type Change, type FleetStore } from './store.js';
import { energyMetric, metricName, valueWords } from './words.js';

const PERIODS: ReadonlyArray<{ label: string; ms: number }> = [
  { label: 'Last 15 minutes', ms: 15 * 60_000 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
];

const WINDOWS: ReadonlyArray<{ label: string; value: string | null }> = [
  { label: 'Last hour', value: '1h' },
  { label: 'Last 24 hours', value: '24h' },
  { label: 'Last 7 days', value: '168h' },
  { label: 'Last 30 days', value: '720h' },
  { label: 'All time', value: null },
];

const GRANULARITY_LABELS: Readonly<Record<Granularity, string>> = {
  all: 'All (one average)',
  second: 'Second',
  minute: 'Minute',
  fifteen_minute: '15 minutes',
  thirty_minute: '30 minutes',
  hour: 'Hour',
  day: 'Day',
  week: 'Week',
  month: 'Month',
  quarter: 'Quarter',
  year: 'Year',
};

/** Averages are fetched again at most this often while readings stream in. */
const AVERAGE_REFRESH_MS = 5000;

/** Numbers chart as they are, booleans as 0/1; strings do not chart. */
export function chartValue(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/** Metrics that can be charted and averaged (their last value is numeric or boolean). */
export function numericMetrics(device: Device): string[] {
  return orderedMetrics(device).filter((m) => chartValue(device.lastValues[m]?.value) !== null);
}

/**
 * The device's current value for a command's parameter, to preselect it: the metric named like
 * the command (ThinQ `<resource>.<property>`), or for a `mode` parameter the device's mode value.
 */
export function currentValue(device: Device, spec: CommandSpec, param: string): ReadingValue | undefined {
  const own = device.lastValues[spec.name];
  if (own && spec.params.length === 1) return own.value;
  if (param === 'mode') {
    const metric = Object.keys(device.lastValues).find((m) => /mode$/i.test(m.replace(/\s+/g, '')));
    return metric === undefined ? undefined : device.lastValues[metric]?.value;
  }
  return undefined;
}

let idCounter = 0;
const uid = (prefix: string): string => `${prefix}-${++idCounter}`;

function select(label: string, options: ReadonlyArray<{ value: string; label: string }>, selected: string): { field: HTMLLabelElement; select: HTMLSelectElement } {
  const id = uid('sel');
  const element = h('select', { id }, ...options.map((o) => h('option', { value: o.value, selected: o.value === selected }, o.label)));
  return { field: h('label', { class: 'control', for: id }, label, element), select: element };
}

export class DetailView {
  readonly #store: FleetStore;
  readonly #section: HTMLElement;
  readonly #heading: HTMLElement;
  readonly #body: HTMLElement;
  readonly #dialog: HTMLDialogElement;
  #deviceId: string | null = null;
  #chart: TimeSeriesChart | null = null;
  #points: ChartPoint[] = [];
  #metric: string | null = null;
  #periodMs = 3_600_000;
  #granularity: Granularity = 'minute';
  #window: string | null = '1h';
  #loadRun = 0;
  #averageRun = 0;
  #averageTimer: ReturnType<typeof setTimeout> | undefined;
  #lastAverageAt = 0;
  // Parts redrawn on events.
  #problem = h('div');
  #facts = h('div');
  #lastValues = h('div');
  #chartBox = h('div');
  #chartNote = h('p', { class: 'muted', role: 'status' });
  #averages = h('div', { 'aria-live': 'polite' });
  #commandNotice = h('div');
  #commandResult = h('div', { role: 'status', 'aria-live': 'polite', class: 'command-result' });
  #recent = h('div');

  constructor(store: FleetStore, elements: { section: HTMLElement; heading: HTMLElement; body: HTMLElement; dialog: HTMLDialogElement }) {
    this.#store = store;
    this.#section = elements.section;
    this.#heading = elements.heading;
    this.#body = elements.body;
    this.#dialog = elements.dialog;
  }

  get deviceId(): string | null {
    return this.#deviceId;
  }

  /** Opens the view for a device (or shows that it is unknown / still loading). */
  open(id: string): void {
    this.close();
    this.#deviceId = id;
    this.#section.hidden = false;
    const device = this.#store.devices.get(id);
    if (!device) {
      this.#heading.textContent = 'Device';
      replaceChildren(this.#body, h('p', { class: 'state-message' }, this.#store.loaded ? `There is no device with the id “${id}”.` : 'Loading device…'));
      return;
    }
    this.#heading.textContent = device.name;
    const metrics = numericMetrics(device);
    this.#metric = metrics.includes(device.primaryMetric ?? '') ? device.primaryMetric : (metrics[0] ?? null);
    this.#build(device, metrics);
    void this.#loadReadings();
    void this.#loadAverages();
  }

  close(): void {
    this.#loadRun++;
    this.#averageRun++;
    clearTimeout(this.#averageTimer);
    this.#chart?.destroy();
    this.#chart = null;
    this.#points = [];
    this.#deviceId = null;
    this.#section.hidden = true;
    replaceChildren(this.#body);
  }

  /** Store changes that concern the open device. */
  onChange(change: Change): void {
    const id = this.#deviceId;
    if (id === null) return;
    switch (change.type) {
      case 'snapshot': {
        const device = this.#store.devices.get(id);
        if (device && this.#body.querySelector('.detail-grid') === null) {
          // The page was opened on this device's link before the fleet had loaded.
          this.open(id);
        } else {
          // A reconnect: readings and commands may have been missed meanwhile.
          this.#refreshDevice();
          this.#renderRecent();
          void this.#loadReadings();
        }
        break;
      }
      case 'device': {
        if (change.id !== id) return;
        const device = this.#store.devices.get(id);
        if (device && this.#metric === null && numericMetrics(device).length > 0) {
          // Its first numeric reading: now there is something to chart.
          this.open(id);
          return;
        }
        this.#refreshDevice();
        if (change.reading) this.#addReading(change.reading);
        break;
      }
      case 'vendor':
        this.#refreshDevice();
        break;
      case 'command':
        if (change.record.deviceId === id) this.#renderRecent();
        break;
      case 'sepl':
      case 'shards':
        break;
    }
  }

  #build(device: Device, metrics: string[]): void {
    const metricSelect = select(
      'Metric',
      metrics.map((m) => ({ value: m, label: metricName(device, m) })),
      this.#metric ?? '',
    );
    metricSelect.select.disabled = metrics.length === 0;
    metricSelect.select.addEventListener('change', () => {
      this.#metric = metricSelect.select.value;
      void this.#loadReadings();
      void this.#loadAverages();
    });
    const periodSelect = select(
      'Period',
      PERIODS.map((p) => ({ value: String(p.ms), label: p.label })),
      String(this.#periodMs),
    );
    periodSelect.select.addEventListener('change', () => {
      this.#periodMs = Number(periodSelect.select.value);
      void this.#loadReadings();
    });
    const granularitySelect = select(
      'Granularity',
      GRANULARITIES.map((g) => ({ value: g, label: GRANULARITY_LABELS[g] })),
      this.#granularity,
    );
    granularitySelect.select.addEventListener('change', () => {
      this.#granularity = granularitySelect.select.value as Granularity;
      void this.#loadAverages();
    });
    const windowSelect = select(
      'Time window',
      WINDOWS.map((w) => ({ value: w.value ?? '', label: w.label })),
      this.#window ?? '',
    );
    windowSelect.select.addEventListener('change', () => {
      this.#window = windowSelect.select.value === '' ? null : windowSelect.select.value;
      void this.#loadAverages();
    });
    const refresh = h('button', { type: 'button', class: 'button button-secondary' }, 'Refresh averages');
    refresh.addEventListener('click', () => void this.#loadAverages());

    this.#chartBox = h('div', { class: 'chart', 'data-testid': 'chart', role: 'img', 'aria-label': 'Chart loading' });
    replaceChildren(
      this.#body,
      this.#problem,
      h(
        'div',
        { class: 'detail-grid' },
        h(
          'div',
          {},
          h('h3', {}, 'Readings'),
          h('div', { class: 'controls' }, metricSelect.field, periodSelect.field),
          this.#chartBox,
          this.#chartNote,
          h('h3', {}, 'Averages'),
          h('div', { class: 'controls' }, granularitySelect.field, windowSelect.field, refresh),
          this.#averages,
        ),
        h(
          'div',
          {},
          h('h3', {}, 'Device'),
          this.#facts,
          h('h3', {}, 'Commands'),
          this.#commandNotice,
          this.#commandControls(device),
          this.#commandResult,
          h('h3', {}, 'Recent commands'),
          this.#recent,
          h('h3', {}, 'Last values'),
          this.#lastValues,
        ),
      ),
    );
    this.#refreshDevice();
    this.#renderRecent();
  }

  #refreshDevice(): void {
    const id = this.#deviceId;
    const device = id === null ? undefined : this.#store.devices.get(id);
    if (!device) return;
    this.#heading.textContent = device.name;
    const problem = vendorProblem(this.#store.vendors[device.vendor]);
    replaceChildren(this.#problem, problem && h('p', { class: 'banner banner-error', 'data-testid': 'detail-problem' }, `${VENDOR_LABELS[device.vendor]}: ${problem}. Values below may be out of date.`));
    replaceChildren(
      this.#commandNotice,
      problem && device.commands.length > 0 ? h('p', { class: 'banner banner-info' }, `Commands will fail while ${VENDOR_LABELS[device.vendor]} is unreachable.`) : null,
    );
    const lastValues = orderedMetrics(device).map((metric) => {
      const last = device.lastValues[metric];
      return h(
        'tr',
        { 'data-metric': metric },
        h('th', { scope: 'row', title: metric }, metricName(device, metric)),
        h('td', { class: 'num', 'data-testid': 'last-value' }, valueWords(last)),
        h('td', { class: 'muted' }, last ? h('time', { datetime: last.ts, title: formatTime(Date.parse(last.ts)) }, formatClock(Date.parse(last.ts), Date.now())) : '—'),
      );
    });
    const energy = energyMetric(device);
    replaceChildren(
      this.#facts,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Vendor'),
        h('dd', {}, VENDOR_LABELS[device.vendor]),
        h('dt', {}, 'Vendor id'),
        h('dd', {}, device.vendorId),
        h('dt', {}, 'Kind'),
        h('dd', {}, device.kind, device.model ? ` (${device.model})` : ''),
        h('dt', {}, 'Online'),
        h('dd', { 'data-testid': 'detail-online' }, onlineBadge(device.online, problem !== null)),
        h('dt', {}, 'Last seen'),
        h('dd', {}, device.lastSeen ? formatTime(Date.parse(device.lastSeen)) : 'never'),
        energy !== null && h('dt', {}, 'Energy'),
        energy !== null && h('dd', { 'data-testid': 'detail-energy' }, `${valueWords(device.lastValues[energy])} (${metricName(device, energy)})`),
        h('dt', {}, 'On SEPL'),
        h('dd', {}, device.sepl.registered ? 'registered' : 'not registered'),
      ),
    );
    replaceChildren(
      this.#lastValues,
      lastValues.length === 0
        ? h('p', { class: 'muted' }, 'No readings yet.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'last-values' },
              h('caption', { class: 'visually-hidden' }, 'Last value of every metric'),
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Time (UTC)'))),
              h('tbody', {}, ...lastValues),
            ),
          ),
    );
  }

  // ---- chart ---------------------------------------------------------------------------------

  async #loadReadings(): Promise<void> {
    const id = this.#deviceId;
    const metric = this.#metric;
    const run = ++this.#loadRun;
    if (id === null) return;
    if (metric === null) {
      this.#showNoChart('This device has no numeric readings to chart yet.');
      this.#chartBox.setAttribute('aria-label', 'No chart: no numeric readings');
      this.#chartNote.textContent = '';
      return;
    }
    this.#chartNote.textContent = 'Loading readings…';
    this.#chartBox.setAttribute('aria-busy', 'true');
    const to = new Date(Date.now() + 60_000);
    const from = new Date(to.getTime() - 60_000 - this.#periodMs);
    try {
      const { readings, truncated } = await getReadings(id, metric, from, to);
      if (run !== this.#loadRun) return;
      this.#points = readings.flatMap((r) => {
        const value = chartValue(r.value);
        return value === null ? [] : [{ time: Date.parse(r.ts), value }];
      });
      this.#drawChart(readings[0]?.unit ?? null, truncated);
    } catch (error) {
      if (run !== this.#loadRun) return;
      this.#showNoChart('The readings could not be loaded.');
      this.#chartNote.textContent = `Readings could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (run === this.#loadRun) this.#chartBox.removeAttribute('aria-busy');
    }
  }

  /** The open metric's name for people. */
  #metricName(): string {
    const device = this.#deviceId === null ? undefined : this.#store.devices.get(this.#deviceId);
    const metric = this.#metric ?? '';
    return device ? metricName(device, metric) : metric;
  }

  #drawChart(unit: string | null, truncated = false): void {
    const metric = this.#metricName();
    if (this.#points.length === 0) {
      this.#showNoChart('No readings in this period yet.');
    } else if (this.#chart) {
      this.#chart.setPoints(this.#points);
    } else {
      replaceChildren(this.#chartBox);
      this.#chart = new TimeSeriesChart(this.#chartBox, this.#points, { label: metric, unit: unit ?? undefined });
    }
    this.#describeChart(unit, truncated);
  }

  /** Replaces the chart with a message saying why there is none. */
  #showNoChart(text: string): void {
    this.#chart?.destroy();
    this.#chart = null;
    replaceChildren(this.#chartBox, h('div', { class: 'chart-empty' }, text));
  }

  #describeChart(unit: string | null, truncated = false): void {
    const count = this.#chart?.pointCount ?? 0;
    this.#chartBox.dataset['points'] = String(count);
    const last = this.#points.reduce<ChartPoint | undefined>((latest, p) => (!latest || p.time >= latest.time ? p : latest), undefined);
    const summary =
      count === 0 || !last
        ? `No readings of ${this.#metricName()} in this period`
        : `Chart of ${this.#metricName()}: ${count} readings, latest ${formatValue(last.value, unit)} at ${formatTime(last.time)}`;
    this.#chartBox.setAttribute('aria-label', summary);
    this.#chartNote.textContent = `${count} reading${count === 1 ? '' : 's'} shown.${truncated ? ' Too many readings: only the earliest are shown; pick a shorter period.' : ''}`;
  }

  #addReading(reading: Reading): void {
    if (reading.metric !== this.#metric) return;
    const value = chartValue(reading.value);
    if (value === null) return;
    this.#points.push({ time: Date.parse(reading.ts), value });
    const cutoff = Date.now() - this.#periodMs;
    this.#points = this.#points.filter((p) => p.time >= cutoff);
    this.#drawChart(reading.unit);
    this.#scheduleAverages();
  }

  // ---- averages ------------------------------------------------------------------------------

  #scheduleAverages(): void {
    if (this.#averageTimer !== undefined) return;
    const wait = Math.max(0, this.#lastAverageAt + AVERAGE_REFRESH_MS - Date.now());
    this.#averageTimer = setTimeout(() => {
      this.#averageTimer = undefined;
      void this.#loadAverages();
    }, wait);
  }

  async #loadAverages(): Promise<void> {
    const id = this.#deviceId;
    const metric = this.#metric;
    const run = ++this.#averageRun;
    if (id === null) return;
    if (metric === null) {
      replaceChildren(this.#averages, h('p', { class: 'muted' }, 'No numeric metric to average.'));
      return;
    }
    this.#lastAverageAt = Date.now();
    this.#averages.setAttribute('aria-busy', 'true');
    try {
      const buckets = await getAverage(id, metric, this.#granularity, this.#window);
      if (run !== this.#averageRun) return;
      const unit = this.#store.devices.get(id)?.lastValues[metric]?.unit ?? null;
      // Newest first reads best; the API answers in ascending time.
      const rows = [...buckets].reverse().map((b) =>
        h(
          'tr',
          {},
          h('td', {}, formatTime(Date.parse(b.time_stamp))),
          h('td', { class: 'num' }, formatValue(b.result, unit)),
          h('td', { class: 'num' }, b.data_points),
        ),
      );
      replaceChildren(
        this.#averages,
        rows.length === 0
          ? h('p', { class: 'muted' }, 'No numeric readings in this time window.')
          : h(
              'div',
              { class: 'table-wrap averages-wrap' },
              h(
                'table',
                { class: 'averages', 'data-testid': 'averages' },
                h('caption', { class: 'visually-hidden' }, `Average of ${metric} by ${GRANULARITY_LABELS[this.#granularity].toLowerCase()}, newest first`),
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, this.#granularity === 'all' ? 'Since' : 'Period start'), h('th', { scope: 'col' }, 'Average'), h('th', { scope: 'col' }, 'Readings'))),
                h('tbody', {}, ...rows),
              ),
            ),
      );
    } catch (error) {
      if (run !== this.#averageRun) return;
      replaceChildren(this.#averages, h('p', { class: 'banner banner-error', role: 'alert' }, `Averages could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
    } finally {
      if (run === this.#averageRun) this.#averages.removeAttribute('aria-busy');
    }
  }

  // ---- commands ------------------------------------------------------------------------------

  #commandControls(device: Device): HTMLElement {
    if (device.commands.length === 0) {
      return h('p', { class: 'muted' }, device.vendor === 'devicecloud' ? 'Digi Device Cloud devices are read-only here (the Monitor API takes no commands).' : 'This device takes no commands.');
    }
    const simple = device.commands.filter((c) => c.params.length === 0);
    const withParams = device.commands.filter((c) => c.params.length > 0);
    const actions =
      simple.length > 0
        ? h(
            'fieldset',
            { class: 'command-actions' },
            h('legend', {}, 'Actions'),
            h(
              'div',
              { class: 'control-row' },
              ...simple.map((spec) => {
                const button = h('button', { type: 'button', class: spec.dangerous ? 'button button-danger' : 'button', 'data-command': spec.name }, spec.label);
                button.addEventListener('click', () => void this.#send(spec, button, null));
                return button;
              }),
            ),
          )
        : null;
    const forms = withParams.map((spec) => {
      const inputs = spec.params.map((param) => paramInput(param, uid('param'), currentValue(device, spec, param.name)));
      const button = h('button', { type: 'submit', class: spec.dangerous ? 'button button-danger' : 'button' }, spec.params.length === 1 ? 'Set' : 'Send');
      const form = h(
        'form',
        { class: 'command-form', 'data-command': spec.name },
        h('fieldset', {}, h('legend', {}, spec.label), h('div', { class: 'control-row' }, ...inputs.map((i) => i.field), button)),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (!form.reportValidity()) return;
        void this.#send(spec, button, form);
      });
      return form;
    });
    return h('div', { class: 'commands' }, actions, ...forms);
  }

  async #send(spec: CommandSpec, button: HTMLButtonElement, form: HTMLFormElement | null): Promise<void> {
    const id = this.#deviceId;
    const device = id === null ? undefined : this.#store.devices.get(id);
    if (!device) return;
    let params: Record<string, unknown>;
    try {
      params = form ? commandParams(spec, form) : {};
    } catch (error) {
      this.#showResult('error', error instanceof Error ? error.message : String(error));
      return;
    }
    const described = Object.values(params).length > 0 ? `${spec.label} → ${Object.values(params).map(String).join(', ')}` : spec.label;
    if (spec.dangerous) {
      const ok = await confirmAction(
        this.#dialog,
        `${spec.label}: ${device.name}?`,
        `This sends “${described}” to ${device.name} (${VENDOR_LABELS[device.vendor]}). It can start, stop or change running machinery: make sure it is safe to do now.`,
        `Yes, ${spec.label.toLowerCase()}`,
      );
      if (!ok) {
        this.#showResult('info', `Cancelled: “${described}” was not sent.`);
        return;
      }
    }
    button.disabled = true;
    this.#showResult('info', `Sending “${described}”…`);
    try {
      const record = await sendCommand(device.id, spec.name, params);
      this.#store.applyCommand(record);
      const answer = resultText(record.result);
      this.#showResult('ok', `“${described}” was accepted by ${VENDOR_LABELS[device.vendor]}.${answer ? ` Answer: ${answer}` : ''}`);
    } catch (error) {
      if (error instanceof ApiError && error.command) this.#store.applyCommand(error.command);
      const reason = error instanceof Error ? error.message : String(error);
      this.#showResult('error', `“${described}” failed: ${reason}`);
    } finally {
      button.disabled = false;
    }
  }

  #showResult(kind: 'ok' | 'error' | 'info', text: string): void {
    const cls = kind === 'ok' ? 'banner banner-ok' : kind === 'error' ? 'banner banner-error' : 'banner banner-info';
    // An alert for failures (announced at once), a polite status otherwise.
    replaceChildren(this.#commandResult, h('p', { class: cls, role: kind === 'error' ? 'alert' : null, 'data-testid': 'command-result', 'data-kind': kind }, text));
  }

  #renderRecent(): void {
    const id = this.#deviceId;
    if (id === null) return;
    const records = this.#store.commandsOf(id).slice(0, 10);
    const specs = this.#store.devices.get(id)?.commands ?? [];
    const label = (name: string): string => specs.find((c) => c.name === name)?.label ?? name;
    replaceChildren(this.#recent, records.length === 0 ? h('p', { class: 'muted' }, 'No commands yet.') : commandsTable(records, 'Recent commands of this device, newest first', null, label));
  }
}
