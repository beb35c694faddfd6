import { describe, expect, it } from 'vitest';
import { parseJson } from './json-exact.js';
import { parseDocument } from './payload.js';

const big = '9007199254740993'; // 2^53 + 1: a double cannot hold it
const jsonDoc = (data: string) =>
  Buffer.from(`{"Document":{"Msg":{"topic":"1/DataPoint/d/l","operation":"INSERTION","timestamp":"t","DataPoint":{"id":"a","cstId":1,"streamId":"d/l","streamType":"LONG","data":${data},"timestamp":1,"serverTimestamp":2}}}}`);
const xmlDoc = (data: string) =>
  Buffer.from(`<Document><Msg topic="1/DataPoint/d/l" operation="create" timestamp="t"><DataPoint><id>a</id><cstId>1</cstId><streamId>d/l</streamId><streamType>LONG</streamType><data>${data}</data><timestamp>1</timestamp><serverTimestamp>2</serverTimestamp></DataPoint></Msg></Document>`);
const data = (doc: Buffer, format: 'json' | 'xml', longs?: 'number' | 'string' | 'bigint') => {
  const [event] = parseDocument(doc, format, longs ? { longs } : {});
  return event!.type === 'DataPoint' ? event!.payload.data : undefined;
};

describe('LONG data points', () => {
  it('are exact as string or bigint in JSON and XML (number stays the default)', () => {
    for (const [doc, format] of [
      [jsonDoc(big), 'json'],
      [jsonDoc(`"${big}"`), 'json'],
      [xmlDoc(big), 'xml'],
    ] as const) {
      expect(data(doc, format, 'string')).toBe(big);
      expect(data(doc, format, 'bigint')).toBe(9007199254740993n);
      expect(data(doc, format)).toBe(9007199254740992);
    }
    expect(data(jsonDoc('-12'), 'json', 'bigint')).toBe(-12n);
    expect(data(xmlDoc('12'), 'xml', 'string')).toBe('12');
    expect(data(xmlDoc('n/a'), 'xml', 'bigint')).toBe('n/a');
  });

  it('parseJson quotes only long integer literals outside strings', () => {
    const text = `{"a":${big},"b":"${big}","c":1.${big},"d":${big}e2,"e":[-${big}],"f":"x\\"${big}"}`;
    expect(parseJson(text, true)).toEqual({ a: big, b: big, c: Number(`1.${big}`), d: Number(`${big}e2`), e: [`-${big}`], f: `x"${big}` });
    expect(parseJson(text, false)).toEqual(JSON.parse(text));
    expect(parseJson('{"a":1}', true)).toEqual({ a: 1 });
  });
});
