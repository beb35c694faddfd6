import { describe, expect, it } from 'vitest';
import { availableModes, checkControl, checkMode } from './command-check.js';
import { ComapCommandRefusedError } from './errors.js';

describe('command checks', () => {
  it('availableModes reads a list or separated text', () => {
    expect(availableModes(['OFF', ' MAN ', '', 3])).toEqual(['OFF', 'MAN']);
    expect(availableModes('OFF, MAN;AUT TEST')).toEqual(['OFF', 'MAN', 'AUT', 'TEST']);
    expect(availableModes(null)).toBeUndefined();
    expect(availableModes(4)).toBeUndefined();
  });

  it('checkMode returns the unit\'s spelling or refuses (input)', () => {
    expect(checkMode('aut', ['OFF', 'AUT'], 'g')).toBe('AUT');
    expect(() => checkMode('x', null, 'g')).toThrow(new ComapCommandRefusedError('unit g reports no available modes: not sending changeMode', 'input'));
    expect(() => checkMode('x', ['OFF'], 'g')).toThrow('mode "x" is not available on unit g: OFF');
  });

  it('checkControl refuses a login without control or not listed (auth)', () => {
    const p = (control: boolean) => ({ name: 'n', unitGuid: 'g', permissions: [{ loginId: 'Me', read: true, control, modify: false, shutdownNote: false, allAlarmsNote: false }] });
    expect(checkControl(p(true), 'me')).toBeUndefined();
    let e: unknown;
    try {
      checkControl(p(true), 'other');
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ name: 'ComapCommandRefusedError', code: 'COMAP_COMMAND_REFUSED', category: 'auth', message: 'login "other" may not control unit g (not in its permissions)' });
    expect(() => checkControl(p(false), 'me')).toThrow('login "me" may not control unit g');
  });
});
