/**
 * Constant-time string comparison and Basic-auth parsing. Local until `timingSafeEqualString` of
 * @x/http-core is published; same contract.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two strings in time independent of where they differ (digests hide the length too). */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** `Authorization: Basic …` → credentials, or undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Checks both parts without short-circuiting on the username. */
export function checkBasicAuth(header: string | undefined, username: string, password: string): boolean {
  const given = parseBasicAuth(header);
  const userOk = constantTimeEqual(given?.username ?? '', username);
  const passOk = constantTimeEqual(given?.password ?? '', password);
  return given !== undefined && userOk && passOk;
}
