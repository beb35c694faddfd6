import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings (API keys, signatures, webhook secrets) in time that does not depend on
 * where they differ — nor on their lengths, as both are hashed first.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (typeof a !== 'string') throw new TypeError('a must be a string');
  if (typeof b !== 'string') throw new TypeError('b must be a string');
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
