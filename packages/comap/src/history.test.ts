import { afterEach, describe, expect, it } from 'vitest';
import { isComapResponseError } from './errors.js';
import { inclusiveDays, toDayNumber } from './dates.js';
import { collectHistory, planHistory, walkHistory } from './history.js';
import { ComapClient, VALUE_GUID, type HistoryEntry, type HistoryValue } from './index.js';
import { HISTORY_DEFS, createJumpClock, startComapSimulator, type ComapSimulator, type ComapSimulatorOptions } from './testing/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function setup(options: ComapSimulatorOptions = {}): Promise<{ sim: ComapSimulator; client: ComapClient }> {
  const clock = createJumpClock(NOW);
  const sim = await startComapSimulator({ units: 2, rateLimit: false, now: clock.now, historyPageSize: 25, ...options });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, clock });
  open.push(sim, client);
  return { sim, client };
}

/** What the API holds for [from, to] (inclusive days), per value: each interval once. */
function truth(sim: ComapSimulator, unitIndex: number, from: string, to: string, validFrom = true): HistoryValue[] {
  const u = sim.units[unitIndex]!;
  const fromMs = toDayNumber(from, 'from') * DAY;
  const toMs = (toDayNumber(to, 'to') + 1) * DAY;
  return HISTORY_DEFS.map((d) => ({
    name: d.name,
    valueGuid: VALUE_GUID[d.key],
    unit: d.unit,
    decimalPlaces: d.decimalPlaces,
    history: sim.fleet.history(u, d, fromMs, toMs, NOW).map((e) => (validFrom ? { value: e.value, validFrom: new Date(e.validFrom), validTo: new Date(e.validTo) } : { value: e.value, validTo: new Date(e.validTo) })),
  })).filter((v) => v.history.length > 0);
}

function historyRequests(sim: ComapSimulator) {
  return sim.requests.filter((r) => r.path.endsWith('/history')).map((r) => r.query);
}

