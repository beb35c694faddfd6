import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveTarget, type BaseUrl } from './client.js';

const base: BaseUrl = { href: 'https://api.example.com/v1/', origin: 'https://api.example.com', path: '/v1/' };

describe('resolveTarget', () => {
  it('gives exactly what the WHATWG URL parser gives, fast path or not (property)', () => {
    const chars = fc.constantFrom(...'abcXYZ019-._~!$&\'()*+,;=:@%/ ?#\\"<>{}|^`[]é\t'.split(''), '..', '%2e', '%41');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 24 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }), (parts, query) => {
        const path = parts.join('');
        const target = resolveTarget(base, path, query);
        const params = new URLSearchParams(query).toString();
        const joined = `${base.href}${path.replace(/^\/+/, '')}`;
        const hash = joined.indexOf('#');
        const head = hash === -1 ? joined : joined.slice(0, hash);
        const expected = new URL(params === '' ? joined : `${head}${head.includes('?') ? '&' : '?'}${params}`);
        expect(target.url).toBe(expected.href);
        expect(target.origin).toBe(expected.origin);
        expect(target.pathAndQuery).toBe(`${expected.pathname}${expected.search}`);
        expect(target.otherOrigin).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('handles absolute URLs and origins', () => {
    expect(resolveTarget(base, 'https://api.example.com/other?a=1', { b: 2 })).toEqual({
      url: 'https://api.example.com/other?a=1&b=2',
      origin: 'https://api.example.com',
      pathAndQuery: '/other?a=1&b=2',
      otherOrigin: false,
    });
    expect(resolveTarget(base, 'http://files.example.com/x', undefined).otherOrigin).toBe(true);
    expect(resolveTarget(undefined, 'http://h:8080/x', undefined).otherOrigin).toBe(true);
    expect(() => resolveTarget(undefined, 'x', undefined)).toThrow(TypeError);
    expect(() => resolveTarget(base, 'http://[bad/', undefined)).toThrow('path does not form a valid URL');
  });
});
