import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, isSensitiveName, redactHeaders, redactJson, redactText, redactUrl } from './redact.js';

describe('redaction', () => {
  it('recognises secret-looking names', () => {
    for (const name of ['Authorization', 'Cookie', 'set-cookie', 'x-api-key', 'Comap-Key', 'access_token', 'refreshToken', 'password', 'client_secret', 'X-Amz-Signature', 'sig', 'sessionId', 'passwd']) {
      expect(isSensitiveName(name)).toBe(true);
    }
    for (const name of ['content-type', 'guids', 'unit', 'page', 'code', 'message', 'date']) {
      expect(isSensitiveName(name)).toBe(false);
    }
  });

  it('prints headers by allow-list', () => {
    expect(
      redactHeaders(
        { 'Content-Type': 'application/json', Authorization: 'Bearer abc', 'X-Custom': 'hello', 'x-request-id': 'r1', 'set-cookie': ['a=1', 'b=2'], 'retry-after': 3 },
        [],
      ),
    ).toEqual({ 'content-type': 'application/json', authorization: REDACTED, 'x-custom': REDACTED, 'x-request-id': 'r1', 'set-cookie': REDACTED, 'retry-after': '3' });
    expect(redactHeaders({ 'x-custom': 'hello', 'x-request-id': 'r1' }, ['x-request-id'], [], ['x-custom'])).toEqual({ 'x-custom': 'hello', 'x-request-id': REDACTED });
    expect(redactHeaders(new Headers({ Location: 'https://h/p?token=abc' }))).toEqual({ location: `https://h/p?token=${REDACTED}` });
    expect(redactHeaders(undefined)).toEqual({});
  });

  it('redacts URLs: user info, secret-looking and extra parameters, known secret values', () => {
    expect(redactUrl('https://user:pw@h.example/a?key=1&guids=a%2Cb&access_token=xyz#frag')).toBe(`https://h.example/a?key=${REDACTED}&guids=a%2Cb&access_token=${REDACTED}#frag`);
    expect(redactUrl('https://h/a?unit=abc123&plain', ['unit'])).toBe(`https://h/a?unit=${REDACTED}&plain`);
    expect(redactUrl('https://h/path/s3cr3t-value/x', [], ['s3cr3t-value'])).toBe(`https://h/path/${REDACTED}/x`);
    expect(redactUrl('not a url token=abc')).toBe(`not a url token=${REDACTED}`);
    expect(redactUrl(new URL('https://h/?q=1'))).toBe('https://h/?q=1');
  });

  it('scrubs texts of secrets in every spelling, auth schemes and named values', () => {
    const secret = 'p@ss wörd/+"';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} form ${new URLSearchParams({ s: secret }).toString().slice(2)} json ${JSON.stringify(secret)}`;
    const out = redactText(text, [secret]);
    expect(out).toBe(`raw ${REDACTED} url ${REDACTED} form ${REDACTED} json "${REDACTED}"`);
    expect(redactText('Authorization: Bearer eyJhbGciOi.x.y and Basic dXNlcjpwdw==')).toBe(`Authorization: Bearer ${REDACTED} and Basic ${REDACTED}`);
    expect(redactText('a=1&password=hunter2&b=2 {"api_key": "k1"}')).toBe(`a=1&password=${REDACTED}&b=2 {"api_key": "${REDACTED}"}`);
    expect(redactText('abc', ['ab'])).toBe('abc'); // too short to scrub safely
  });

  it('redacts JSON bodies deeply', () => {
    expect(redactJson({ user: 'u', password: 'p', nested: [{ token: 't', note: 'has s3cret-xyz inside' }], n: 1, deep: { secret_answer: { a: 1 } } }, [], ['s3cret-xyz'])).toEqual({
      user: 'u',
      password: REDACTED,
      nested: [{ token: REDACTED, note: `has ${REDACTED} inside` }],
      n: 1,
      deep: { secret_answer: REDACTED },
    });
    expect(redactJson({ pin: '1234' }, ['PIN'])).toEqual({ pin: REDACTED });
  });

  it('never lets a known secret through redactText (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 24 }), fc.string(), fc.string(), (secret, before, after) => {
        fc.pre(!secret.includes(REDACTED) && !REDACTED.includes(secret));
        const out = redactText(`${before}${secret}${after}`, [secret]);
        expect(out.includes(REDACTED)).toBe(true);
      }),
    );
  });
});
