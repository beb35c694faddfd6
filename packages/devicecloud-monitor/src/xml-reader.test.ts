import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPushProtocolError } from './errors.js';
import { parseDocument, xmlText } from './payload.js';
import { createXmlParser, toXml } from './xml.js';
import { decodeXmlText, readXml } from './xml-reader.js';

const reference = createXmlParser(['Msg']);
const msgs = new Set(['Msg']);

describe('readXml', () => {
  it('builds the same objects as the reference parser for monitor documents', () => {
    const doc =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment --><Document>\n  <Msg topic="1/DataPoint/d/t" operation="create" timestamp="t1" replay="true">' +
      '<DataPoint><id>u</id><cstId>1</cstId><data>  21.5 </data><streamUnits/><description></description></DataPoint></Msg>' +
      "<Msg topic='1/Alarm/7' operation='update' timestamp='t2'><Alarm><almId>7</almId><x a=\"1\">text</x><r>1</r><r>2</r></Alarm></Msg></Document>";
    expect(readXml(doc, msgs)).toEqual(reference.parse(doc));
    expect(readXml('<Document/>', msgs)).toEqual({ Document: '' });
    expect(readXml('<Document><Msg a="1"/></Document>', msgs)).toEqual({ Document: { Msg: [{ a: '1' }] } });
  });

  it('decodes numeric character references and the predefined entities, in text, attributes and CDATA as-is', () => {
    expect(readXml('<a x="caf&#233;&#x41;&quot;">caf&#233; &#x1F600; &amp;&lt;&gt;&apos; &amp;#233;<![CDATA[&#233;<b>]]></a>')).toEqual({
      a: { x: 'caféA"', '#text': "café 😀 &<>' &#233;&#233;<b>" },
    });
    expect(decodeXmlText('no references')).toBe('no references');
  });

  it('refuses what is not well-formed, DOCTYPEs and undefined entities', () => {
    for (const bad of [
      '<a><b></a>',
      '<a>',
      '<a></a><b></b>',
      'text<a/>',
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<a>&nbsp;</a>',
      '<a>&#0;</a>',
      '<a>&#xD800;</a>',
      '<a x=1/>',
      '<a x="1',
      '<a x="<"/>',
      '<a><!-- open',
      '<a><![CDATA[ open',
      '<? open',
      '',
      '< a/>',
      '<![CDATA[x]]><a/>',
    ]) {
      expect(() => readXml(bad), bad).toThrow(SyntaxError);
    }
  });

  it('round-trips any element tree written by toXml (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,6}$/);
    const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((t) => t.trim() === t && t !== '');
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.dictionary(name, tie('node'), { minKeys: 1, maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(name, tree, (root, value) => {
        const xml = toXml(root, value);
        expect(readXml(xml)).toEqual({ [root]: value });
      }),
      { numRuns: 300 },
    );
  });

  it('any bytes either parse or throw a SyntaxError, never anything else (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '/', '&', '#', ';', '"', '=', 'a', ' ', '!', '?', '-', '[', ']', 'x', '1') }), (s) => {
        try {
          readXml(s);
        } catch (err) {
          expect(err).toBeInstanceOf(SyntaxError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('XML encodings', () => {
  it('decodes by the declared encoding (ISO-8859-1 bytes are not U+FFFD), UTF-8 otherwise', () => {
    const latin1 = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><Document><Msg topic="t" operation="create" timestamp="1"><Alarm><n>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</n></Alarm></Msg></Document>'),
    ]);
    const [event] = parseDocument(latin1, 'xml');
    expect(event).toMatchObject({ type: 'other', resource: 'Alarm', payload: { n: 'café' } });
    expect(xmlText(Buffer.from("<?xml version='1.0' encoding='utf-8'?><a>é</a>"))).toBe("<?xml version='1.0' encoding='utf-8'?><a>é</a>");
    expect(xmlText(Buffer.from('<a>é</a>'))).toBe('<a>é</a>');
  });

  it('an unknown declared encoding is a BAD_DOCUMENT protocol error', () => {
    let caught: unknown;
    try {
      parseDocument(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><Document/>'), 'xml');
    } catch (err) {
      caught = err;
    }
    expect(isPushProtocolError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'BAD_DOCUMENT', cause: new SyntaxError('unsupported XML encoding x-klingon') });
  });
});
