import { afterEach, describe, expect, it } from 'vitest';
import { ComapClient, VALUE_GUID } from './index.js';
import { HISTORY_DEFS, createJumpClock, startComapSimulator, type ComapSimulator } from './testing/index.js';
import { daysInZone, startOfDayIn } from './zoned-day.js';
import { toDayNumber } from './dates.js';

// Calendar days in the unit's (or the caller's) time zone: Jan 31 in Europe/Prague is
// 2025-01-30T23:00Z to 2025-01-31T22:59:59.999Z, not the UTC day.
const NOW = Date.UTC(2025, 1, 20, 12, 0, 0);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

const day = (mdy: string) => toDayNumber(mdy, 'day');
const iso = (ms: number) => new Date(ms).toISOString();

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function setup(): Promise<{ sim: ComapSimulator; client: ComapClient }> {
  const clock = createJumpClock(NOW);
  const sim = await startComapSimulator({ units: 2, seed: 11, rateLimit: false, now: clock.now, historyDays: 60, historyPageSize: 7 });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, clock });
  open.push(sim, client);
  return { sim, client };
}

describe('startOfDayIn / daysInZone', () => {
  it('local midnight in winter and summer, on DST days, and where a DST change skips midnight', () => {
    expect(iso(startOfDayIn(day('01/31/2025'), 'Europe/Prague'))).toBe('2025-01-30T23:00:00.000Z');
    expect(iso(startOfDayIn(day('07/01/2025'), 'Europe/Prague'))).toBe('2025-06-30T22:00:00.000Z');
    expect(iso(startOfDayIn(day('03/30/2025'), 'Europe/Prague'))).toBe('2025-03-29T23:00:00.000Z');
    expect(iso(startOfDayIn(day('03/31/2025'), 'Europe/Prague'))).toBe('2025-03-30T22:00:00.000Z');
    expect(iso(startOfDayIn(day('03/09/2025'), 'America/New_York'))).toBe('2025-03-09T05:00:00.000Z');
    expect(iso(startOfDayIn(day('01/31/2025'), 'Australia/Sydney'))).toBe('2025-01-30T13:00:00.000Z');
    expect(iso(startOfDayIn(day('01/31/2025'), 'UTC'))).toBe('2025-01-31T00:00:00.000Z');
    // Chile moved its clocks from 00:00 to 01:00 on 2024-09-08: that day starts at 01:00 (-03).
    expect(iso(startOfDayIn(day('09/08/2024'), 'America/Santiago'))).toBe('2024-09-08T04:00:00.000Z');
    const jan31 = daysInZone(day('01/31/2025'), day('01/31/2025'), 'Europe/Prague');
    expect([iso(jan31.fromMs), iso(jan31.toMs)]).toEqual(['2025-01-30T23:00:00.000Z', '2025-01-31T22:59:59.999Z']);
  });
});

