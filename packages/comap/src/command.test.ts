import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, SIMPLE_COMMANDS, validateCommand } from './command.js';

const FROM = 1601286038000;

describe('validateCommand: bodies', () => {
  it('sends simple commands as {command} only (extra fields dropped)', () => {
    for (const c of SIMPLE_COMMANDS) {
      expect(validateCommand({ command: c, junk: 1 })).toEqual({ command: c });
      expect(validateCommand(c)).toEqual({ command: c });
    }
    expect(COMMAND_NAMES).toHaveLength(13);
  });
  it('builds the documented example bodies exactly', () => {
    expect(JSON.stringify(validateCommand({ command: 'changeMode', mode: 'man' }))).toBe('{"command":"changeMode","mode":"man"}');
    expect(JSON.stringify(validateCommand({ command: 'userButton', index: 2, action: 'start' }))).toBe('{"command":"userButton","index":2,"action":"start"}');
    expect(JSON.stringify(validateCommand({ command: 'extValue', index: 3, value: 100 }))).toBe('{"command":"extValue","index":3,"value":100}');
    expect(JSON.stringify(validateCommand({ command: 'changeSetpoint', guid: '7b2ae258-65a8-40dd-bb42-5455753679f9', value: 'MyController' }))).toBe(
      '{"command":"changeSetpoint","guid":"7b2ae258-65a8-40dd-bb42-5455753679f9","value":"MyController"}',
    );
    expect(
      JSON.stringify(
        validateCommand({ command: 'setTimer', index: 1, action: { mode: 'weekly', from: FROM, duration: 60, setupWeekly: { weekRepeat: 2, weekDays: ['Monday', 'Friday'] } } }),
      ),
    ).toBe('{"command":"setTimer","index":1,"action":{"mode":"weekly","from":1601286038000,"duration":60,"setupWeekly":{"weekRepeat":2,"weekDays":["Monday","Friday"]}}}');
    expect(validateCommand({ command: 'remoteSwitch', index: 8, action: 'stop' })).toEqual({ command: 'remoteSwitch', index: 8, action: 'stop' });
    expect(validateCommand({ command: 'changeSetpoint', guid: 'g', value: 1.5 })).toEqual({ command: 'changeSetpoint', guid: 'g', value: 1.5 });
  });
  it('builds every timer mode; a Date becomes epoch milliseconds', () => {
    const t = (action: unknown) => validateCommand({ command: 'setTimer', index: 2, action }).action;
    expect(t({ mode: 'Off', from: 'ignored' })).toEqual({ mode: 'Off' });
    expect(t({ mode: 'Once', from: new Date(FROM), duration: 5 })).toEqual({ mode: 'Once', from: FROM, duration: 5 });
    expect(t({ mode: 'Daily', from: FROM, duration: 5, setupDaily: { dayRepeat: 1, dayWeekend: 'nextDayAfter' } })).toEqual({
      mode: 'Daily',
      from: FROM,
      duration: 5,
      setupDaily: { dayRepeat: 1, dayWeekend: 'nextDayAfter' },
    });
    expect(t({ mode: 'monthly', from: FROM, duration: 5, setupMonthly: { monthRepeat: 1, dayInMonth: 31 } })).toEqual({
      mode: 'monthly',
      from: FROM,
      duration: 5,
      setupMonthly: { monthRepeat: 1, dayInMonth: 31 },
    });
    expect(t({ mode: 'MonthlyDays', from: FROM, duration: 5, setupMonthlyDays: { monthRepeat: 2, weekInMonth: 5, weekDays: ['Sunday'] } })).toEqual({
      mode: 'MonthlyDays',
      from: FROM,
      duration: 5,
      setupMonthlyDays: { monthRepeat: 2, weekInMonth: 5, weekDays: ['Sunday'] },
    });
    expect(t({ mode: 'Period', from: FROM, duration: 5, setupPeriod: { minutesRepeat: 90 } })).toEqual({ mode: 'Period', from: FROM, duration: 5, setupPeriod: { minutesRepeat: 90 } });
  });
});

