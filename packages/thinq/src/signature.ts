import { createHmac, randomUUID } from 'node:crypto';

/** The HMAC-SHA1 key LG's OAuth server uses for ThinQ v1/v2 request signatures (public constant). */
export const OAUTH_SECRET_KEY = 'c053c2a6ddeb7ad97cb0eed0dcb31cf8';

/** Base64(HMAC-SHA1(secret, message)), the `lgemp-x-signature` / `x-lge-oauth-signature` value. */
export function oauthSignature(message: string, secret: string = OAUTH_SECRET_KEY): string {
  if (typeof message !== 'string') throw new TypeError('message must be a string');
  if (typeof secret !== 'string' || secret === '') throw new TypeError('secret must be a non-empty string');
  return createHmac('sha1', Buffer.from(secret, 'utf8')).update(Buffer.from(message, 'utf8')).digest('base64');
}

/** RFC 2822 date in UTC with a numeric zone, e.g. `Thu, 01 Jan 2026 00:00:00 +0000` (`lgemp-x-date`). */
export function formatLgDate(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError('date must be a valid Date');
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** The message signed for a v1 token refresh: `/oauth2/token?grant_type=refresh_token&refresh_token=<t>\n<date>`. */
export function refreshSignatureMessage(refreshToken: string, timestamp: string): string {
  return `/oauth2/token?grant_type=refresh_token&refresh_token=${refreshToken}\n${timestamp}`;
}

/**
 * The 22-character `x-message-id` of ThinQ Connect: URL-safe Base64 of the 16 bytes of a UUID, without
 * padding. `uuid` defaults to a fresh random UUID v4.
 */
export function createMessageId(uuid: string = randomUUID()): string {
  if (typeof uuid !== 'string' || !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(uuid)) {
    throw new TypeError('uuid must be a UUID string');
  }
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}
