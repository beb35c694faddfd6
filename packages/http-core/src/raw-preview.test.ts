import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, rawPreview } from './raw-preview.js';
import { REDACTED } from './redact.js';

const R = REDACTED;

describe('rawPreview', () => {
  it('passes short harmless text through unchanged', () => {
    expect(rawPreview('{"unit":"abc","value":42}')).toBe('{"unit":"abc","value":42}');
    expect(rawPreview('')).toBe('');
    expect(rawPreview(undefined)).toBe('');
  });

  it('redacts JSON keys, key=value pairs and auth schemes in text', () => {
    expect(rawPreview('{"user":"u","password":"hunter2","pin": 1234,"n":1}')).toBe(`{"user":"u","password":"${R}","pin": 1234,"n":1}`);
    expect(rawPreview('{"user":"u","password":"hunter2","pin": 1234}', { names: ['pin'] })).toBe(`{"user":"u","password":"${R}","pin": "${R}"}`);
    expect(rawPreview('grant_type=refresh&refresh_token=abc.def&x=1')).toBe(`grant_type=refresh&refresh_token=${R}&x=1`);
    expect(rawPreview('Authorization: Bearer eyJ0eXAi.eyJzdWIi.sig')).toBe(`Authorization: Bearer ${R}`);
  });

  it('redacts secret-looking XML elements, with attributes, namespaces and CDATA', () => {
    const xml =
      '<login><user>ann</user><password>hunter2</password><ns:authToken type="x">tok-1</ns:authToken>' +
      '<token/><secret><![CDATA[a<b]]></secret><apiKey  >k</apiKey ><note>keep</note></login>';
    expect(rawPreview(xml)).toBe(
      `<login><user>ann</user><password>${R}</password><ns:authToken type="x">${R}</ns:authToken>` +
        `<token/><secret>${R}</secret><apiKey  >${R}</apiKey ><note>keep</note></login>`,
    );
    expect(rawPreview('<a pin="1234" id="7"/><b access_token=\'zz\'>', { names: ['PIN'] })).toBe(`<a pin="${R}" id="7"/><b access_token='${R}'>`);
    // An element cut off by the end of the data.
    expect(rawPreview('<frame><password>hunter')).toBe(`<frame><password>${R}`);
    expect(rawPreview('<deviceId>d1</deviceId>', { names: ['device-id'] })).toBe(`<deviceId>${R}</deviceId>`);
  });

  it('blanks extra secret values in every spelling', () => {
    expect(rawPreview('value=abc transport s3cr3t-tok and s3cr3t%2Dtok? no: s3cr3t-tok', { secrets: ['s3cr3t-tok'] })).toBe(
      `value=abc transport ${R} and s3cr3t%2Dtok? no: ${R}`,
    );
    expect(rawPreview('a b/c+d', { secrets: ['b/c+d'] })).toBe('a b/c+d'.replace('b/c+d', R));
    expect(rawPreview({ note: 'x a%20b x' }, { secrets: ['a b x'] })).toBe('{"note":"x a%20b x"}');
    expect(rawPreview({ note: 'x a b c x' }, { secrets: ['a b c'] })).toBe(`{"note":"x ${R} x"}`);
  });

  it('previews parsed JSON with secret fields replaced', () => {
    expect(rawPreview({ unit: 'u1', credentials: { user: 'a' }, list: [{ accessToken: 't' }], n: null })).toBe(
      `{"unit":"u1","credentials":"${R}","list":[{"accessToken":"${R}"}],"n":null}`,
    );
    expect(rawPreview({ deviceSerial: 'SN1' }, { names: ['deviceSerial'] })).toBe(`{"deviceSerial":"${R}"}`);
    expect(rawPreview(12)).toBe('12');
    expect(rawPreview(10n)).toBe('10');
    expect([rawPreview({ n: 1n }), rawPreview(Symbol('s')), rawPreview(() => 1)]).toEqual(['[unserialisable]', '[symbol]', '[function]']);
  });

  it('shows text bytes as UTF-8 and binary bytes as hex, secrets blanked in both', () => {
    expect(rawPreview(new TextEncoder().encode('ok token=abc ü'))).toBe(`ok token=${R} ü`);
    expect(rawPreview(Uint8Array.from([0, 1, 2, 255]))).toBe('hex:000102ff');
    expect(rawPreview(Uint8Array.from([0xc3]).buffer)).toBe('');
    const frame = Buffer.concat([Buffer.from([0, 7]), Buffer.from('tok-SECRET-9'), Buffer.from([0])]);
    expect(rawPreview(frame, { secrets: ['tok-SECRET-9'] })).toBe(`hex:0007${R}00`);
  });

  it('is bounded and says so', () => {
    const long = 'a'.repeat(5000);
    expect(rawPreview(long)).toBe(`${'a'.repeat(2048)}… [truncated, 5000 chars]`);
    expect(rawPreview(long, { maxLength: 10 })).toBe('aaaaaaaaaa… [truncated, 5000 chars]');
    expect(rawPreview(new Uint8Array(4000).fill(0x62), { maxLength: 8 })).toBe('bbbbbbbb… [truncated, 4000 bytes]');
    expect(rawPreview(new Uint8Array(4000), { maxLength: 8 })).toBe('hex:0000… [truncated, 4000 bytes]');
    expect(rawPreview({ list: new Array(100).fill(1) }, { maxLength: 12 })).toBe(`{"list":[1,1… [truncated, 210 chars]`);
    // Redaction happens before the cut, so a secret value near the bound is never half shown.
    expect(rawPreview(`${'x'.repeat(6)}password=hunter2hunter2`, { maxLength: 12 })).toBe(`xxxxxxpasswo… [truncated, 29 chars]`);
    expect(rawPreview(`${'x'.repeat(6)}password=hunter2hunter2`, { maxLength: 20 })).toBe(`xxxxxxpassword=[REDA… [truncated, 29 chars]`);
    expect(rawPreview(`${'x'.repeat(6)}password=hunter2hunter2`, { maxLength: 25 })).toBe(`xxxxxxpassword=${R}`);
  });

  it('never shows a known secret, wherever the cut falls (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 3000 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 3000 }), (before, maxLength, repeat) => {
        const secret = 'Zq9-secret-Zq9';
        const out = rawPreview(`${before}${secret}${'y'.repeat(repeat % 50)}`, { secrets: [secret], maxLength });
        expect(out.includes('Zq9-secr')).toBe(false);
        expect(out.length).toBeLessThanOrEqual(maxLength + '… [truncated, 9999 chars]'.length);
      }),
    );
  });

  it('any bytes or text give a bounded string, never a throw (property)', () => {
    const marker = '… [truncated, 99999 bytes]'.length;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 5000 }), fc.string({ maxLength: 5000 }), fc.json()), fc.integer({ min: 1, max: 3000 }), (raw, maxLength) => {
        const out = rawPreview(raw, { maxLength });
        expect(typeof out).toBe('string');
        expect(out.length).toBeLessThanOrEqual(maxLength + marker);
      }),
    );
  });

  it('rejects bad options naming the parameter', () => {
    expect(() => rawPreview('x', { maxLength: 0 })).toThrow(new RangeError('options.maxLength must be an integer >= 1, got 0'));
    expect(() => rawPreview('x', { maxLength: '5' as never })).toThrow(new RangeError('options.maxLength must be an integer >= 1, got string'));
    expect(() => rawPreview('x', { secrets: 'abc' as never })).toThrow(new TypeError('options.secrets must be an array of strings'));
    expect(() => rawPreview('x', { names: [1] as never })).toThrow(new TypeError('options.names must be an array of strings'));
    expect(() => rawPreview('x', null as never)).toThrow(new TypeError('options must be an object'));
  });
});

