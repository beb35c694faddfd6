import { describe, expect, it } from 'vitest';
import { flattenHeaders, parseBaseUrl, resolveTarget } from './target.js';

const base = parseBaseUrl('http://h.test/api');

describe('resolveTarget query encoding', () => {
  it('encodes names and values exactly as URLSearchParams does', () => {
    const samples = ['a,b', "!'()~*-._", 'a b+c&d=e', '%20', 'ü€😀', '\ud800x', '\u0000\u007f', ''];
    for (const key of samples) {
      for (const value of samples) {
        const expected = `/api/p?${new URLSearchParams([[key, value]]).toString()}`;
        expect(resolveTarget(base, 'p', { [key]: value }).pathAndQuery).toBe(expected);
      }
    }
    for (let code = 0; code < 0x800; code++) {
      const text = String.fromCharCode(code);
      expect(resolveTarget(base, 'p', { [text]: `${text}x` }).pathAndQuery).toBe(`/api/p?${new URLSearchParams([[text, `${text}x`]]).toString()}`);
    }
  });

  it('repeats array keys, skips null and undefined, and appends to an existing query', () => {
    expect(resolveTarget(base, 'p', { a: [1, 'x y'], b: null, c: undefined, d: true }).url).toBe('http://h.test/api/p?a=1&a=x+y&d=true');
    expect(resolveTarget(base, 'p?z=1', { a: '(1)' }).url).toBe('http://h.test/api/p?z=1&a=%281%29');
  });
});

describe('flattenHeaders', () => {
  it('returns undici headers as they are when no value repeats, and joins repeated ones', () => {
    const flat = { 'content-type': 'application/json', 'x-id': '1' };
    expect(flattenHeaders(flat)).toBe(flat);
    expect(flattenHeaders({ 'set-cookie': ['a=1', 'b=2'], 'x-id': '1', gone: undefined })).toEqual({ 'set-cookie': 'a=1, b=2', 'x-id': '1' });
  });
});
