import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities } from './html.js';

describe('decodeHtmlEntities', () => {
  it('decodes the references seen in comment text', () => {
    expect(decodeHtmlEntities('Oil &amp; filter &#x28;500 h&#x29; &#x2F; belts &lt;ok&gt; &quot;x&quot; &#39;y&#39; &apos;')).toBe(
      'Oil & filter (500 h) / belts <ok> "x" \'y\' \'',
    );
    expect(decodeHtmlEntities('&#128512; &nbsp;')).toBe('\u{1F600} \u00a0');
  });
  it('keeps unknown or invalid references as written', () => {
    expect(decodeHtmlEntities('&bogus; &#xD800; &#0; &#x110000; & amp;')).toBe('&bogus; &#xD800; &#0; &#x110000; & amp;');
  });
  it('decodes once only and leaves text without references unchanged (property)', () => {
    expect(decodeHtmlEntities('&amp;lt;')).toBe('&lt;');
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('&')), (s) => {
          expect(decodeHtmlEntities(s)).toBe(s);
        }));
  });
});
