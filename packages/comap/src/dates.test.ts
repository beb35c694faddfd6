import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatComapDate, formatDay, inclusiveDays, parseComapTimestamp, splitIntoWindows, toDayNumber } from './dates.js';

describe('parseComapTimestamp', () => {
  it('reads .NET 7-digit fractions with an offset (WSV v1.1 export)', () => {
    expect(parseComapTimestamp('2018-06-10T19:08:14.6350000+00:00')?.toISOString()).toBe('2018-06-10T19:08:14.635Z');
  });
  it('reads millisecond timestamps with Z (older portal pages)', () => {
    expect(parseComapTimestamp('2018-06-10T19:08:14.635Z')?.toISOString()).toBe('2018-06-10T19:08:14.635Z');
  });
  it('applies offsets and truncates (not rounds) extra digits', () => {
    expect(parseComapTimestamp('2023-11-05T10:00:00.9999999+02:00')?.toISOString()).toBe('2023-11-05T08:00:00.999Z');
    expect(parseComapTimestamp('2023-11-05T10:00:00-0530')?.toISOString()).toBe('2023-11-05T15:30:00.000Z');
    expect(parseComapTimestamp('2023-11-05T10:00:00.1+01')?.toISOString()).toBe('2023-11-05T09:00:00.100Z');
  });
  it('reads a timestamp without offset as UTC, and a bare date as midnight UTC', () => {
    expect(parseComapTimestamp('2023-11-05T10:00:00')?.toISOString()).toBe('2023-11-05T10:00:00.000Z');
    expect(parseComapTimestamp('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });
  it('rejects impossible dates and garbage', () => {
    for (const bad of ['2023-02-29T00:00:00Z', '2023-13-01T00:00:00Z', '2023-01-01T24:00:00Z', '2023-01-01T10:60:00Z', '2023-01-01T10:00:00+25:00', 'yesterday', '', '11/05/2023']) {
      expect(parseComapTimestamp(bad), bad).toBeUndefined();
    }
  });
  it('round-trips any instant written in the .NET style (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true }), fc.integer({ min: 0, max: 9999 }), (d, extra) => {
        const iso = d.toISOString();
        const dotnet = `${iso.slice(0, -1)}${String(extra).padStart(4, '0')}+00:00`;
        expect(parseComapTimestamp(dotnet)?.getTime()).toBe(d.getTime());
      }),
    );
  });
  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const d = parseComapTimestamp(s);
        expect(d === undefined || !Number.isNaN(d.getTime())).toBe(true);
      }),
    );
  });
});

describe('history days', () => {
  it('reads MM/DD/YYYY and Dates (UTC day), writes MM/DD/YYYY', () => {
    expect(formatDay(toDayNumber('11/01/2023', 'from'))).toBe('11/01/2023');
    expect(formatDay(toDayNumber('2/9/2024', 'from'))).toBe('02/09/2024');
    expect(formatDay(toDayNumber(new Date('2024-02-29T23:59:59.999Z'), 'from'))).toBe('02/29/2024');
    expect(formatComapDate(new Date('2023-11-02T00:00:00Z'))).toBe('11/02/2023');
  });
  it('names the parameter on bad input', () => {
    expect(() => toDayNumber('02/29/2023', 'from')).toThrow(new RangeError('from is not a calendar date: "02/29/2023"'));
    expect(() => toDayNumber('2023-11-01', 'to')).toThrow(/^to must be a date written MM\/DD\/YYYY/);
    expect(() => toDayNumber('01/01/0099', 'from')).toThrow(new RangeError('from must be in 1970 or later, got "01/01/0099"'));
    expect(formatDay(toDayNumber('01/01/1970', 'from'))).toBe('01/01/1970');
    expect(() => toDayNumber(new Date(-1), 'to')).toThrow(new RangeError('to must be in 1970 or later, got 1969-12-31T23:59:59.999Z'));
    expect(() => toDayNumber(new Date(Number.NaN), 'to')).toThrow(new RangeError('to is an invalid Date'));
    expect(() => toDayNumber(20231101 as unknown as string, 'from')).toThrow(TypeError);
  });
  it('splits into 31-day windows across month ends and a leap day', () => {
    const w = splitIntoWindows(toDayNumber('01/15/2024', 'f'), toDayNumber('04/20/2024', 't')).map((x) => `${formatDay(x.from)}-${formatDay(x.to)}`);
    expect(w).toEqual(['01/15/2024-02/14/2024', '02/15/2024-03/16/2024', '03/17/2024-04/16/2024', '04/17/2024-04/20/2024']);
    const nonLeap = splitIntoWindows(toDayNumber('02/15/2023', 'f'), toDayNumber('03/20/2023', 't')).map((x) => `${formatDay(x.from)}-${formatDay(x.to)}`);
    expect(nonLeap).toEqual(['02/15/2023-03/17/2023', '03/18/2023-03/20/2023']);
    const yearEnd = splitIntoWindows(toDayNumber('12/15/2023', 'f'), toDayNumber('01/20/2024', 't')).map((x) => `${formatDay(x.from)}-${formatDay(x.to)}`);
    expect(yearEnd).toEqual(['12/15/2023-01/14/2024', '01/15/2024-01/20/2024']);
    // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
    expect(() => toDayNumber('02/29/2100', 'from')).toThrow(RangeError);
    const century = splitIntoWindows(toDayNumber('02/01/2000', 'f'), toDayNumber('03/05/2000', 't')).map((x) => `${formatDay(x.from)}-${formatDay(x.to)}`);
    expect(century).toEqual(['02/01/2000-03/02/2000', '03/03/2000-03/05/2000']);
    expect(splitIntoWindows(5, 5)).toEqual([{ from: 5, to: 5 }]);
    expect(() => splitIntoWindows(6, 5)).toThrow(RangeError);
    expect(() => splitIntoWindows(1, 5, 0)).toThrow(RangeError);
  });
  it('windows cover the range exactly, contiguously, each at most 31 days (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 800 }), (from, len) => {
        const w = splitIntoWindows(from, from + len);
        expect(w[0]?.from).toBe(from);
        expect(w.at(-1)?.to).toBe(from + len);
        w.forEach((x, i) => {
          expect(inclusiveDays(x.from, x.to)).toBeLessThanOrEqual(31);
          expect(inclusiveDays(x.from, x.to)).toBeGreaterThanOrEqual(1);
          if (i > 0) expect(x.from).toBe((w[i - 1]?.to ?? 0) + 1);
        });
        expect(w.length).toBe(Math.ceil((len + 1) / 31));
      }),
    );
  });
});
