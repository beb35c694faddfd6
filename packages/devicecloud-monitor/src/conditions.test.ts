// Vectors from digidotcom/python-devicecloud @ 4940d6f, devicecloud/test/unit/test_conditions.py
// (specs/devicecloud.md §B.7); the grouping and quoting cases are where we deliberately differ.
import { describe, expect, it } from 'vitest';
import { MonitorFields as M, and, attribute, or } from './conditions.js';

const a = attribute('a');
const b = attribute('b');
const c = attribute('c');

describe('conditions', () => {
  it('compiles the reference vectors', () => {
    expect(a.gt(21).compile()).toBe("a>'21'");
    expect(a.lt(25).compile()).toBe("a<'25'");
    expect(a.eq('a string').compile()).toBe("a='a string'");
    expect(a.like('%.txt').compile()).toBe("a like '%.txt'");
    expect(a.gt(21).and(b.eq('Amsterdam')).compile()).toBe("a>'21' and b='Amsterdam'");
    expect(a.like('%.csv').or(b.lt(1024)).compile()).toBe("a like '%.csv' or b<'1024'");
    expect(a.gt(1).and(a.gt(2)).and(a.gt(3)).compile()).toBe("a>'1' and a>'2' and a>'3'");
    expect(a.lt(new Date(Date.UTC(2014, 6, 7))).compile()).toBe("a<'2014-07-07T00:00:00Z'");
    expect(a.lt(new Date(Date.UTC(2014, 6, 7, 1, 2, 3, 45))).toString()).toBe("a<'2014-07-07T01:02:03.045Z'");
  });

  it('keeps grouping with explicit parentheses', () => {
    expect(a.eq(1).and(b.eq(2).or(c.eq(3))).compile()).toBe("a='1' and (b='2' or c='3')");
    expect(or(and(a.eq(1), b.eq(2)), c.eq(3)).compile()).toBe("(a='1' and b='2') or c='3'");
    expect(and(a.eq(1), and(b.eq(2), c.eq(3))).compile()).toBe("a='1' and b='2' and c='3'");
    expect(and(or(a.eq(1), b.eq(2)), or(c.eq(3), a.eq(4))).compile()).toBe("(a='1' or b='2') and (c='3' or a='4')");
    expect(and(a.eq(1)).compile()).toBe("a='1'");
  });

  it('quotes values safely', () => {
    expect(M.monDescription.eq("it's <ok> & fine").compile()).toBe("monDescription='it''s <ok> & fine'");
    expect(M.monTopic.eq('DeviceCore,FileData').compile()).toBe("monTopic='DeviceCore,FileData'");
    expect(M.monAutoReplayOnConnect.eq(true).compile()).toBe("monAutoReplayOnConnect='true'");
    expect(M.monId.gt(10n).compile()).toBe("monId>'10'");
  });

  it('rejects bad input naming the parameter', () => {
    expect(() => attribute('a b')).toThrow(/attribute name/);
    expect(() => a.eq(Number.NaN)).toThrow(RangeError);
    expect(() => a.eq(new Date('x'))).toThrow(RangeError);
    expect(() => a.eq({} as never)).toThrow(TypeError);
    expect(() => a.like(1 as never)).toThrow(/pattern/);
    expect(() => and()).toThrow(RangeError);
    expect(() => and({ compile: () => 'x' } as never)).toThrow(TypeError);
  });
});
