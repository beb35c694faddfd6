import { describe, expect, it } from 'vitest';
import { isHttpError, isParseError, isXError } from '@x/http-core';
import { connectError } from './connect-errors.js';
import {
  MalformedResponseError,
  isConnectApiError,
  isMalformedResponseError,
  isNotConnectedError,
  isNotLoggedInError,
  isThinqApiError,
  isThinqError,
  isTokenError,
  rawPreview,
  TokenError,
  v1Error,
} from './errors.js';

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
    expect([isParseError(m), isMalformedResponseError(m), m.rawPreview.length]).toEqual([true, true, 513]);
  });

  it('bounds raw previews', () => {
    expect(rawPreview(Uint8Array.of(1, 255))).toBe('01ff');
    expect(rawPreview({ a: 1 })).toBe('{"a":1}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(rawPreview(cyclic)).toBe('[object Object]');
    expect(rawPreview(undefined)).toBe('undefined');
  });
});
