import { describe, expect, it } from 'vitest';
import { EventBus } from '../events.js';
import type { Device } from '../model.js';
import { DevicesCache, etagOf, matchesEtag } from './devices-cache.js';

const device = (n: number): Device => ({
  id: `comap:g${n}`,
  vendor: 'comap',
  vendorId: `g${n}`,
  name: `Genset ${n}`,
  kind: 'genset',
  model: null,
  online: true,
  primaryMetric: null,
  commands: [],
  lastSeen: null,
  lastValues: {},
  sepl: { registered: false },
});

function setup(count: number) {
  const bus = new EventBus();
  let clock = 0;
  let loads = 0;
  let devices = Array.from({ length: count }, (_, i) => device(i));
  const cache = new DevicesCache(bus, {
    now: () => clock,
    load: () => {
      loads++;
      return Promise.resolve(devices);
    },
  });
  return {
    bus,
    cache,
    loads: () => loads,
    advance: (ms: number) => (clock += ms),
    replace: (next: Device[]) => (devices = next),
  };
}

describe('the cached devices answer', () => {
  it('builds the list once and serves it until a device or reading event changes it', async () => {
    const s = setup(3);
    const first = await s.cache.page('|', 0, undefined);
    expect(JSON.parse(first.body)).toEqual({ devices: [device(0), device(1), device(2)], total: 3, nextCursor: null });
    expect(first.etag).toBe(etagOf(first.body));
    s.advance(900);
    expect(await s.cache.page('|', 0, undefined)).toBe(first);
    expect(s.loads()).toBe(1);
    s.advance(100);
    const rebuilt = await s.cache.page('|', 0, undefined);
    expect(rebuilt.etag).toBe(first.etag);
    s.replace([device(0)]);
    s.bus.emit('reading', { deviceId: 'comap:g0', metric: 'm', value: 1, unit: null, ts: '' });
    // Changes streaming in rebuild it at most every 200 ms.
    s.advance(150);
    expect((await s.cache.page('|', 0, undefined)).etag).toBe(first.etag);
    s.advance(50);
    const second = await s.cache.page('|', 0, undefined);
    expect(JSON.parse(second.body).total).toBe(1);
    expect(second.etag).not.toBe(first.etag);
    expect(s.loads()).toBe(3);
  });

  it('is never older than a second (changes of other collectors do not pass the bus)', async () => {
    const s = setup(2);
    await s.cache.page('|', 0, undefined);
    s.advance(999);
    await s.cache.page('|', 0, undefined);
    expect(s.loads()).toBe(1);
    s.advance(1);
    await s.cache.page('|', 0, undefined);
    expect(s.loads()).toBe(2);
  });

  it('pages a list of 10,000 devices: the cursor is the next offset, null on the last page', async () => {
    const s = setup(10_000);
    const first = JSON.parse((await s.cache.page('|', 0, 1000)).body) as { devices: Device[]; total: number; nextCursor: string | null };
    expect(first.devices.map((d) => d.id).slice(0, 2)).toEqual(['comap:g0', 'comap:g1']);
    expect(first.devices).toHaveLength(1000);
    expect(first).toMatchObject({ total: 10_000, nextCursor: '1000' });
    const last = JSON.parse((await s.cache.page('|', 9500, 1000)).body) as { devices: Device[]; nextCursor: string | null };
    expect(last.devices).toHaveLength(500);
    expect(last.devices[0]?.id).toBe('comap:g9500');
    expect(last.nextCursor).toBeNull();
    expect(s.loads()).toBe(1);
  });

  it('serves the previous list to callers arriving during a rebuild; a slow build stretches the ages', async () => {
    const bus = new EventBus();
    let clock = 0;
    let release: (() => void) | undefined;
    let builds = 0;
    const cache = new DevicesCache(bus, {
      now: () => clock,
      load: async () => {
        builds++;
        if (builds > 1) await new Promise<void>((resolve) => (release = resolve));
        clock += 300; // a build of 300 ms
        return [device(builds)];
      },
    });
    const first = await cache.page('|', 0, undefined);
    bus.emit('reading', { deviceId: 'comap:g0', metric: 'm', value: 1, unit: null, ts: '' });
    // Five times the 300 ms build (1.5 s from its start) must pass before a change is rebuilt.
    clock += 1100;
    expect(await cache.page('|', 0, undefined)).toBe(first);
    clock += 100;
    const rebuilding = cache.page('|', 0, undefined);
    // Meanwhile another caller gets the previous list at once.
    expect(await cache.page('|', 0, undefined)).toBe(first);
    release?.();
    expect(JSON.parse((await rebuilding).body).devices[0].id).toBe('comap:g2');
    expect(builds).toBe(2);
    cache.close();
  });

  it('shares one build between callers arriving during it, and keeps filters apart', async () => {
    const s = setup(2);
    const [a, b] = await Promise.all([s.cache.page('|', 0, undefined), s.cache.page('|', 0, undefined)]);
    expect(a).toBe(b);
    await s.cache.page('comap|', 0, undefined);
    expect(s.loads()).toBe(2);
    s.cache.close();
    expect(s.bus.listenerCount()).toBe(0);
  });
});

describe('If-None-Match', () => {
  it('matches the tag, a list, the weak form and *; nothing else', () => {
    expect(matchesEtag('"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('"x", W/"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('*', '"abc"')).toBe(true);
    expect(matchesEtag('"abd"', '"abc"')).toBe(false);
    expect(matchesEtag(undefined, '"abc"')).toBe(false);
  });
});
