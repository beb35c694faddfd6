// ComAp units that come to this collector (their shard moved here): polled before the units it
// already had (at one request per second, a collector taking over a dead one's units reached them
// only after all of its own: found by the three-collector test in test/shards.test.ts), and one
// that comes back after it was lost has all its values stored again, even those equal to what
// this collector stored before it lost the unit (another collector may have stored other values
// meanwhile, so the database's newest value would stay theirs).
import { startComapSimulator, type ComapSimulator } from '@x/comap/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ingest } from '../ingest.js';
import { silentLogger } from '../log.js';
import type { ReadingInput } from '../model.js';
import { StateTracker } from '../status.js';
import { ComapConnector } from './comap.js';

describe('ComAp polling of units this collector gains', () => {
  let sim: ComapSimulator;
  let connector: ComapConnector;
  let guids: string[];
  const owned = new Set<string>();
  const known = new Set<string>();
  const stored: ReadingInput[] = [];
  const id = (guid: string): string => `comap:${guid}`;
  /** Shards lost: like the app, Ingest forgets the devices at once (forgetUnowned). */
  const lose = (guid: string): void => {
    owned.delete(id(guid));
    known.delete(id(guid));
  };
  /** The units whose values were asked for after request `from` of the simulator's log, in order. */
  const polled = (from: number): string[] =>
    sim.requests
      .slice(from)
      .map((r) => /\/units\/([^/]+)\/values$/.exec(r.path)?.[1])
      .filter((g) => g !== undefined);

  beforeAll(async () => {
    sim = await startComapSimulator({ units: 3, rateLimit: false, tokenRequestLimit: false });
    guids = sim.units.map((u) => u.unitGuid);
    const creds = sim.credentials();
    const ingest = {
      owns: (deviceId: string) => owned.has(deviceId),
      known: () => known,
      device: (d: { vendorId: string }) => Promise.resolve(owned.has(id(d.vendorId)) ? (known.add(id(d.vendorId)), id(d.vendorId)) : undefined),
      readings: (readings: readonly ReadingInput[]) => Promise.resolve(stored.push(...readings)),
    } as unknown as Ingest;
    const ctx = { ingest, tracker: new StateTracker('connecting', Date.now, () => {}), logger: silentLogger, now: Date.now, kv: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() }, setMode: () => {} };
    for (const guid of guids.slice(0, 2)) owned.add(id(guid));
    // Polls at start and when woken only: the hour-long interval never passes during the test.
    connector = new ComapConnector({ loginId: creds.loginId, clientId: creds.clientId, secret: creds.secret, key: creds.key, baseUrl: creds.url, pollIntervalInMs: 3_600_000 }, ctx, { client: { rateLimit: false } });
    await connector.start();
  });
  afterAll(async () => {
    await connector?.stop();
    await sim?.close();
  });

  const unitStates = (guid: string): Array<ReadingInput['value']> => stored.filter((r) => r.deviceId === id(guid) && r.metric === 'Unit State').map((r) => r.value);

  it('polls a gained unit before the units it already had', async () => {
    await expect.poll(() => polled(0), { timeout: 10_000 }).toEqual(guids.slice(0, 2));
    await expect.poll(() => unitStates(guids[1]!), { timeout: 10_000 }).toEqual(['OK']);
    const before = sim.requests.length;
    owned.add(id(guids[2]!));
    connector.refresh();
    await expect.poll(() => polled(before), { timeout: 10_000 }).toEqual([guids[2], guids[0], guids[1]]);
    await expect.poll(() => unitStates(guids[2]!), { timeout: 10_000 }).toEqual(['OK']);
  });

  it('stores all values of a unit it gained back, those unchanged since it lost the unit too', async () => {
    const guid = guids[0]!;
    const mine = (): ReadingInput[] => stored.filter((r) => r.deviceId === id(guid));
    const first = mine();
    expect(first.length).toBeGreaterThan(1);
    // Lost: an alarm comes and goes meanwhile (another collector stores 'Alarm', then 'OK').
    lose(guid);
    sim.setAlarm(guid, 'Wrn Fuel level');
    sim.setAlarm(guid, 'Wrn Fuel level', false);
    // Gained again: the app calls refresh().
    owned.add(id(guid));
    connector.refresh();
    await expect.poll(() => mine().length, { timeout: 10_000 }).toBe(2 * first.length);
    expect(unitStates(guid)).toEqual(['OK', 'OK']);
    expect(mine().slice(first.length).map((r) => r.metric)).toEqual(first.map((r) => r.metric));
    // The units it kept stored nothing new (their values did not change).
    expect(unitStates(guids[1]!)).toEqual(['OK']);
  });
});
