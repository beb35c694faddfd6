import { HttpError, NetworkError, errorCategory, isProtocolError, isXError } from '@x/http-core';
import { describe, expect, it } from 'vitest';
import { ComapNotFoundError, ComapResponseError, classifyIdentityError, classifyWsvError, isComapResponseError } from './index.js';

function httpError(status: number, message?: string): HttpError {
  return new HttpError({ status, method: 'GET', url: 'https://api.websupervisor.net/v1.1/x/units', ...(message === undefined ? {} : { vendor: { message } }) });
}

describe('errors', () => {
  it('ComAp rate-limit answers are throttled whatever their status; other answers keep their category', () => {
    expect(classifyWsvError(httpError(403, 'Out of call volume quota. Quota will be replenished in 01:00:00.'))).toBe('throttled');
    expect(classifyWsvError(httpError(429, 'Rate limit exceeded. Retry after 1 second/s.'))).toBe('throttled');
    expect(classifyWsvError(httpError(403, 'Control of this unit is not permitted.'))).toBeUndefined();
    expect(classifyWsvError(httpError(400))).toBeUndefined();
    expect(classifyWsvError(new NetworkError({ code: 'ECONNRESET', method: 'GET', url: 'https://api.websupervisor.net/' }))).toBeUndefined();
  });

  it('a refused token request is auth; the Identity rate limit is throttled; 404/408/5xx keep theirs', () => {
    expect(classifyIdentityError(httpError(400, 'Unable to perform requested operation'))).toBe('auth');
    expect(classifyIdentityError(httpError(401))).toBe('auth');
    expect(classifyIdentityError(httpError(429, 'Rate limit is exceeded. Try again in 12 seconds.'))).toBe('throttled');
    expect(classifyIdentityError(httpError(403, 'Rate limit is exceeded. Try again in 12 seconds.'))).toBe('throttled');
    expect(classifyIdentityError(httpError(404))).toBeUndefined();
    expect(classifyIdentityError(httpError(408))).toBeUndefined();
    expect(classifyIdentityError(httpError(503))).toBeUndefined();
    expect(classifyIdentityError(new Error('x'))).toBeUndefined();
  });

  it('the package errors are @x errors with a category and a code', () => {
    const bad = new ComapResponseError('units: expected a JSON object', { access_token: 'abcdef123456', n: 1 });
    expect([isXError(bad), isProtocolError(bad), isComapResponseError(bad), errorCategory(bad), bad.code, bad.name]).toEqual([
      true,
      true,
      true,
      'protocol',
      'COMAP_BAD_RESPONSE',
      'ComapResponseError',
    ]);
    expect(bad.rawPreview).not.toContain('abcdef123456');
    const missing = new ComapNotFoundError('no unit name contains "Nowhere"');
    expect([isXError(missing), errorCategory(missing), missing.code, missing.name, missing.message]).toEqual([
      true,
      'not-found',
      'COMAP_NOT_FOUND',
      'ComapNotFoundError',
      'no unit name contains "Nowhere"',
    ]);
  });
});
