import { afterEach, describe, expect, it } from 'vitest';
import { alarmLevel, diffAlarms, parseAlarms, type ComapAlarm } from './alarms.js';
import { ComapClient, VALUE_GUID } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

const alarm = (text: string, level: ComapAlarm['level'], active = true, confirmed?: boolean): ComapAlarm => ({ text, level, active, confirmed });

describe('parseAlarms', () => {
  it('reads lists of texts, texts on lines or after ";", ext objects; levels from the prefix', () => {
    expect(parseAlarms(['Wrn Fuel level', ' Sd Oil press ', '', 7])).toEqual([alarm('Wrn Fuel level', 'warning'), alarm('Sd Oil press', 'shutdown')]);
    expect(parseAlarms('BOC Overload\nStp Low coolant; Fls Oil temp\r\nBattery flat')).toEqual([
      alarm('BOC Overload', 'breaker-open-cooldown'),
      alarm('Stp Low coolant', 'slow-stop'),
      alarm('Fls Oil temp', 'sensor-fail'),
      alarm('Battery flat', 'other'),
    ]);
    expect(parseAlarms([{ text: 'Wrn A', active: false, confirmed: true }, { name: 'Sd B' }, { text: '' }, null, ['x']])).toEqual([alarm('Wrn A', 'warning', false, true), alarm('Sd B', 'shutdown')]);
    expect([parseAlarms(null), parseAlarms(3), parseAlarms('')]).toEqual([[], [], []]);
    expect(alarmLevel('  wrn   x')).toBe('warning');
  });

  it('diffAlarms: raised and cleared active alarms by text, any case', () => {
    const before = [alarm('Wrn Fuel level', 'warning'), alarm('Sd Oil press', 'shutdown'), alarm('Wrn Old', 'warning', false)];
    const after = [alarm('WRN FUEL LEVEL', 'warning'), alarm('BOC Overload', 'breaker-open-cooldown'), alarm('Wrn Old', 'warning', true)];
    expect(diffAlarms(before, after)).toEqual({ raised: [after[1], after[2]], cleared: [before[1]] });
  });
});

describe('alarms through the simulator control API', () => {
  it('POST /control/push { unitGuid, alarm } raises it, { raise: false } clears it: alarm_list and alarm_list_ext show it', async () => {
    const sim: ComapSimulator = await startComapSimulator({ units: 1, rateLimit: false, seed: 2 });
    const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    open.push(sim, client);
    const u = sim.units[0]!;
    const read = async () => {
      const values = await client.values(u.unitGuid, [VALUE_GUID.alarm_list, VALUE_GUID.alarm_list_ext]);
      return values.map((v) => parseAlarms(v.value));
    };
    const before = await read();
    const push = (body: unknown) => fetch(`${sim.controlUrl}/push`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => [r.status, await r.json()] as const);
    expect(await push({ unitGuid: u.unitGuid, alarm: 'Sd Oil press' })).toEqual([200, { result: { alarms: [...u.state.alarms] } }]);
    expect(u.state.alarms).toContain('Sd Oil press');
    const raised = await read();
    expect(diffAlarms(before[0]!, raised[0]!)).toEqual({ raised: [alarm('Sd Oil press', 'shutdown')], cleared: [] });
    expect(raised[1]).toContainEqual(alarm('Sd Oil press', 'shutdown', true, false));
    await push({ unitGuid: u.unitGuid, alarm: 'Sd Oil press', raise: false });
    expect(diffAlarms(raised[0]!, (await read())[0]!)).toEqual({ raised: [], cleared: [alarm('Sd Oil press', 'shutdown')] });
    expect(() => sim.setAlarm('nope', 'x')).toThrow(new RangeError('no unit nope'));
    expect(() => sim.setAlarm(u.unitGuid, ' ')).toThrow(new TypeError('alarm must be a non-empty string'));
  });
});
