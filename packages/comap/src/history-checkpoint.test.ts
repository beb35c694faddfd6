import { afterEach, describe, expect, it } from 'vitest';
import { ComapClient, type HistoryCheckpoint, type HistoryEntry } from './index.js';
import { createJumpClock, startComapSimulator, type ComapSimulator, type JumpClock } from './testing/index.js';

// A long export that stops and resumes where it left off: the runs together yield each interval once.
const NOW = Date.UTC(2025, 4, 20, 12, 0, 0);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

const row = (e: HistoryEntry) => `${e.valueGuid.toLowerCase()}|${JSON.stringify(e.value)}|${e.validFrom?.toISOString() ?? '-'}|${e.validTo.toISOString()}`;
const RANGE = { from: '01/01/2025', to: '04/30/2025' } as const;

async function setup(): Promise<{ sim: ComapSimulator; client: ComapClient; clock: JumpClock }> {
  const clock = createJumpClock(NOW);
  const sim = await startComapSimulator({ units: 1, seed: 5, rateLimit: false, now: clock.now, historyDays: 200, historyPageSize: 40 });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, clock });
  open.push(sim, client);
  return { sim, client, clock };
}

/** Exports until `stopAfter` entries were stored, saving the checkpoint after each (as a file would). */
async function exportUntil(client: ComapClient, guid: string, saved: string | undefined, stopAfter: number, range: { from: string; to: string } = RANGE): Promise<{ rows: string[]; saved: string }> {
  const checkpoint = saved === undefined ? { values: {} } : (JSON.parse(saved) as HistoryCheckpoint);
  const rows: string[] = [];
  let last = saved ?? JSON.stringify(checkpoint);
  for await (const e of client.historyEntries(guid, { ...range, checkpoint })) {
    rows.push(row(e));
    last = JSON.stringify(checkpoint);
    if (rows.length === stopAfter) break;
  }
  return { rows, saved: last };
}

describe('history checkpoint', () => {
  it('stopped after 1, 150, 301 and 452 entries and resumed each time: the same rows as one uninterrupted export, none twice, and later windows only', async () => {
    const { sim, client } = await setup();
    const guid = sim.units[0]!.unitGuid;
    const full = (await exportUntil(client, guid, undefined, Infinity)).rows;
    expect(full.length).toBeGreaterThan(460);
    expect(new Set(full).size).toBe(full.length);
    const rows: string[] = [];
    let saved: string | undefined;
    for (const stop of [1, 149, 151, 151, Infinity]) {
      const part = await exportUntil(client, guid, saved, stop);
      rows.push(...part.rows);
      saved = part.saved;
    }
    expect(rows).toEqual(full);
    // A resume near the end fetches the last window(s) again, not the first one.
    sim.requests.length = 0;
    await exportUntil(client, guid, saved, Infinity);
    const froms = new Set(sim.requests.filter((r) => r.path.endsWith('/history')).map((r) => r.query.from));
    expect(froms.has('01/01/2025')).toBe(false);
  });

  it('resumed later with new data: the open interval continues from the checkpoint, new changes follow, nothing already stored comes back', async () => {
    const { sim, client, clock } = await setup();
    const u = sim.units[0]!;
    const range = { from: '05/01/2025', to: '05/20/2025' };
    const first = await exportUntil(client, u.unitGuid, undefined, Infinity, range);
    const checkpoint = JSON.parse(first.saved) as HistoryCheckpoint;
    clock.advance(3_600_000);
    await client.command(u.unitGuid, { command: 'changeMode', mode: u.state.mode === 'MAN' ? 'AUT' : 'MAN' });
    clock.advance(3_600_000);
    const second = await exportUntil(client, u.unitGuid, first.saved, Infinity, { from: '05/01/2025', to: '05/21/2025' });
    expect(second.rows.filter((r) => first.rows.includes(r))).toEqual([]);
    const modeKey = Object.keys(checkpoint.values).find((k) => k === '6a12aed6-3be0-44c4-9110-9ea33cfe3ccc')!;
    const modeRows = second.rows.filter((r) => r.startsWith(modeKey));
    // The mode that was open at the checkpoint, from there to the change; then the new mode, open.
    expect(modeRows).toHaveLength(2);
    expect(modeRows[0]!.split('|')[2]).toBe(checkpoint.values[modeKey]);
    for (const r of second.rows) expect([r, r.split('|')[3]! > (checkpoint.values[r.split('|')[0]!] ?? '')]).toEqual([r, true]);
  });

  it('a checkpoint of the wrong shape is a TypeError before anything is sent', async () => {
    const { sim, client } = await setup();
    const guid = sim.units[0]!.unitGuid;
    sim.requests.length = 0;
    expect(() => client.historyEntries(guid, { checkpoint: {} as HistoryCheckpoint })).toThrow(new TypeError('checkpoint must be { from?, values: {} } (a saved HistoryCheckpoint)'));
    expect(() => client.historyEntries(guid, { checkpoint: { values: { g: 'soon' } } })).toThrow(new TypeError('checkpoint.values["g"] must be an ISO timestamp'));
    expect(() => client.historyEntries(guid, { checkpoint: { from: '13/01/2025', values: {} } })).toThrow(RangeError);
    expect(sim.requests).toEqual([]);
  });
});
