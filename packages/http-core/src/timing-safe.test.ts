import { describe, expect, it } from 'vitest';
import { timingSafeEqualString } from './timing-safe.js';

describe('timingSafeEqualString', () => {
  it('compares strings of any length', () => {
    expect(timingSafeEqualString('s3cret', 's3cret')).toBe(true);
    expect(timingSafeEqualString('s3cret', 's3creT')).toBe(false);
    expect(timingSafeEqualString('s3cret', 's3cret-longer')).toBe(false);
    expect(timingSafeEqualString('', '')).toBe(true);
    expect(timingSafeEqualString('é', 'é')).toBe(true);
    expect(() => timingSafeEqualString(1 as never, 'a')).toThrow(TypeError);
    expect(() => timingSafeEqualString('a', null as never)).toThrow(TypeError);
  });
});
