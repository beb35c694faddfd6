import { describe, expect, it } from 'vitest';
import { bucketStart, checkGranularity, GRANULARITIES, timeWindowToMs } from './granularity.js';
import { averageBuckets, numericValue } from './testing/druid.js';

const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('granularities and time windows', () => {
  it('has the 11 documented granularities', () => {
    expect(GRANULARITIES).toEqual(['all', 'second', 'minute', 'fifteen_minute', 'thirty_minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']);
    expect(checkGranularity('hour')).toBe('hour');
    expect(() => checkGranularity('none')).toThrow(RangeError);
    expect(() => checkGranularity('none', 'q.granularity')).toThrow('q.granularity must be one of all, second');
  });

  it.each([
    ['12h', 43_200_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['1s', 1000],
  ])('time window %s is %i ms', (value, ms) => {
    expect(timeWindowToMs(value)).toBe(ms);
  });

  it.each(['0h', '12', 'h', '1.5h', '-1m', '12d', ' 12h', '012h'])('rejects time window %j', (value) => {
    expect(() => timeWindowToMs(value)).toThrow(RangeError);
  });
  it('rejects a non-string time window', () => {
    expect(() => timeWindowToMs(12, 'timeWindow')).toThrow(TypeError);
  });

  const at = t('2016-12-06T13:06:20.205Z'); // a Tuesday
  it.each([
    ['all', '2016-12-06T13:06:20.205Z'],
    ['second', '2016-12-06T13:06:20.000Z'],
    ['minute', '2016-12-06T13:06:00.000Z'],
    ['fifteen_minute', '2016-12-06T13:00:00.000Z'],
    ['thirty_minute', '2016-12-06T13:00:00.000Z'],
    ['hour', '2016-12-06T13:00:00.000Z'],
    ['day', '2016-12-06T00:00:00.000Z'],
    ['week', '2016-12-05T00:00:00.000Z'],
    ['month', '2016-12-01T00:00:00.000Z'],
    ['quarter', '2016-10-01T00:00:00.000Z'],
    ['year', '2016-01-01T00:00:00.000Z'],
  ] as const)('bucket of %s', (granularity, expected) => {
    expect(iso(bucketStart(at, granularity))).toBe(expected);
  });

  it('puts a Sunday into the week that started on Monday', () => {
    expect(iso(bucketStart(t('2016-12-11T23:59:59.999Z'), 'week'))).toBe('2016-12-05T00:00:00.000Z');
    expect(iso(bucketStart(t('2016-12-12T00:00:00.000Z'), 'week'))).toBe('2016-12-12T00:00:00.000Z');
    expect(iso(bucketStart(t('2016-11-20T10:00:00.000Z'), 'thirty_minute'))).toBe('2016-11-20T10:00:00.000Z');
    expect(iso(bucketStart(t('2016-11-20T10:44:00.000Z'), 'fifteen_minute'))).toBe('2016-11-20T10:30:00.000Z');
  });
});

describe('Druid-style average buckets (simulator)', () => {
  const points = [
    { timeMs: t('2016-11-29T12:10:00Z'), value: 6 },
    { timeMs: t('2016-11-29T12:50:00Z'), value: 7 },
    { timeMs: t('2016-12-06T13:01:00Z'), value: 5 },
    { timeMs: t('2016-12-06T13:59:00Z'), value: 8 },
    { timeMs: t('2016-12-06T14:00:00Z'), value: 1 },
  ];
  it('averages per hour, newest first', () => {
    expect(averageBuckets(points, 'hour', 0, t('2017-01-01T00:00:00Z'))).toEqual([
      { time_stamp: '2016-12-06T14:00:00.000Z', result: 1, data_points: 1 },
      { time_stamp: '2016-12-06T13:00:00.000Z', result: 6.5, data_points: 2 },
      { time_stamp: '2016-11-29T12:00:00.000Z', result: 6.5, data_points: 2 },
    ]);
  });
  it('makes one row for all, stamped with the earliest point in the window', () => {
    expect(averageBuckets(points, 'all', t('2016-12-01T00:00:00Z'), t('2017-01-01T00:00:00Z'))).toEqual([
      { time_stamp: '2016-12-06T13:01:00.000Z', result: 14 / 3, data_points: 3 },
    ]);
    expect(averageBuckets([], 'all', 0, 1)).toEqual([]);
  });
  it('groups by month and quarter', () => {
    expect(averageBuckets(points, 'month', 0, Infinity).map((r) => [r.time_stamp, r.data_points])).toEqual([
      ['2016-12-01T00:00:00.000Z', 3],
      ['2016-11-01T00:00:00.000Z', 2],
    ]);
    expect(averageBuckets(points, 'quarter', 0, Infinity)).toEqual([{ time_stamp: '2016-10-01T00:00:00.000Z', result: 27 / 5, data_points: 5 }]);
  });
  it('finds the number in protocol parts', () => {
    expect(numericValue([{ name: 'metadata', value: 'x' }, { name: 'data', value: '21.5' }])).toBe(21.5);
    expect(numericValue([{ name: 'data', value: '{"value": 3}' }])).toBe(3);
    expect(numericValue([{ name: 'data', value: '"7"' }])).toBeUndefined();
    expect(numericValue([{ name: 'data', value: '' }])).toBeUndefined();
    expect(numericValue(null)).toBeUndefined();
    expect(numericValue([{ name: 'metadata', value: '9' }, { name: 'data', value: 'on' }])).toBeUndefined();
    expect(numericValue([{ name: 'metadata', value: '9' }])).toBeUndefined();
  });
});
