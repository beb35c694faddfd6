// What the page says for a metric and a value: the server's words where it sent them (ThinQ's
// display layer, src/readable.ts), else the raw name and the formatted number with its unit.
// Pure functions (unit-tested).
import type { Device, LastValue } from './api.js';
import { formatValue } from './format.js';

/** The metric's name for people: the device's label for it, else the name as the vendor gives it. */
export function metricName(device: Pick<Device, 'labels'>, metric: string): string {
  return device.labels[metric] ?? metric;
}

/** A last value for people: the server's words, else the value formatted with its unit. */
export function valueWords(last: Pick<LastValue, 'value' | 'unit' | 'text'> | undefined): string {
  return last?.text ?? formatValue(last?.value, last?.unit);
}

const ENERGY_UNITS = new Set(['wh', 'kwh', 'mwh']);

/**
 * The metric that reports the device's energy (a counter in Wh, kWh or MWh), or null: the one
 * named like energy first, then any with an energy unit, in name order.
 */
export function energyMetric(device: Pick<Device, 'lastValues'>): string | null {
  const candidates = Object.keys(device.lastValues)
    .filter((m) => {
      const last = device.lastValues[m];
      return typeof last?.value === 'number' && ENERGY_UNITS.has((last.unit ?? '').toLowerCase());
    })
    .sort((a, b) => Number(!/energy/i.test(a)) - Number(!/energy/i.test(b)) || a.localeCompare(b));
  return candidates[0] ?? null;
}