describe('createRedactor', () => {
  it('carries its names and secrets into every method, and secrets can be added and removed', () => {
    const redactor = createRedactor({ names: ['transport'], secrets: ['initial-secret'] });
    expect(redactor.preview('<transport>abc</transport> initial-secret')).toBe(`<transport>${R}</transport> ${R}`);
    const remove = redactor.addSecret('monitor-token-1');
    expect(redactor.text('sent monitor-token-1 to initial-secret')).toBe(`sent ${R} to ${R}`);
    expect(redactor.json({ transport: 'x', note: 'monitor-token-1' })).toEqual({ transport: R, note: R });
    expect(redactor.url('https://h/p/monitor-token-1?transport=t&q=1')).toBe(`https://h/p/${R}?transport=${R}&q=1`);
    expect(redactor.preview('x', { secrets: ['extra-1234'], names: ['q'] })).toBe('x');
    expect(redactor.preview('q=1 extra-1234 monitor-token-1', { secrets: ['extra-1234'], names: ['q'] })).toBe(`q=${R} ${R} ${R}`);
    remove();
    remove();
    expect(redactor.text('sent monitor-token-1')).toBe('sent monitor-token-1');
    // Counted: two owners of one value each remove their own.
    const a = redactor.addSecret('shared-value');
    const b = redactor.addSecret('shared-value');
    a();
    expect(redactor.text('shared-value')).toBe(R);
    b();
    expect(redactor.text('shared-value')).toBe('shared-value');
    // Redactors do not share state, and rawPreview knows none of theirs.
    expect(createRedactor().text('initial-secret')).toBe('initial-secret');
    expect(rawPreview('<transport>abc</transport>')).toBe('<transport>abc</transport>');
  });

  it('has its own default bound', () => {
    expect(createRedactor({ maxLength: 4 }).preview('abcdefgh')).toBe('abcd… [truncated, 8 chars]');
    expect(createRedactor({ maxLength: 4 }).preview('abcdefgh', { maxLength: 6 })).toBe('abcdef… [truncated, 8 chars]');
  });

  it('rejects bad options naming the parameter', () => {
    expect(() => createRedactor(null as never)).toThrow(new TypeError('options must be an object'));
    expect(() => createRedactor({ names: 'x' as never })).toThrow(new TypeError('options.names must be an array of strings'));
    expect(() => createRedactor({ secrets: [undefined] as never })).toThrow(new TypeError('options.secrets must be an array of strings'));
    expect(() => createRedactor({ maxLength: 1.5 })).toThrow(new RangeError('options.maxLength must be an integer >= 1, got 1.5'));
    expect(() => createRedactor().addSecret(42 as never)).toThrow(new TypeError('secret must be a string, got number'));
  });
});
