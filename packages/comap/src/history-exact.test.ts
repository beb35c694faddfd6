import { afterEach, describe, expect, it } from 'vitest';
import { isComapResponseError } from './errors.js';
import { MAX_EMPTY_PAGES, collectHistory, planHistory, walkHistory } from './history.js';
import { ComapClient, VALUE_GUID, type HistoryEntry } from './index.js';
import type { HistoryPage } from './parse.js';
import { HISTORY_DEFS, createJumpClock, startComapSimulator, type ComapSimulator } from './testing/index.js';

// History that is exact: intervals merged only when they are one, loops bounded, Date bounds as instants.
const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const at = (iso: string) => new Date(iso);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Pages served in order, one per request (each window here has one page). */
const serve = (pages: HistoryPage[]) => () => Promise.resolve(pages.shift()!);

describe('history windows merged by validFrom/validTo', () => {
  const plan = () => planHistory({ from: '01/01/2024', to: '02/15/2024' }, NOW);
  const loadedJan = { value: 'Loaded', validFrom: at('2024-01-30T08:00:00Z'), validTo: at('2024-01-31T12:00:00Z') };
  const loadedFeb = { value: 'Loaded', validFrom: at('2024-02-02T06:00:00Z'), validTo: at('2024-02-05T00:00:00Z') };
  const pages = (): HistoryPage[] => [
    { values: [{ name: 'Engine state', valueGuid: 'G', history: [loadedJan] }], nextOffset: null },
    { values: [{ name: 'Engine state', valueGuid: 'G', history: [loadedFeb] }], nextOffset: null },
  ];

  it('"Loaded" from Jan 30 and again from Feb 2 are two intervals: the gap is kept (history)', async () => {
    expect(await collectHistory(walkHistory(plan(), serve(pages())))).toEqual([{ name: 'Engine state', valueGuid: 'G', history: [loadedJan, loadedFeb] }]);
  });

  it('historyEntries keeps the second interval', async () => {
    const entries = await drain(walkHistory(plan(), serve(pages())));
    expect(entries.map((e) => [e.value, e.validFrom?.toISOString(), e.validTo.toISOString()])).toEqual([
      ['Loaded', '2024-01-30T08:00:00.000Z', '2024-01-31T12:00:00.000Z'],
      ['Loaded', '2024-02-02T06:00:00.000Z', '2024-02-05T00:00:00.000Z'],
    ]);
  });

  it('the same interval re-read by the next window is one entry, with the later validTo, also in historyEntries', async () => {
    const reread = { value: 'Loaded', validFrom: loadedJan.validFrom, validTo: at('2024-02-01T03:00:00Z') };
    const next = { value: 'Ready', validFrom: at('2024-02-01T03:01:00Z'), validTo: at('2024-02-03T00:00:00Z') };
    const entries = await drain(
      walkHistory(
        plan(),
        serve([
          { values: [{ name: 'n', valueGuid: 'G', history: [loadedJan] }], nextOffset: null },
          { values: [{ name: 'n', valueGuid: 'G', history: [reread, next] }], nextOffset: null },
        ]),
      ),
    );
    expect(entries).toEqual([
      { valueGuid: 'G', name: 'n', ...reread },
      { valueGuid: 'G', name: 'n', ...next },
    ]);
  });
});

describe('nextOffset over empty pages', () => {
  it(`advancing over ${MAX_EMPTY_PAGES} empty pages in a row is a ComapResponseError, not an endless loop`, async () => {
    let requests = 0;
    const walk = walkHistory(planHistory({ from: '01/01/2024', to: '01/02/2024' }, NOW), (_w, offset) => {
      requests += 1;
      return Promise.resolve({ values: [{ name: 'n', valueGuid: 'G', history: [] }], nextOffset: offset + 100 });
    });
    const e = await drain(walk).catch((x: unknown) => x);
    expect(isComapResponseError(e)).toBe(true);
    expect((e as Error).message).toBe('history: 3 pages in a row without entries and nextOffset still 300 (window 01/01/2024-01/02/2024)');
    expect(requests).toBe(MAX_EMPTY_PAGES);
  });

  it('an empty page between full ones is fine', async () => {
    const a = { value: 1, validTo: at('2024-01-01T10:00:00Z') };
    const b = { value: 2, validTo: at('2024-01-01T11:00:00Z') };
    const pages: HistoryPage[] = [
      { values: [{ name: 'n', valueGuid: 'G', history: [a] }], nextOffset: 1 },
      { values: [], nextOffset: 2 },
      { values: [{ name: 'n', valueGuid: 'G', history: [b] }], nextOffset: null },
    ];
    expect((await drain(walkHistory(planHistory({ from: '01/01/2024', to: '01/01/2024' }, NOW), serve(pages)))).map((e) => e.value)).toEqual([1, 2]);
  });
});

describe('Date bounds are instants', () => {
  it('a range ending at midnight Jan 31 in Europe/Prague asks for Jan 31 (not its UTC day, Jan 30)', () => {
    const plan = planHistory({ from: new Date('2024-01-01T00:00:00+01:00'), to: new Date('2024-01-31T00:00:00+01:00') }, NOW);
    expect(plan.windows.map((w) => [w.from, w.to].map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)))).toEqual([['2023-12-31', '2024-01-30'], ['2024-01-31', '2024-01-31']]);
    expect(plan.clip).toEqual({ fromMs: Date.parse('2023-12-31T23:00:00Z'), toMs: Date.parse('2024-01-30T23:00:00Z') });
    expect(() => planHistory({ from: new Date('2024-01-02T00:00:00Z'), to: new Date('2024-01-01T23:00:00Z') }, NOW)).toThrow(
      new RangeError('from (2024-01-02T00:00:00.000Z) must not be after to (2024-01-01T23:00:00.000Z)'),
    );
    expect(() => planHistory({ to: new Date(Number.NaN) }, NOW)).toThrow(new RangeError('to is an invalid Date'));
  });

  it('against the simulator: exactly the intervals that overlap the instants, each once', async () => {
    const clock = createJumpClock(NOW);
    const sim: ComapSimulator = await startComapSimulator({ units: 1, rateLimit: false, now: clock.now, historyPageSize: 40 });
    const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, clock });
    open.push(sim, client);
    const from = new Date('2024-02-10T00:00:00+01:00');
    const to = new Date('2024-03-31T00:00:00+02:00');
    const entries: HistoryEntry[] = await drain(client.historyEntries(sim.units[0]!.unitGuid, { from, to }));
    const u = sim.units[0]!;
    const expected = HISTORY_DEFS.flatMap((d) =>
      sim.fleet
        .history(u, d, from.getTime() - 2 * 86_400_000, to.getTime() + 2 * 86_400_000, NOW)
        .filter((e) => e.validTo >= from.getTime() && e.validFrom <= to.getTime())
        .map((e) => `${VALUE_GUID[d.key]} ${String(e.value)} ${e.validFrom} ${e.validTo}`),
    );
    const got = entries.map((e) => `${e.valueGuid} ${String(e.value)} ${e.validFrom!.getTime()} ${e.validTo.getTime()}`);
    expect(got.slice().sort()).toEqual(expected.slice().sort());
    expect(got.length).toBeGreaterThan(20);
  });
});
