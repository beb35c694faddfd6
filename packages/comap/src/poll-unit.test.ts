import { afterAll, describe, expect, it } from 'vitest';
import { pollFleet, VALUE_GUID, WSV, type UnitValue } from './index.js';
import { pollOrder, readUnit, type UnitMemory } from './poll-unit.js';

const at = Date.UTC(2026, 0, 5, 8);

function value(key: keyof typeof VALUE_GUID, v: UnitValue['value'], stampedAt = at): UnitValue {
  return { name: key, valueGuid: VALUE_GUID[key], value: v, unit: '', highLimit: 0, lowLimit: 0, decimalPlaces: 0, timeStamp: new Date(stampedAt) };
}

describe('readUnit', () => {
  it('first reading: no changes, alarms from alarm_list_ext, online', () => {
    const { reading } = readUnit([value('comm_state', 'OK'), value('alarm_list_ext', [{ text: 'Wrn Fuel level', active: true }]), value('alarm_list', ['ignored'])], undefined, at, 60_000);
    expect(reading).toMatchObject({ first: true, changed: [], online: true, offlineReason: undefined, lastSeen: new Date(at) });
    expect(reading.alarms.map((a) => a.text)).toEqual(['Wrn Fuel level']);
    expect(reading.raised.map((a) => a.text)).toEqual(['Wrn Fuel level']);
  });

  it('later readings report changed values (lists compared by content) and alarms raised/cleared', () => {
    const one = readUnit([value('mode', 'AUT'), value('alarm_list', ['Wrn Fuel level']), value('comm_state', 'OK')], undefined, at, 60_000);
    const two = readUnit([value('mode', 'MAN'), value('alarm_list', ['Sd Overspeed']), value('comm_state', 'OK')], one.memory, at, 60_000);
    expect(two.reading.first).toBe(false);
    expect(two.reading.changed).toEqual([
      { valueGuid: VALUE_GUID.mode, name: 'mode', before: 'AUT', after: 'MAN' },
      { valueGuid: VALUE_GUID.alarm_list, name: 'alarm_list', before: ['Wrn Fuel level'], after: ['Sd Overspeed'] },
    ]);
    expect(two.reading.raised.map((a) => a.text)).toEqual(['Sd Overspeed']);
    expect(two.reading.cleared.map((a) => a.text)).toEqual(['Wrn Fuel level']);
    const three = readUnit([value('mode', 'MAN'), value('alarm_list', ['Sd Overspeed']), value('comm_state', 'OK')], two.memory, at, 60_000);
    expect(three.reading.changed).toEqual([]);
  });

  it('offline by comm_state, or stale when the newest value is older than staleAfterInMs, or when there are no values', () => {
    expect(readUnit([value('comm_state', 'Lost')], undefined, at, 60_000).reading).toMatchObject({ online: false, offlineReason: 'comm_state' });
    expect(readUnit([value('mode', 'AUT', at - 60_001)], undefined, at, 60_000).reading).toMatchObject({ online: false, offlineReason: 'stale' });
    expect(readUnit([value('mode', 'AUT', at - 60_000)], undefined, at, 60_000).reading).toMatchObject({ online: true, offlineReason: undefined });
    expect(readUnit([], undefined, at, 60_000).reading).toMatchObject({ online: false, offlineReason: 'stale', lastSeen: undefined });
  });
});

describe('pollOrder', () => {
  it('puts units with an active alarm, lost communication or a failed reading first, keeping the order otherwise', () => {
    const m = (o: Partial<UnitMemory>): UnitMemory => ({ values: new Map(), alarms: [], online: true, failed: false, ...o });
    const memory = new Map([
      ['a', m({})],
      ['b', m({ failed: true })],
      ['c', m({ online: false })],
      ['d', m({ alarms: [{ text: 'Wrn x', level: 'warning', active: true, confirmed: undefined }] })],
      ['e', m({ alarms: [{ text: 'Wrn x', level: 'warning', active: false, confirmed: undefined }] })],
    ]);
    expect(pollOrder(['a', 'b', 'c', 'd', 'e', 'f'], memory)).toEqual(['b', 'c', 'd', 'a', 'e', 'f']);
  });
});

describe('pollFleet options', () => {
  const client = new WSV('login', 'key', 'token', { baseUrl: 'http://127.0.0.1:9', rateLimit: false });
  afterAll(() => client.close());
  const first = (options: unknown) => pollFleet(client, options as never).next();

  it('rejects bad options with errors naming them, before any request', async () => {
    await expect(first(null)).rejects.toThrow(new TypeError('pollFleet() options must be an object'));
    await expect(first({ units: ['a', ''] })).rejects.toThrow(new TypeError('pollFleet() options.units must be an array of unit GUIDs'));
    await expect(first({ sweeps: '2' })).rejects.toThrow(new TypeError('pollFleet() options.sweeps must be a number'));
    await expect(first({ sweeps: 0 })).rejects.toThrow(new RangeError('pollFleet() options.sweeps must be an integer >= 1, got 0'));
    await expect(first({ concurrency: 1.5 })).rejects.toThrow(new RangeError('pollFleet() options.concurrency must be an integer >= 1, got 1.5'));
    await expect(first({ staleAfterInMs: 0 })).rejects.toThrow(new RangeError('pollFleet() options.staleAfterInMs must be an integer >= 1, got 0'));
    await expect(first({ intervalInMs: -1 })).rejects.toThrow(new RangeError('pollFleet() options.intervalInMs must be an integer >= 0, got -1'));
    await expect(first({ clock: {} })).rejects.toThrow(new TypeError('pollFleet() options.clock must be a Clock'));
    await expect(first({ timeoutInMs: -1 })).rejects.toThrow(RangeError);
  });
});
