// The collectors panel in headless Chromium, on the fake fleet API (fake-fleet.ts): shown only
// when several collectors share the shards through PostgreSQL, every collector's name as text
// (a name holding markup stays text), this collector marked, unowned shards and the other
// collectors' live events in words; it follows /api/status (asked again every 10 s, on the page's
// fake clock) and hides on a device's page. Its own browser: the page clock is the context's.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allOnOrigin, launchBrowser, poll, screenshot, type Browser, type WatchedPage } from './browser.js';
import { startFakeFleet, type FakeFleet, type Json } from './fake-fleet.js';
import { sampleDevices } from './sample-fleet.js';
import { ensureWebBuilt } from './web-build.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';

function leases(overrides: Json = {}): Json {
  return {
    mode: 'leases',
    state: 'ok',
    reason: null,
    collector: { id: 'id-b', name: 'edge-2' },
    total: 64,
    owned: range(22, 42),
    leaseInMs: 15000,
    collectors: [
      { id: 'id-a', name: 'edge-1', shards: range(0, 21), expiresAt: '2026-11-21T06:00:15.000Z' },
      { id: 'id-b', name: 'edge-2', shards: range(22, 42), expiresAt: '2026-11-21T06:00:15.000Z' },
      { id: 'id-c', name: HOSTILE, shards: range(43, 63), expiresAt: '2026-11-21T06:00:15.000Z' },
    ],
    unowned: [],
    liveEvents: { state: 'connected', reason: null },
    ...overrides,
  };
}

describe('dashboard collectors panel (fake fleet API)', { timeout: 60_000 }, () => {
  let browser: Browser;
  let fake: FakeFleet;
  let watched: WatchedPage | undefined;

  beforeAll(async () => {
    await ensureWebBuilt();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    fake = await startFakeFleet();
    fake.devices = sampleDevices();
  });
  afterEach(async () => {
    await watched?.page.close();
    await fake?.close();
    expect(allOnOrigin(watched?.requests ?? [], fake.url)).toBe(true);
    expect(watched?.errors).toEqual([]);
  });

  it('lists the live collectors with their shards, marks this one, keeps names as text, and follows /api/status', async () => {
    fake.status.storage = { kind: 'postgres' };
    fake.status.shards = leases();
    watched = await browser.newPage();
    const { page } = watched;
    await page.clock.install();
    await page.goto(fake.url);
    const panel = page.locator('#shards');
    await poll(() => panel.isVisible()).toBe(true);
    const rows = page.locator('[data-testid="collectors"] li');
    const read = () =>
      rows.evaluateAll((items) =>
        items.map((li) => [li.querySelector('.collector-name')?.textContent, li.querySelector('.collector-shards')?.textContent, li.hasAttribute('data-self'), li.querySelector('.badge')?.textContent ?? null]),
      );
    expect(await read()).toEqual([
      ['edge-1', '22 shards', false, null],
      ['edge-2', '21 shards', true, 'This collector'],
      [HOSTILE, '21 shards', false, null],
    ]);
    // The name with markup is text: no element was made from it, nothing ran.
    expect(await page.locator('#shards img').count()).toBe(0);
    expect(await page.title()).toBe('Fleet dashboard');
    expect(await page.locator('[data-testid="shards-unowned"]').textContent()).toBe('All 64 shards are collected.');
    expect(await page.locator('[data-testid="shards-live"]').textContent()).toBe('Live events of the other collectors arrive.');
    await screenshot(page, 'states-collectors-laptop');

    // edge-1 died: its shards are nobody's until taken, and the others' events stopped arriving.
    fake.status.shards = leases({
      collectors: (leases()['collectors'] as Json[]).slice(1),
      unowned: range(0, 21),
      liveEvents: { state: 'reconnecting', reason: 'listening connection lost: Connection terminated unexpectedly' },
    });
    await page.clock.fastForward(10_000);
    await poll(() => rows.count()).toBe(2);
    expect(await page.locator('[data-testid="shards-unowned"]').textContent()).toBe(
      '22 shards of 64 not collected right now: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …',
    );
    expect(await page.locator('[data-testid="shards-live"]').textContent()).toBe(
      'Live events of the other collectors are not arriving (listening connection lost: Connection terminated unexpectedly); reconnecting.',
    );
    fake.status.shards = leases({ state: 'degraded', reason: 'shard leases not renewed: connect ECONNREFUSED 127.0.0.1:5432' });
    await page.clock.fastForward(10_000);
    await poll(() => page.locator('[data-testid="shards-problem"]').textContent()).toBe(
      'This collector collects nothing until its leases are renewed: shard leases not renewed: connect ECONNREFUSED 127.0.0.1:5432',
    );

    // A device's own page has no collectors panel; back on the overview it is there again.
    await page.locator('tr[data-device-id="comap:genset-1"] a').click();
    await poll(() => page.locator('#detail').isVisible()).toBe(true);
    expect(await panel.isHidden()).toBe(true);
    await page.goBack();
    await poll(() => panel.isVisible()).toBe(true);
  });

  it('is hidden with PGlite (one collector owns every shard) and for a service that does not report shards', async () => {
    const single = leases({ mode: 'single', collectors: [{ id: 'id-b', name: '0/1', shards: range(0, 63), expiresAt: null }], liveEvents: { state: 'local', reason: null } });
    for (const shards of [single, undefined]) {
      if (watched) {
        await watched.page.close();
        expect(watched.errors).toEqual([]);
      }
      if (shards) fake.status.shards = shards;
      else delete fake.status.shards;
      watched = await browser.newPage();
      await watched.page.goto(fake.url);
      await watched.page.locator('tr[data-device-id="comap:genset-1"]').waitFor();
      expect(await watched.page.locator('#shards').isHidden()).toBe(true);
    }
  });
});
