import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window.js';
import { eventKey, resourceId } from './event-key.js';
import type { MonitorEvent } from './events.js';

const base = { operation: 'INSERTION', timestamp: '2026-01-02T03:04:05.678Z', replay: false } as const;
const dp = (): MonitorEvent => ({ ...base, topic: '7/DataPoint/dev/temp', type: 'DataPoint', payload: { id: 'uuid-1', cstId: 7, streamId: 'dev/temp', data: 1, timestamp: 1, serverTimestamp: 2 } });

describe('eventKey / resourceId', () => {
  it('is monitor|topic|operation|timestamp|resource id for every event type', () => {
    expect(eventKey(dp(), 42)).toBe('42|7/DataPoint/dev/temp|INSERTION|2026-01-02T03:04:05.678Z|uuid-1');
    const dc: MonitorEvent = { ...base, topic: '7/DeviceCore/6283/0', type: 'DeviceCore', payload: { id: { devId: 6283, devVersion: 0 }, devConnectwareId: 'X', cstId: 7 } };
    const fd: MonitorEvent = { ...base, topic: '7/FileData/db/a.txt', type: 'FileData', payload: { id: { fdPath: '/db/', fdName: 'a.txt' }, cstId: 7 } };
    const other: MonitorEvent = { ...base, topic: '7/Alarm/3', type: 'other', resource: 'Alarm', payload: {} };
    expect([resourceId(dc), resourceId(fd), resourceId(other)]).toEqual(['6283/0', '/db/a.txt', '']);
    expect(eventKey(other, 1)).toBe('1|7/Alarm/3|INSERTION|2026-01-02T03:04:05.678Z|');
  });

  it('equals for a replayed copy, and stays fixed when a handler edits the event', () => {
    const first = dp();
    const key = eventKey(first, 1);
    first.topic = 'edited';
    (first.payload as { id: string }).id = 'changed';
    expect(eventKey(first, 1)).toBe(key);
    expect(eventKey({ ...dp(), replay: true }, 1)).toBe(key);
    expect(eventKey(dp(), 2)).not.toBe(key);
  });

  it('validates its input', () => {
    expect(() => eventKey(null as never, 1)).toThrow(TypeError);
    expect(() => eventKey(dp(), -1)).toThrow(/monitorId/);
  });
});

describe('DedupeWindow', () => {
  it('drops remembered keys, forgets the oldest beyond maxKeys, counts drops', () => {
    const w = new DedupeWindow(2);
    expect(w.isDuplicate('a')).toBe(false);
    w.remember('a');
    w.remember('b');
    w.remember('a'); // refreshed: now the newest
    w.remember('c'); // evicts b
    expect([w.isDuplicate('a'), w.isDuplicate('b'), w.isDuplicate('c')]).toEqual([true, false, true]);
    expect([w.size, w.dropped]).toEqual([2, 2]);
    w.clear();
    expect(w.size).toBe(0);
  });

  it('validates its input', () => {
    expect(() => new DedupeWindow(0)).toThrow(/maxKeys/);
    expect(() => new DedupeWindow(1).remember(1 as never)).toThrow(/key/);
  });
});