describe('history against the simulator', () => {
  it('splits across month ends and the 2024 leap day, pages by nextOffset, merges per value, reports straddling entries once', async () => {
    const { sim, client } = await setup();
    const guid = sim.units[0]!.unitGuid;
    const progress: string[] = [];
    const result = await client.history(guid, { from: '01/15/2024', to: '04/20/2024', onProgress: (p) => progress.push(`${p.window}/${p.windows} ${p.from}-${p.to}`) });
    const queries = historyRequests(sim);
    const windows = [...new Set(queries.map((q) => `${q.from}-${q.to}`))];
    expect(windows).toEqual(['01/15/2024-02/14/2024', '02/15/2024-03/16/2024', '03/17/2024-04/16/2024', '04/17/2024-04/20/2024']);
    expect(progress).toEqual(windows.map((w, i) => `${i + 1}/4 ${w}`));
    for (const w of windows) {
      const offsets = queries.filter((q) => `${q.from}-${q.to}` === w).map((q) => Number(q.offset));
      expect(offsets).toEqual(offsets.map((_, i) => i * 25));
    }
    expect(queries.length).toBeGreaterThan(8);
    for (const q of queries) expect(inclusiveDays(toDayNumber(q.from!, 'f'), toDayNumber(q.to!, 't'))).toBeLessThanOrEqual(31);
    const expected = truth(sim, 0, '01/15/2024', '04/20/2024');
    expect(result).toEqual(expected);
    // The windows overlap at their edges: the raw pages held more entries than the merged result.
    const perWindow = windows.reduce((n, w) => {
      const [f, t] = w.split('-') as [string, string];
      return n + truth(sim, 0, f, t).reduce((m, v) => m + v.history.length, 0);
    }, 0);
    expect(perWindow).toBeGreaterThan(expected.reduce((m, v) => m + v.history.length, 0));
  });

  it('the async iterator yields the same entries, fetching lazily', async () => {
    const { sim, client } = await setup();
    const guid = sim.units[1]!.unitGuid;
    const entries: HistoryEntry[] = [];
    for await (const e of client.historyEntries(guid, { from: '02/01/2024', to: '03/31/2024', valueGuids: [VALUE_GUID.engine_state, VALUE_GUID.fuel_level] })) entries.push(e);
    const expected = truth(sim, 1, '02/01/2024', '03/31/2024').filter((v) => v.valueGuid === VALUE_GUID.engine_state || v.valueGuid === VALUE_GUID.fuel_level);
    for (const v of expected) {
      expect(entries.filter((e) => e.valueGuid === v.valueGuid).map((e) => ({ value: e.value, validFrom: e.validFrom, validTo: e.validTo }))).toEqual(v.history);
    }
    expect(entries).toHaveLength(expected.reduce((n, v) => n + v.history.length, 0));
    expect(entries[0]).toMatchObject({ name: expect.any(String) as string, unit: expect.any(String) as string, decimalPlaces: expect.any(Number) as number });
    expect(historyRequests(sim).every((q) => q.valueGuids === `${VALUE_GUID.engine_state},${VALUE_GUID.fuel_level}`)).toBe(true);

    const before = historyRequests(sim).length;
    let seen = 0;
    for await (const _ of client.historyEntries(guid, { from: '06/01/2023', to: '05/31/2024' })) {
      if (++seen === 3) break;
    }
    expect(historyRequests(sim).length - before).toBe(1);
  });

  it('works without validFrom (newer API) and reports an interval re-read in a later window once, with its latest validTo', async () => {
    const { sim, client } = await setup({ historyValidFrom: false, historyPageSize: 1000 });
    const guid = sim.units[0]!.unitGuid;
    const result = await client.history(guid, { from: '01/01/2024', to: '03/15/2024' });
    expect(result).toEqual(truth(sim, 0, '01/01/2024', '03/15/2024', false));
    for (const v of result) for (const h of v.history) expect(h.validFrom).toBeUndefined();
    // The open interval (current value) is returned by every window after it began.
    const open = await client.history(guid, { from: '05/20/2024', to: '07/30/2024', valueGuids: VALUE_GUID.engine_state });
    const h = open[0]!.history;
    expect(new Set(h.map((x) => x.validTo.getTime())).size).toBe(h.length);
    expect(h.at(-1)!.validTo.getTime()).toBeGreaterThanOrEqual(NOW);
    expect(h.at(-1)!.value).toBe(sim.units[0]!.state.running ? (sim.units[0]!.state.gcbClosed ? 'Loaded' : 'Running') : sim.units[0]!.state.alarms.length ? 'Not Ready' : 'Ready');
  });

  it('defaults to the 1st of this month until today; rejects bad ranges before sending', async () => {
    const { sim, client } = await setup();
    const guid = sim.units[0]!.unitGuid;
    await client.history(guid);
    expect(historyRequests(sim)[0]).toMatchObject({ from: '06/01/2024', to: '06/01/2024', offset: '0' });
    const n = sim.requests.length;
    await expect(client.history(guid, { from: '03/02/2024', to: '03/01/2024' })).rejects.toThrow(new RangeError('from (03/02/2024) must not be after to (03/01/2024)'));
    expect(() => client.historyEntries(guid, { from: '2024-03-01' })).toThrow(RangeError);
    expect(() => client.historyEntries(guid, { onProgress: 1 as never })).toThrow(new TypeError('onProgress must be a function'));
    expect(() => client.historyEntries(guid, null as never)).toThrow(new TypeError('historyEntries() options must be an object'));
    expect(sim.requests.length).toBe(n);
  });

  it('values changed by a command show up as a new history entry', async () => {
    const { sim, client } = await setup();
    const u = sim.units.find((x) => x.state.mode !== 'MAN')!;
    const before = u.state.mode;
    await client.command(u.unitGuid, { command: 'changeMode', mode: 'man' });
    const [mode] = await client.history(u.unitGuid, { from: '06/01/2024', to: '06/01/2024', valueGuids: [VALUE_GUID.mode] });
    expect(mode!.history.at(-1)!.value).toBe('MAN');
    expect(mode!.history.at(-2)!.value).toBe(before);
    expect(mode!.history.at(-1)!.validFrom!.getTime()).toBe(u.commands[0]!.at);
  });

  it('a failing page surfaces as an error of the iterator after the entries already yielded', async () => {
    const { sim, client } = await setup();
    const guid = sim.units[0]!.unitGuid;
    const seen: HistoryEntry[] = [];
    const it = client.historyEntries(guid, { from: '01/01/2024', to: '01/31/2024' });
    const first = await it.next();
    if (!first.done) seen.push(first.value);
    sim.faults.fail(10, 500, '/history');
    let error: unknown;
    try {
      for await (const e of it) seen.push(e);
    } catch (e) {
      error = e;
    }
    expect((error as { status?: number }).status).toBe(500);
    // The first page's 25 entries (one value) minus its last, held back to see whether the next page continues it.
    expect(seen).toHaveLength(24);
  });
});

describe('walkHistory edge cases', () => {
  it('a nextOffset that does not advance is a ComapResponseError, not an endless loop', async () => {
    const plan = planHistory({ from: '01/01/2024', to: '01/02/2024' }, NOW);
    const walk = walkHistory(plan, () => Promise.resolve({ values: [], nextOffset: 0 }));
    const e = await collectHistory(walk).catch((x: unknown) => x);
    expect(isComapResponseError(e)).toBe(true);
    expect((e as Error).message).toBe('history: nextOffset 0 does not advance past offset 0');
  });
  it('drops an exact duplicate seen again in the next window', async () => {
    const plan = planHistory({ from: '01/01/2024', to: '02/15/2024' }, NOW);
    const entry = { value: 'A', validTo: new Date('2024-01-31T10:00:00Z') };
    const next = { value: 'B', validFrom: new Date('2024-01-31T10:01:00Z'), validTo: new Date('2024-02-02T00:00:00Z') };
    const pages = [
      { values: [{ name: 'n', valueGuid: 'G', history: [entry] }], nextOffset: null },
      { values: [{ name: 'n', valueGuid: 'g', history: [entry, next] }], nextOffset: null },
    ];
    const result = await collectHistory(walkHistory(plan, () => Promise.resolve(pages.shift()!)));
    expect(result).toEqual([{ name: 'n', valueGuid: 'G', history: [entry, next] }]);
  });
});
