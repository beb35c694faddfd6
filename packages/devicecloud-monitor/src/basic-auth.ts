/** Basic-auth checks in constant time (on top of `timingSafeEqualString` of @x/http-core). */
import { timingSafeEqualString } from '@x/http-core';

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
  const userOk = timingSafeEqualString(given?.username ?? '', username);
  const passOk = timingSafeEqualString(given?.password ?? '', password);
  return given !== undefined && userOk && passOk;
}
