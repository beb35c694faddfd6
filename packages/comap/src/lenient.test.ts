import { afterEach, describe, expect, it } from 'vitest';
import { isComapResponseError, type ComapItemError } from './errors.js';
import { ComapClient } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

// One malformed item is skipped and reported with its raw JSON; the rest of the answer is returned.
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function setup(options: Partial<ConstructorParameters<typeof ComapClient>[0]> = {}): Promise<{ sim: ComapSimulator; client: ComapClient; invalid: ComapItemError[] }> {
  const sim = await startComapSimulator({ units: 2, rateLimit: false });
  const invalid: ComapItemError[] = [];
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, onInvalidItem: (e) => invalid.push(e), ...options });
  open.push(sim, client);
  return { sim, client, invalid };
}

const goodValue = { name: 'RPM', valueGuid: 'v1', value: 1500, unit: 'RPM', highLimit: 0, lowLimit: 0, decimalPlaces: 0, timeStamp: '2024-01-01T00:00:00Z' };
const badValue = { name: 'Mode', valueGuid: 'v2', value: 'AUT', unit: '', timeStamp: null };

describe('lenient parsing', () => {
  it('a value with timeStamp null is skipped and reported; the others are returned', async () => {
    const { sim, client, invalid } = await setup();
    sim.answerWith('/values', { name: 'u', unitGuid: 'g', values: [goodValue, badValue] });
    const values = await client.values(sim.units[0]!.unitGuid);
    expect(values).toEqual([{ ...goodValue, timeStamp: new Date('2024-01-01T00:00:00Z') }]);
    expect(invalid).toHaveLength(1);
    const e = invalid[0]!;
    expect([e.name, e.code, e.category, e.path, e.message]).toEqual(['ComapItemError', 'COMAP_BAD_ITEM', 'protocol', 'values.values[1]', 'values.values[1].timeStamp: expected an ISO 8601 timestamp']);
    expect(e.item).toEqual(badValue);
    expect(JSON.parse(e.rawPreview)).toEqual(badValue);
    expect(isComapResponseError(e)).toBe(true);
  });

  it('a unit with name null and a history entry with validTo null: the same; not an object: the same', async () => {
    const { sim, client, invalid } = await setup();
    sim.answerWith('/units', { count: 3, units: [{ name: null, unitGuid: 'a' }, { name: 'B', unitGuid: 'b' }, 7] });
    expect(await client.units()).toEqual([{ name: 'B', unitGuid: 'b', url: '' }]);
    sim.answerWith('/history', { nextOffset: null, values: [{ name: 'n', valueGuid: 'G', history: [{ value: 1, validTo: null }, { value: 2, validTo: '2024-01-02T00:00:00Z' }] }] });
    const h = await client.history(sim.units[0]!.unitGuid, { from: '01/01/2024', to: '01/02/2024' });
    expect(h).toEqual([{ name: 'n', valueGuid: 'G', history: [{ value: 2, validTo: new Date('2024-01-02T00:00:00Z') }] }]);
    expect(invalid.map((e) => [e.path, e.message])).toEqual([
      ['units.units[0]', 'units.units[0].name: expected a string'],
      ['units.units[2]', 'units.units[2]: expected an object'],
      ['history.values[0].history[0]', 'history.values[0].history[0].validTo: expected an ISO 8601 timestamp'],
    ]);
  });

  it('strict: the malformed item fails the call with the whole answer in rawPreview', async () => {
    const { sim, client, invalid } = await setup({ strict: true });
    sim.answerWith('/values', { name: 'u', unitGuid: 'g', values: [goodValue, badValue] });
    const e = await client.values(sim.units[0]!.unitGuid).catch((x: unknown) => x);
    expect([isComapResponseError(e), (e as Error).message, (e as { code: string }).code]).toEqual([true, 'values.values[1].timeStamp: expected an ISO 8601 timestamp', 'COMAP_BAD_RESPONSE']);
    expect((e as { rawPreview: string }).rawPreview).toContain('"valueGuid":"v2"');
    expect(invalid).toEqual([]);
  });

  it('without onInvalidItem the skipped item is a warning on the logger; bad options are TypeErrors', async () => {
    const sim = await startComapSimulator({ units: 1, rateLimit: false });
    open.push(sim);
    const warnings: [string, unknown][] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (m: string, f?: unknown) => warnings.push([m, f]), error: () => undefined };
    const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, logger });
    open.push(client);
    sim.answerWith('/files', { files: [{ fileName: 'a.csv', fileType: 'unitHistory', generated: 'yesterday' }] });
    expect(await client.files(sim.units[0]!.unitGuid)).toEqual([]);
    expect(warnings.filter(([m]) => m.includes('malformed'))).toEqual([
      ['skipped a malformed item: files.files[0].generated: expected an ISO 8601 timestamp', { namespace: 'comap', path: 'files.files[0]', raw: '{"fileName":"a.csv","fileType":"unitHistory","generated":"yesterday"}' }],
    ]);
    expect(() => new ComapClient({ ...sim.credentials(), strict: 1 as never })).toThrow(new TypeError('WSV options.strict must be a boolean'));
    expect(() => new ComapClient({ ...sim.credentials(), onInvalidItem: 'x' as never })).toThrow(new TypeError('WSV options.onInvalidItem must be a function'));
  });
});
