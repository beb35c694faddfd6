import { describe, expect, it } from 'vitest';
import { errorCategory, isHttpError, isParseError, isXError } from '@x/http-core';
import { connectError, ControlValidationError } from './connect/errors.js';
import {
  MalformedResponseError,
  isConnectApiError,
  isMalformedResponseError,
  isNotConnectedError,
  isNotLoggedInError,
  isThinqApiError,
  isThinqError,
  isTokenError,
} from './errors.js';
import { MonitorError, TokenError, v1Error } from './v1/errors.js';

describe('v1 return codes', () => {
  it('maps every documented code, strings and integers alike', () => {
    const names = ['0102', 9003, '9003', '0106', '0111', '0100', '0110', 9000, '0101', '0555'].map((c) => [String(c), v1Error(c, 'msg').name]);
    expect(names).toEqual([
      ['0102', 'NotLoggedInError'],
      ['9003', 'NotLoggedInError'],
      ['9003', 'NotLoggedInError'],
      ['0106', 'NotConnectedError'],
      ['0111', 'NotConnectedError'],
      ['0100', 'FailedRequestError'],
      ['0110', 'TermsNotAgreedError'],
      ['9000', 'InvalidRequestError'],
      ['0101', 'DeviceNotFoundError'],
      ['0555', 'ThinqApiError'],
    ]);
    const unknown = v1Error('0555', 'Strange');
    expect(unknown).toMatchObject({ code: '0555', serverMessage: 'Strange', message: 'ThinQ API error 0555: Strange' });
    expect(v1Error('0110', undefined).message).toBe('ThinQ API error 0110: accept the new terms of use in the LG ThinQ app');
    expect(v1Error({ weird: true }, 5).code).toBe('{"weird":true}');
  });

  it('recognises errors with guards', () => {
    const e = v1Error(9003, 'x');
    expect([isXError(e), isThinqError(e), isThinqApiError(e), isNotLoggedInError(e), isNotConnectedError(e)]).toEqual([true, true, true, true, false]);
    expect(isTokenError(new TokenError())).toBe(true);
    expect(isThinqError(new Error('x'))).toBe(false);
    const c = connectError({ code: '1222', status: 400 });
    expect([isHttpError(c), isConnectApiError(c), isThinqApiError(c)]).toEqual([true, true, false]);
    const m = new MalformedResponseError('bad', 'x'.repeat(2000));
    expect([isParseError(m), isMalformedResponseError(m), m.rawPreview.startsWith('x'.repeat(512)), m.rawPreview.length < 600]).toEqual([true, true, true, true]);
  });

  it('bounds raw previews and redacts tokens in them', () => {
    const m = new MalformedResponseError('bad', { access_token: 'secret-access-1', n: 1 });
    expect(m.rawPreview).not.toContain('secret-access-1');
    expect(m.rawPreview).toContain('"n":1');
    expect(new MalformedResponseError('bad', Uint8Array.of(1, 255)).rawPreview.length).toBeGreaterThan(0);
  });

  it('gives every error the category a caller decides by', () => {
    const categories = [
      v1Error('0102', undefined),
      v1Error('0106', undefined),
      v1Error('0100', undefined),
      v1Error('0101', undefined),
      v1Error('0555', undefined),
      new TokenError(),
      new MonitorError('d', '0001'),
      new ControlValidationError('a.b', 'no'),
      connectError({ code: '1103', status: 401 }),
      connectError({ code: '1306', status: 429 }),
      connectError({ code: '1205', status: 404 }),
      connectError({ code: '2209', status: 500 }),
      connectError({ code: '1222', status: 400 }),
      new MalformedResponseError('bad', 'x'),
    ].map((e) => errorCategory(e));
    expect(categories).toEqual(['auth', 'transient', 'input', 'not-found', 'protocol', 'auth', 'protocol', 'input', 'auth', 'throttled', 'not-found', 'transient', 'transient', 'protocol']);
  });
});
