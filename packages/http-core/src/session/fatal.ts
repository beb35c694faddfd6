/**
 * Which errors end a session instead of causing a reconnect. Retrying cannot fix refused
 * credentials or bad input; it only hammers the server and hides the problem behind "connected".
 */

const FATAL_CATEGORIES: ReadonlySet<string> = new Set(['auth', 'input']);

/** Error names that mean "refused credentials" in packages that predate error categories. */
const AUTH_NAME = /auth|unauthori[sz]ed|forbidden|credential/i;

/**
 * The default `isFatal`: an error's `category` decides when it has one (`auth` and `input` are
 * fatal, every other category is retried); without a category, a name that says authentication
 * (`SeplAuthError`, `PushAuthenticationError`, `UnauthorizedError`, …) is fatal.
 */
export function isFatalByDefault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { category, name } = error as { category?: unknown; name?: unknown };
  if (typeof category === 'string') return FATAL_CATEGORIES.has(category);
  return typeof name === 'string' && AUTH_NAME.test(name);
}
