import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '@x/http-core';
import { isComapResponseError, parseComapError, type ComapResponseError } from './errors.js';
import { parseComments, parseFiles, parseHistoryPage, parseInfo, parsePermissions, parseToken, parseUnits, parseValues } from './parse.js';

function thrown(fn: () => unknown): ComapResponseError {
  try {
    fn();
  } catch (error) {
    expect(isComapResponseError(error)).toBe(true);
    expect(isProtocolError(error)).toBe(true);
    return error as ComapResponseError;
  }
  throw new Error('did not throw');
}

describe('parsers', () => {
  it('token: keeps the documented fields, never leaks the token into an error preview', () => {
    expect(parseToken({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'abc' })).toEqual({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'abc' });
    const e = thrown(() => parseToken({ access_token: 'very-secret-token', expires_in: 'soon' }));
    expect(e.message).toBe('token.expires_in: expected a number');
    expect(e.code).toBe('COMAP_BAD_RESPONSE');
    expect(e.name).toBe('ComapResponseError');
    expect(e.rawPreview).not.toContain('very-secret-token');
    expect(thrown(() => parseToken({ access_token: '', expires_in: 1 })).message).toBe('token.access_token: expected a non-empty string');
    expect(thrown(() => parseToken({ access_token: 'x', expires_in: 0 })).message).toBe('token.expires_in: expected a positive number of seconds');
    expect(thrown(() => parseToken('nope')).message).toBe('token: expected a JSON object');
  });
  it('units and values: value types, zero limits by default, .NET timestamps', () => {
    expect(parseUnits({ count: 1, units: [{ name: 'A', unitGuid: 'g' }] })).toEqual([{ name: 'A', unitGuid: 'g', url: '' }]);
    const values = parseValues({
      values: [
        { name: 'RPM', valueGuid: 'v1', value: 1500, unit: 'RPM', highLimit: 0, lowLimit: 0, decimalPlaces: 0, timeStamp: '2018-06-10T19:08:14.6350000+00:00' },
        { name: 'Alarms', valueGuid: 'v2', value: ['Wrn'], timeStamp: '2018-06-10T19:08:14.635Z' },
        { name: 'Flag', valueGuid: 'v3', value: true, timeStamp: '2018-06-10T19:08:14Z' },
        { name: 'None', valueGuid: 'v4', value: null, highLimit: '12.5', timeStamp: '2018-06-10T19:08:14Z' },
      ],
    });
    expect(values[0]).toEqual({ name: 'RPM', valueGuid: 'v1', value: 1500, unit: 'RPM', highLimit: 0, lowLimit: 0, decimalPlaces: 0, timeStamp: new Date('2018-06-10T19:08:14.635Z') });
    expect(values[1]?.value).toEqual(['Wrn']);
    expect(values[1]?.unit).toBe('');
    expect(values[2]?.value).toBe('true');
    expect(values[3]?.value).toBeNull();
    expect(values[3]?.highLimit).toBe(12.5);
    expect(thrown(() => parseValues({ values: [{ name: 'x', valueGuid: 'g', value: { a: 1 }, timeStamp: '2018-06-10T19:08:14Z' }] })).message).toBe('values.values[0].value: expected a string, a number or a list');
    expect(thrown(() => parseValues({ values: [{ name: 'x', valueGuid: 'g', value: 1, timeStamp: 'later' }] })).message).toBe('values.values[0].timeStamp: expected an ISO 8601 timestamp');
    expect(thrown(() => parseValues({ values: {} })).message).toBe('values.values: expected a list');
    expect(thrown(() => parseValues({ values: [1] })).message).toBe('values.values[0]: expected an object');
  });
  it('info: latitude/longitude as strings or numbers', () => {
    const info = parseInfo({
      name: 'U',
      unitGuid: 'g',
      ownerLoginId: 'me',
      applicationType: 'Gen-set',
      timezone: 'America/New_York',
      connection: { enabled: true, airGateId: 'A1', ipAddress: '', port: 0, controllerAddress: 1 },
      position: { positionType: 'Static', latitude: '50.10694', longitude: 14.5 },
    });
    expect(info.position).toEqual({ positionType: 'Static', latitude: 50.10694, longitude: 14.5 });
    expect(info.connection).toEqual({ enabled: true, airGateId: 'A1', ipAddress: '', port: 0, controllerAddress: 1 });
    expect(parseInfo({ name: 'U', unitGuid: 'g' }).position).toEqual({ positionType: '', latitude: null, longitude: null });
    expect(thrown(() => parseInfo({ name: 'U', unitGuid: 'g', connection: { enabled: 'yes' } })).message).toBe('info.connection.enabled: expected a boolean');
  });
  it('permissions, files', () => {
    expect(parsePermissions({ name: 'U', unitGuid: 'g', permissions: [{ loginId: 'a', read: true, control: false, modify: false, shutdownNote: false, allAlarmsNote: true }] }).permissions).toEqual([
      { loginId: 'a', read: true, control: false, modify: false, shutdownNote: false, allAlarmsNote: true },
    ]);
    expect(parseFiles({ files: [{ fileName: '2018-01-24_01-00_Westport .csv', fileType: 'unitHistory', generated: '2018-01-24T01:00:00.0000000+00:00' }] })).toEqual([
      { fileName: '2018-01-24_01-00_Westport .csv', fileType: 'unitHistory', generated: new Date('2018-01-24T01:00:00Z') },
    ]);
  });
  it('comments: author or the documented auhtor spelling, entities decoded', () => {
    expect(parseComments({ comments: [{ id: 1, author: 'A', date: '2023-11-01T10:00:00Z', text: 'a &#x2F; b', active: true }] })).toEqual([
      { id: 1, author: 'A', date: new Date('2023-11-01T10:00:00Z'), text: 'a / b', active: true },
    ]);
    expect(parseComments({ comments: [{ id: '7', auhtor: 'B', date: '2023-11-01T10:00:00Z', text: '&#x28;x&#x29;' }] })).toEqual([
      { id: '7', author: 'B', date: new Date('2023-11-01T10:00:00Z'), text: '(x)', active: true },
    ]);
    expect(parseComments({ comments: [{ id: 8, author: null, auhtor: 'C &amp; D', date: '2023-11-01T10:00:00Z', text: '' }] })[0]?.author).toBe('C & D');
    expect(parseComments({ comments: [{ id: 9, author: 'E', auhtor: 'F', date: '2023-11-01T10:00:00Z' }] })[0]?.author).toBe('E');
    expect(parseComments({ comments: [{ id: 10, date: '2023-11-01T10:00:00Z' }] })[0]?.author).toBe('');
    expect(thrown(() => parseComments({ comments: [{ id: 11, author: 5, date: '2023-11-01T10:00:00Z' }] })).message).toBe('comments.comments[0].author: expected a string');
    expect(thrown(() => parseComments({ comments: [{ id: null, date: '2023-11-01T10:00:00Z' }] })).message).toBe('comments.comments[0].id: expected a number or a string');
  });
  it('history page: validFrom optional, per-value unit/decimalPlaces, nextOffset checks', () => {
    const page = parseHistoryPage({
      name: 'U',
      unitGuid: 'g',
      nextOffset: 200,
      values: [{ name: 'Engine state', valueGuid: 'v', unit: '', decimalPlaces: 0, history: [{ value: 'Loaded', validTo: '2023-11-05T00:00:00.0000000+00:00' }, { value: 'Ready', validFrom: '2023-11-05T00:01:00Z', validTo: '2023-11-05T00:02:00Z' }] }],
    });
    expect(page).toEqual({
      nextOffset: 200,
      values: [
        {
          name: 'Engine state',
          valueGuid: 'v',
          unit: '',
          decimalPlaces: 0,
          history: [
            { value: 'Loaded', validTo: new Date('2023-11-05T00:00:00Z') },
            { value: 'Ready', validFrom: new Date('2023-11-05T00:01:00Z'), validTo: new Date('2023-11-05T00:02:00Z') },
          ],
        },
      ],
    });
    expect(parseHistoryPage({ values: [], nextOffset: null }).nextOffset).toBeNull();
    expect(parseHistoryPage({ values: [] }).nextOffset).toBeNull();
    expect(thrown(() => parseHistoryPage({ values: [], nextOffset: -1 })).message).toBe('history.nextOffset: expected a non-negative integer or null');
    expect(thrown(() => parseHistoryPage({ values: [{ valueGuid: 'v', history: [{ value: 1 }] }] })).message).toBe('history.values[0].history[0].validTo: expected an ISO 8601 timestamp');
  });
  it('bounds the raw preview to 2 KiB', () => {
    const e = thrown(() => parseUnits({ units: 'x'.repeat(10_000) }));
    // http-core's rawPreview: the first 2048 characters, then how much there was.
    expect(e.rawPreview).toBe(`${JSON.stringify({ units: 'x'.repeat(10_000) }).slice(0, 2048)}… [truncated, 10012 chars]`);
  });
  it('any JSON either parses or fails with a ComapResponseError (property)', () => {
    const parsers = [parseToken, parseUnits, parseValues, parseInfo, parsePermissions, parseComments, parseFiles, parseHistoryPage];
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...parsers), (value, parse) => {
        try {
          parse(value);
        } catch (error) {
          expect(isComapResponseError(error)).toBe(true);
        }
      }),
    );
  });
});

describe('parseComapError', () => {
  it('reads errorMessage and APIM message bodies', () => {
    expect(parseComapError({ errorMessage: 'Unable to perform requested operation' })).toEqual({ message: 'Unable to perform requested operation' });
    expect(parseComapError({ statusCode: 429, message: 'Rate limit exceeded.' })).toEqual({ code: '429', message: 'Rate limit exceeded.' });
    expect(parseComapError({ message: 'm' })).toEqual({ message: 'm' });
    expect(parseComapError('text')).toBeUndefined();
    expect(parseComapError({ other: 1 })).toBeUndefined();
  });
});
