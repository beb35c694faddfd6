import { describe, expect, it } from 'vitest';
import { timeLabel, timeLabels } from './format.js';
import { energyMetric, metricName, valueWords } from './words.js';

const ts = '2026-12-05T01:00:00.000Z';

describe('words on the page', () => {
  it('names a metric by the server label, else as the vendor gives it', () => {
    const device = { labels: { 'airConJobMode.currentJobMode': 'Mode' } };
    expect(metricName(device, 'airConJobMode.currentJobMode')).toBe('Mode');
    expect(metricName(device, 'Act power')).toBe('Act power');
  });

  it('says a value in the server words, else formats it with its unit', () => {
    expect(valueWords({ value: 'COOL', unit: null, text: 'Cool' })).toBe('Cool');
    expect(valueWords({ value: 412.345, unit: 'kW' })).toBe('412.3 kW');
    expect(valueWords(undefined)).toBe('—');
  });

  it('finds the energy counter: named energy first, then any Wh/kWh/MWh metric', () => {
    const last = (value: unknown, unit: string | null) => ({ value: value as number, unit, ts });
    expect(energyMetric({ lastValues: { 'kWh (Import)': last(125_311, 'kWh'), 'Act power': last(400, 'kW') } })).toBe('kWh (Import)');
    expect(energyMetric({ lastValues: { a: last(1, 'Wh'), energy: last(2, 'kWh') } })).toBe('energy');
    expect(energyMetric({ lastValues: { b: last(1, 'MWh'), a: last(2, 'wh') } })).toBe('a');
    expect(energyMetric({ lastValues: { 'Act power': last(400, 'kW'), meter: last('n/a', 'kWh') } })).toBeNull();
  });
});

describe('time axis labels (UTC)', () => {
  const at = (iso: string): number => Date.parse(iso) / 1000;

  it('shows seconds only for ticks under a minute apart, the day on the first tick and where it changes', () => {
    expect(timeLabels([at('2026-12-05T01:00:00Z'), at('2026-12-05T01:00:30Z')], 30)).toEqual(['01:00:00\n12-05', '01:00:30']);
    expect(timeLabels([at('2026-12-04T22:00:00Z'), at('2026-12-04T23:00:00Z'), at('2026-12-05T00:00:00Z')], 3600)).toEqual(['22:00\n12-04', '23:00', '00:00\n12-05']);
  });

  it('shows only the date for ticks a day or more apart', () => {
    expect(timeLabel(at('2026-12-05T00:00:00Z'), 86_400, undefined)).toBe('12-05');
  });

  it('never makes a line longer than "00:00:00"', () => {
    for (const increment of [1, 30, 60, 900, 3600, 86_400, 7 * 86_400]) {
      for (const line of timeLabels([at('2026-12-31T23:59:59Z'), at('2027-01-01T00:00:00Z')], increment).flatMap((l) => l.split('\n'))) {
        expect(line.length).toBeLessThanOrEqual(8);
      }
    }
  });
});