describe('validateCommand: errors name the field', () => {
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [42, TypeError, /^command must be a command name/],
    [{}, TypeError, /^command\.command must be a string/],
    [{ command: 'START' }, RangeError, /^command\.command must be one of start, stop/],
    ['reboot', RangeError, /^command\.command must be one of/],
    [{ command: 'changeMode' }, TypeError, /^command\.mode must be a string/],
    [{ command: 'changeMode', mode: ' ' }, RangeError, /^command\.mode must not be empty/],
    [{ command: 'userButton', index: 0, action: 'start' }, RangeError, /^command\.index must be an integer from 1 to 32, got 0/],
    [{ command: 'userButton', index: 33, action: 'start' }, RangeError, /^command\.index must be an integer from 1 to 32, got 33/],
    [{ command: 'userButton', index: 1.5, action: 'start' }, RangeError, /^command\.index must be an integer/],
    [{ command: 'userButton', index: '1', action: 'start' }, TypeError, /^command\.index must be a number/],
    [{ command: 'userButton', index: 1, action: 'hold' }, RangeError, /^command\.action must be one of start, stop, toggle, pulse/],
    [{ command: 'userButton', index: 1 }, TypeError, /^command\.action must be a string/],
    [{ command: 'remoteSwitch', index: 9, action: 'start' }, RangeError, /^command\.index must be an integer from 1 to 8/],
    [{ command: 'remoteSwitch', index: 1, action: 'toggle' }, RangeError, /^command\.action must be one of start, stop,/],
    [{ command: 'extValue', index: 5, value: 1 }, RangeError, /^command\.index must be an integer from 1 to 4/],
    [{ command: 'extValue', index: 1, value: '1' }, TypeError, /^command\.value must be a number/],
    [{ command: 'extValue', index: 1, value: Number.NaN }, RangeError, /^command\.value must be a finite number/],
    [{ command: 'setTimer', index: 3, action: { mode: 'Off' } }, RangeError, /^command\.index must be an integer from 1 to 2/],
    [{ command: 'setTimer', index: 1, action: 'Off' }, TypeError, /^command\.action must be a timer object/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Yearly' } }, RangeError, /^command\.action\.mode must be one of Off, Once/],
    [{ command: 'setTimer', index: 1, action: { mode: 'WEEKLY' } }, RangeError, /^command\.action\.mode must be one of/],
    [{ command: 'setTimer', index: 1, action: { mode: 1 } }, TypeError, /^command\.action\.mode must be a string/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Once', duration: 5 } }, TypeError, /^command\.action\.from must be epoch milliseconds or a Date/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Once', from: -1, duration: 5 } }, RangeError, /^command\.action\.from must be a non-negative/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Once', from: FROM, duration: 0 } }, RangeError, /^command\.action\.duration must be an integer from 1/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Daily', from: FROM, duration: 5 } }, TypeError, /^command\.action\.setupDaily must be an object/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Daily', from: FROM, duration: 5, setupDaily: { dayRepeat: 1, dayWeekend: 'Always' } } }, RangeError, /^command\.action\.setupDaily\.dayWeekend must be one of Included, Except, nextDayAfter/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Weekly', from: FROM, duration: 5, setupWeekly: { weekRepeat: 1, weekDays: [] } } }, RangeError, /^command\.action\.setupWeekly\.weekDays must name at least one day/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Weekly', from: FROM, duration: 5, setupWeekly: { weekRepeat: 1, weekDays: ['monday'] } } }, RangeError, /^command\.action\.setupWeekly\.weekDays\[0\] must be one of Monday/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Weekly', from: FROM, duration: 5, setupWeekly: { weekRepeat: 1, weekDays: ['Monday', 'Monday'] } } }, RangeError, /lists Monday twice/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Weekly', from: FROM, duration: 5, setupWeekly: { weekRepeat: 1, weekDays: 'Monday' } } }, TypeError, /weekDays must be an array/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Weekly', from: FROM, duration: 5, setupWeekly: { weekRepeat: 1, weekDays: [1] } } }, TypeError, /weekDays\[0\] must be a string/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Monthly', from: FROM, duration: 5, setupMonthly: { monthRepeat: 1, dayInMonth: 32 } } }, RangeError, /setupMonthly\.dayInMonth must be an integer from 1 to 31/],
    [{ command: 'setTimer', index: 1, action: { mode: 'MonthlyDays', from: FROM, duration: 5, setupMonthlyDays: { monthRepeat: 1, weekInMonth: 6, weekDays: ['Monday'] } } }, RangeError, /setupMonthlyDays\.weekInMonth must be an integer from 1 to 5/],
    [{ command: 'setTimer', index: 1, action: { mode: 'Period', from: FROM, duration: 5, setupPeriod: { minutesRepeat: 0 } } }, RangeError, /setupPeriod\.minutesRepeat must be an integer from 1/],
    [{ command: 'changeSetpoint', value: 1 }, TypeError, /^command\.guid must be a string/],
    [{ command: 'changeSetpoint', guid: 'g', value: true }, TypeError, /^command\.value must be a number or a string/],
    [{ command: 'changeSetpoint', guid: 'g', value: Number.POSITIVE_INFINITY }, RangeError, /^command\.value must be a finite number/],
    [{ command: 'changeSetpoint', guid: 'g', value: '' }, RangeError, /^command\.value must not be empty$/],
  ];
  it.each(cases)('%j', (input, type, message) => {
    let thrown: unknown;
    try {
      validateCommand(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(type);
    expect((thrown as Error).message).toMatch(message);
  });
});
