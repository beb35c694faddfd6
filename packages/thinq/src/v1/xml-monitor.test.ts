import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMalformedResponseError } from '../errors.js';
import { ModelInfo } from '../model.js';
import { parseXml } from './xml-monitor.js';

// Our own model in the shape ollo69's wideq reads (`Monitoring.tag` root, `{tag, value}` entries).
const HOOD = new ModelInfo({
  Info: { productType: 'HOOD', modelName: 'SIMHOOD_X1' },
  Value: {
    State: { type: 'Enum', default: '0', option: { '0': '@HO_STATE_OFF_W', '1': '@HO_STATE_ON_W' } },
    LampLevel: { type: 'Range', option: { min: 0, max: 2 } },
    VentLevel: { type: 'Range', option: { min: 0, max: 5 } },
    VentTimer: { type: 'Range', option: { min: 0, max: 60 } },
    Note: { type: 'String' },
  },
  Monitoring: {
    type: 'XML',
    tag: 'hoodState',
    protocol: [
      { tag: 'state', value: 'State' },
      { tag: 'lamp.level', value: 'LampLevel' },
      { tag: 'vent', value: ['VentLevel', 'VentTimer'] },
      { tag: 'note', value: 'Note' },
      { startByte: 0, length: 1, value: 'NotXml' },
    ],
  },
});
const frame = (xml: string) => Buffer.from(xml, 'utf8');

describe('v1 XML monitor frames', () => {
  it('reads each protocol tag under the model’s root element, splitting lists on commas', () => {
    const data = HOOD.decodeMonitor(
      frame('<?xml version="1.0" encoding="UTF-8"?>\n<!-- hood --><hoodState version="2">\n  <state>1</state>\n  <lamp on="yes"><level>2</level></lamp>\n  <vent>3,45</vent><extra/>\n</hoodState>'),
    );
    expect(data).toEqual({ State: '1', LampLevel: '2', VentLevel: '3', VentTimer: '45' });
    expect(HOOD.enumName('State', data.State)).toBe('@HO_STATE_ON_W');
  });

  it('leaves out empty and absent elements, reads "" for missing list parts, unescapes entities and CDATA', () => {
    expect(HOOD.decodeMonitor(frame('<hoodState><state/><vent>4</vent><note>a &amp; b &#x3c;&#62;</note></hoodState>'))).toEqual({ VentLevel: '4', VentTimer: '', Note: 'a & b <>' });
    expect(HOOD.decodeMonitor(frame('<hoodState><state></state><note><![CDATA[x<y]]></note><lamp>1</lamp></hoodState>'))).toEqual({ Note: 'x<y' });
    // Repeated elements are not one value.
    expect(HOOD.decodeMonitor(frame('<hoodState><state>0</state><state>1</state></hoodState>'))).toEqual({});
  });

  it('encodes what it decodes (the simulator’s frames)', () => {
    const values = { State: '0', LampLevel: '1', VentLevel: '5', VentTimer: '30', Note: 'R&D <1>' };
    const encoded = HOOD.encodeMonitor(values);
    expect(Buffer.from(encoded).toString()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><hoodState><state>0</state><lamp><level>1</level></lamp><vent>5,30</vent><note>R&amp;D &lt;1&gt;</note></hoodState>',
    );
    expect(HOOD.decodeMonitor(encoded)).toEqual(values);
  });

  it('refuses a frame that is not the model’s XML with a MalformedResponseError', () => {
    const cases: [string, string][] = [
      ['<other><state>1</state></other>', 'XML monitor data has root <other>, the model expects <hoodState>'],
      ['<hoodState><state>1</vent></hoodState>', 'XML monitor data closes <vent> where <state> is open'],
      ['<hoodState><state>1</state>', 'XML monitor data has no complete root element'],
      ['{"State":"1"}', 'XML monitor data has text outside its root element'],
      ['<hoodState/><hoodState/>', 'XML monitor data has more than one root element'],
      ['<hoodState>< state>1</state></hoodState>', 'XML monitor data has a stray <'],
      ['', 'XML monitor data has no complete root element'],
    ];
    for (const [xml, message] of cases) {
      const error = (() => {
        try {
          HOOD.decodeMonitor(frame(xml));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isMalformedResponseError(error), xml).toBe(true);
      expect((error as Error).message, xml).toBe(message);
    }
    const noTag = new ModelInfo({ Value: {}, Monitoring: { type: 'XML', protocol: [] } });
    expect(() => noTag.encodeMonitor({})).toThrow('model `Monitoring.tag` must name the root element');
    expect(() => new ModelInfo({ Value: {}, Monitoring: { type: 'XML', tag: 'x', protocol: {} } }).decodeMonitor(frame('<x/>'))).toThrow('model `Monitoring.protocol` must be a list');
  });

  it('parses nested, repeated and self-closing elements', () => {
    expect(parseXml('<a><b>1</b><b>2</b><c><d/></c> </a>')).toEqual({ name: 'a', node: { b: ['1', '2'], c: { d: '' } } });
  });

  it('never throws anything but MalformedResponseError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          HOOD.decodeMonitor(frame(`<hoodState>${text}</hoodState>`));
        } catch (error) {
          expect(isMalformedResponseError(error)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