describe('history with timeZone', () => {
  it('"01/31/2025" in Europe/Prague: exactly the intervals that overlap that local day, including its first hour (the UTC day would lose it)', async () => {
    const { sim, client } = await setup();
    const u = sim.units[0]!;
    const def = HISTORY_DEFS.find((d) => d.key === 'engine_state')!;
    const entries = await drain(client.historyEntries(u.unitGuid, { from: '01/31/2025', to: '01/31/2025', timeZone: 'Europe/Prague', valueGuids: [VALUE_GUID.engine_state] }));
    const fromMs = Date.parse('2025-01-30T23:00:00Z');
    const toMs = Date.parse('2025-01-31T22:59:59.999Z');
    const expected = sim.fleet.history(u, def, fromMs, toMs + 1, NOW).filter((e) => e.validTo >= fromMs);
    expect(entries.map((e) => [e.value, e.validFrom?.toISOString(), e.validTo.toISOString()])).toEqual(expected.map((e) => [e.value, iso(e.validFrom), iso(e.validTo)]));
    expect(entries.length).toBeGreaterThan(0);
    // The days asked of the API cover the local day from any zone the server may count in.
    expect(sim.requests.filter((r) => r.path.endsWith('/history')).map((r) => [r.query.from, r.query.to])).toContainEqual(['01/30/2025', '02/01/2025']);
    // Without a zone the day is sent as written and its UTC day comes back: the first local hour differs.
    const asWritten = await drain(client.historyEntries(u.unitGuid, { from: '01/31/2025', to: '01/31/2025', valueGuids: [VALUE_GUID.engine_state] }));
    expect(asWritten.every((e) => e.validTo.getTime() >= Date.parse('2025-01-31T00:00:00Z'))).toBe(true);
  });

  it('an interval ending in the first local hour of a day (23:00-24:00Z) is in that Prague day, not in the UTC day; the Prague day before stops at 22:59:59.999Z', async () => {
    const { sim, client } = await setup();
    const HOUR = 3_600_000;
    // Find, in the seeded history, an interval ending between 23:00Z and midnight UTC (00:00-01:00 in Prague, winter).
    let found: { guid: string; valueGuid: string; day: number; validTo: number } | undefined;
    for (const u of sim.units) {
      for (const d of HISTORY_DEFS) {
        for (const e of sim.fleet.history(u, d, Date.UTC(2025, 0, 2), Date.UTC(2025, 1, 10), NOW)) {
          const nextMidnight = Math.ceil(e.validTo / 86_400_000) * 86_400_000;
          if (!found && nextMidnight - e.validTo > 0 && nextMidnight - e.validTo < HOUR) found = { guid: u.unitGuid, valueGuid: VALUE_GUID[d.key], day: nextMidnight / 86_400_000, validTo: e.validTo };
        }
      }
    }
    expect(found).toBeDefined();
    const { guid, valueGuid, day: d, validTo } = found!;
    const mdy = (dayNumber: number) => new Date(dayNumber * 86_400_000).toISOString().replace(/^(\d{4})-(\d\d)-(\d\d).*$/, '$2/$3/$1');
    const zoned = await drain(client.historyEntries(guid, { from: mdy(d), to: mdy(d), timeZone: 'Europe/Prague', valueGuids: [valueGuid] }));
    expect(zoned.map((e) => e.validTo.getTime())).toContain(validTo);
    const utc = await drain(client.historyEntries(guid, { from: mdy(d), to: mdy(d), timeZone: 'UTC', valueGuids: [valueGuid] }));
    expect(utc.map((e) => e.validTo.getTime())).not.toContain(validTo);
    // The previous local day ends at 22:59:59.999Z: the interval is in it too (it ends there).
    const before = await drain(client.historyEntries(guid, { from: mdy(d - 1), to: mdy(d - 1), timeZone: 'Europe/Prague', valueGuids: [valueGuid] }));
    expect(before.every((e) => (e.validFrom ?? e.validTo).getTime() <= d * 86_400_000 - HOUR - 1)).toBe(true);
  });

  it("timeZone 'unit' reads info().timezone first and uses it; a unit zone that is no IANA name is a ComapResponseError", async () => {
    const { sim, client } = await setup();
    const u = sim.units[1]!;
    u.timezone = 'Australia/Sydney';
    const mine = await client.history(u.unitGuid, { from: '01/31/2025', to: '01/31/2025', timeZone: 'unit', valueGuids: [VALUE_GUID.engine_state] });
    const theirs = await client.history(u.unitGuid, { from: '01/31/2025', to: '01/31/2025', timeZone: 'Australia/Sydney', valueGuids: [VALUE_GUID.engine_state] });
    expect(mine).toEqual(theirs);
    const start = Date.parse('2025-01-30T13:00:00Z');
    const end = Date.parse('2025-01-31T12:59:59.999Z');
    for (const p of mine[0]!.history) expect([p.validTo.getTime() >= start, (p.validFrom ?? p.validTo).getTime() <= end]).toEqual([true, true]);
    expect(sim.requests.filter((r) => r.path.endsWith('/info'))).toHaveLength(1);
    u.timezone = '(UTC+01:00) Prague';
    await expect(client.history(u.unitGuid, { from: '01/31/2025', to: '01/31/2025', timeZone: 'unit' })).rejects.toMatchObject({
      name: 'ComapResponseError',
      message: 'history: the unit\'s timezone "(UTC+01:00) Prague" is not an IANA time zone name; pass timeZone yourself',
    });
  });

  it('a bad timeZone is refused before anything is sent', async () => {
    const { sim, client } = await setup();
    const guid = sim.units[0]!.unitGuid;
    sim.requests.length = 0;
    expect(() => client.historyEntries(guid, { timeZone: 'Mars/Olympus' })).toThrow(new RangeError('timeZone must be an IANA time zone name such as Europe/Prague or UTC, got "Mars/Olympus"'));
    expect(() => client.historyEntries(guid, { timeZone: 3 as unknown as string })).toThrow(TypeError);
    expect(() => client.historyEntries(guid, { from: '02/01/2025', to: '01/31/2025', timeZone: 'UTC' })).toThrow(RangeError);
    expect(sim.requests).toEqual([]);
  });
});

