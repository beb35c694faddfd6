import { timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two strings (false when the lengths differ). */
export function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
