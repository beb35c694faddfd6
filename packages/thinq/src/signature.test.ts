import { describe, expect, it } from 'vitest';
import { createMessageId, formatLgDate, oauthSignature, refreshSignatureMessage } from './signature.js';

// Vectors: /work/shared/specs/thinq.md §6.1 (computed with wideq.core.oauth2_signature and Node crypto).
const TOKEN =
  'def6a8af4322736f66a38bab8fbea53835e704cee96a5434b8d89415accf777ec18e79d1bbd84329988b6db57c512456';
const TS = 'Thu, 01 Jan 2026 00:00:00 +0000';

describe('signatures', () => {
  it('formats the LG date in UTC with +0000', () => {
    expect(formatLgDate(new Date(Date.UTC(2026, 0, 1)))).toBe(TS);
    expect(formatLgDate(new Date(Date.UTC(2025, 11, 31, 23, 5, 9)))).toBe('Wed, 31 Dec 2025 23:05:09 +0000');
    expect(() => formatLgDate(new Date(NaN))).toThrow(TypeError);
  });

  it('matches the v1 refresh vector', () => {
    expect(refreshSignatureMessage(TOKEN, TS)).toBe(`/oauth2/token?grant_type=refresh_token&refresh_token=${TOKEN}\n${TS}`);
    expect(oauthSignature(refreshSignatureMessage(TOKEN, TS))).toBe('qmXL8yv82u6qj9C4MUt0ffTq20U=');
  });

  it('matches the v2 refresh and profile vectors', () => {
    expect(oauthSignature(`/oauth/1.0/oauth2/token?grant_type=refresh_token&refresh_token=${TOKEN}\n${TS}`)).toBe(
      'uk+498PzMYhyMd4jOS20Cgd9UJk=',
    );
    expect(oauthSignature(`/users/profile\n${TS}`)).toBe('AQyTBB9AWxuXgGv76HZuLINNo28=');
  });

  it('rejects bad input', () => {
    expect(() => oauthSignature(1 as unknown as string)).toThrow(/message/);
    expect(() => oauthSignature('x', '')).toThrow(/secret/);
  });

  it('encodes message ids as 22 URL-safe characters', () => {
    expect(createMessageId('00000000-0000-0000-0000-000000000000')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(createMessageId('ffffffff-ffff-ffff-ffff-fffffffffffe')).toBe('_____________________g');
    const id = createMessageId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(() => createMessageId('nope')).toThrow(TypeError);
  });
});
