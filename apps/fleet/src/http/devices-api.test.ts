// `/api/devices` over a real socket: ETag and 304, invalidation by a change, paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type FleetApp } from '../app.js';
import { silentLogger } from '../log.js';

describe('GET /api/devices caching and paging', () => {
  let app: FleetApp;

  beforeAll(async () => {
    app = await startFleet({ port: 0, dataDir: 'memory://', logger: silentLogger });
    for (let i = 0; i < 25; i++) {
      await app.ingest.device({ vendor: 'devicecloud', vendorId: `gw-${String(i).padStart(2, '0')}`, name: `Gateway ${String(i).padStart(2, '0')}`, kind: 'gateway', model: null, online: true, primaryMetric: null, commands: [] });
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers 304 to If-None-Match with the current ETag, and a new ETag once a reading changed the list', async () => {
    const first = await fetch(`${app.url}/api/devices`);
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect(((await first.json()) as { total: number }).total).toBe(25);
    const again = await fetch(`${app.url}/api/devices`, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    await app.ingest.readings([{ deviceId: 'devicecloud:gw-00', metric: 'temperature', value: 21.5, unit: 'C', ts: Date.now() }], { live: true });
    // Rebuilt at most once a second while changes stream in.
    await new Promise((resolve) => setTimeout(resolve, 1050));
    const changed = await fetch(`${app.url}/api/devices`, { headers: { 'if-none-match': etag ?? '' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const body = (await changed.json()) as { devices: Array<{ id: string; lastValues: Record<string, { value: unknown }> }> };
    expect(body.devices[0]?.lastValues['temperature']?.value).toBe(21.5);
  });

  it('pages with limit and cursor, in the list order, and refuses a bad limit', async () => {
    const ids: string[] = [];
    let cursor: string | null = '0';
    const totals = new Set<number>();
    while (cursor !== null) {
      const res = await fetch(`${app.url}/api/devices?limit=10&cursor=${cursor}`);
      const page = (await res.json()) as { devices: Array<{ id: string }>; total: number; nextCursor: string | null };
      ids.push(...page.devices.map((d) => d.id));
      totals.add(page.total);
      cursor = page.nextCursor;
    }
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => `devicecloud:gw-${String(i).padStart(2, '0')}`));
    expect([...totals]).toEqual([25]);
    const bad = await fetch(`${app.url}/api/devices?limit=1001`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('limit');
  });
});
