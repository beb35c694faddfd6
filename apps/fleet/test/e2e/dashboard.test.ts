// The dashboard end to end: the real fleet service in demo mode (the four vendor simulators
// in-process, over loopback), its page in headless Chromium. Screenshots go to
// apps/fleet/artifacts/screenshots/ (kept by CI as artifacts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet } from '../../src/index.js';
import { allOnOrigin, launchBrowser, poll, screenshot, unnamedControls, until, viewports, type Browser, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';
import type { LastValue } from '../../src/web/api.js';
import { valueWords } from '../../src/web/words.js';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
type Demo = NonNullable<Fleet['demo']>;

interface ApiDevice {
  id: string;
  vendor: string;
  name: string;
  kind: string;
  primaryMetric: string | null;
  lastValues: Record<string, { value: unknown; unit: string | null; ts: string }>;
  commands: { name: string; label: string; dangerous: boolean; params: { name: string; type: string; values?: unknown[] }[] }[];
}

const rowOf = (id: string): string => `#device-rows tr[data-device-id="${id}"]`;
const detailUrl = (base: string, id: string): string => `${base}/#/device/${encodeURIComponent(id)}`;

// Generous timeouts: the CI machines are shared and Chromium is slow to start under load.
describe('dashboard on the demo fleet', { timeout: 60_000 }, () => {
  let app: Fleet;
  let dataDir: string;
  let browser: Browser;
  let devices: ApiDevice[];
  const pages: WatchedPage[] = [];

  async function open(url: string, viewport: { width: number; height: number } = viewports.laptop): Promise<WatchedPage> {
    const watched = await browser.newPage(viewport);
    pages.push(watched);
    await watched.page.goto(url);
    return watched;
  }

  /** The demo controls (present because the app runs with `demo: true`). */
  function demo(): Demo {
    if (!app.demo) throw new Error('startFleet({ demo: true }) returned no demo controls');
    return app.demo;
  }

  async function apiDevices(): Promise<ApiDevice[]> {
    const response = await fetch(`${app.url}/api/devices`);
    return ((await response.json()) as { devices: ApiDevice[] }).devices;
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'fleet-e2e-data-'));
    app = await startFleet({ demo: true, port: 0, dataDir });
    await app.waitFor((s) => s.vendors.comap.state === 'connected' && s.vendors.devicecloud.state === 'connected' && s.vendors.thinq.state === 'connected' && s.sepl.state === 'connected', 30_000);
    // Wait until every device cloud has reported devices with values.
    await until(
      'every device cloud reported devices with values',
      async () => {
        devices = await apiDevices();
        return ['comap', 'devicecloud', 'thinq'].every((v) => devices.some((d) => d.vendor === v && Object.keys(d.lastValues).length > 0));
      },
      15_000,
    );
    browser = await launchBrowser();
  }, 60_000);

  // Close each test's pages: every page holds an SSE connection, and Chromium allows only six
  // HTTP/1.1 connections per host.
  afterEach(async () => {
    for (const { page, requests, errors } of pages.splice(0)) {
      await page.close();
      // Everything the page needed came from the fleet service: no network at runtime.
      expect(allOnOrigin(requests, app.url)).toBe(true);
      expect(errors).toEqual([]);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('shows the devices of the three device clouds and the SEPL bridge state', async () => {
    const { page } = await open(app.url);
    await page.locator('#device-rows tr').first().waitFor();
    devices = await apiDevices();
    for (const device of devices) {
      const row = page.locator(rowOf(device.id));
      expect(await row.locator('td[data-label="Name"] a').textContent()).toBe(device.name);
      expect(await row.locator('td[data-label="Kind"] .cell').textContent()).toContain(device.kind);
    }
    expect(await page.locator('#device-rows tr').count()).toBe(devices.length);
    for (const vendor of ['comap', 'devicecloud', 'thinq']) {
      expect(await page.locator(`#device-rows tr[data-vendor="${vendor}"]`).count()).toBeGreaterThan(0);
      expect(await page.locator(`.vendor[data-vendor="${vendor}"]`).getAttribute('data-state')).toBe('connected');
    }
    // The bridge: connected, and every fleet device registered on the SEPL simulator.
    expect(await page.locator('[data-testid="bridge-state"] .badge').textContent()).toBe('Connected');
    await poll(() => page.locator('[data-testid="bridge-registered"]').textContent(), { timeout: 10_000 }).toBe(`${devices.length} of ${devices.length}`);
    expect(await page.locator('#live-status').getAttribute('data-state')).toBe('live');
    // One collector on PGlite: no collectors panel.
    expect(await page.locator('#shards').isHidden()).toBe(true);
    await screenshot(page, 'overview-laptop');

    const phone = await open(app.url, viewports.phone);
    await phone.page.locator('#device-rows tr').first().waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    await screenshot(phone.page, 'overview-phone');
    await phone.page.evaluate(() => document.querySelector('#device-rows tr[data-vendor="thinq"]')?.scrollIntoView());
    await screenshot(phone.page, 'overview-phone-devices', false);
  });

  it('says ThinQ names and values in words, shows energy where a device meters it, and the demo values move', { timeout: 60_000 }, async () => {
    devices = await apiDevices();
    const ac = devices.find((d) => d.vendor === 'thinq' && d.lastValues['airConJobMode.currentJobMode'] !== undefined);
    const pump = devices.find((d) => d.name === 'Pump station gateway');
    const genset = devices.find((d) => d.vendor === 'comap');
    const cold = devices.find((d) => d.name === 'Cold store gateway');
    if (!ac || !pump || !genset || !cold) throw new Error('the demo lacks its AC, pump station, genset or cold store');
    const { page } = await open(app.url);
    const mode = page.locator(`${rowOf(ac.id)} li[data-metric="airConJobMode.currentJobMode"]`);
    await mode.waitFor();
    expect(await mode.locator('.metric').textContent()).toBe('Mode: ');
    expect(await mode.locator('.value').textContent()).toBe('Cool');
    // No raw ThinQ label or property path anywhere in the table (ComAp and Device Cloud names stay as they are).
    await poll(async () => (await page.locator('#device-rows').textContent()) ?? '', { timeout: 10_000 }).not.toMatch(/@[A-Z0-9_]+_W\b|[a-z][A-Za-z]+\.[a-z][A-Za-z]+:/);
    expect(await page.locator(`${rowOf(cold.id)} li[data-metric="temperature"] .metric`).textContent()).toBe('temperature: ');
    await poll(() => page.locator(`${rowOf(pump.id)} [data-testid="energy"]`).textContent(), { timeout: 10_000 }).toMatch(/^Energy: \d+(\.\d+)? kWh$/);
    expect(await page.locator(`${rowOf(genset.id)} [data-testid="energy"]`).textContent()).toMatch(/^Energy: \d+ kWh$/);
    await screenshot(page, 'overview-words-laptop');
    // The cold store's temperature moves: several different readings within seconds, all near its 3 °C.
    const readingsOf = async (): Promise<number[]> => {
      const to = new Date(Date.now() + 60_000).toISOString();
      const res = await fetch(`${app.url}/api/devices/${encodeURIComponent(cold.id)}/readings?metric=temperature&to=${to}`);
      return ((await res.json()) as { readings: Array<{ value: number }> }).readings.map((r) => r.value);
    };
    await poll(async () => new Set(await readingsOf()).size, { timeout: 15_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    for (const value of await readingsOf()) {
      expect(value).toBeGreaterThan(-2);
      expect(value).toBeLessThan(8);
    }
  });

  it('shows a ThinQ Connect appliance\'s daily energy use in its row and on its page', async () => {
    // The connector reads the energy of appliances whose energy profile lists it, once at start.
    let appliance: ApiDevice | undefined;
    await until(
      'a ThinQ appliance reported its daily energy use',
      async () => {
        appliance = (await apiDevices()).find((d) => d.vendor === 'thinq' && d.lastValues['energy.dailyUsage'] !== undefined);
        return appliance !== undefined;
      },
      20_000,
    );
    const energy = appliance!.lastValues['energy.dailyUsage']!;
    expect(energy.unit).toBe('Wh');
    const words = valueWords(energy as LastValue);
    expect(words).toMatch(/^\d[\d.,]* Wh$/);
    const { page } = await open(app.url);
    const line = page.locator(`${rowOf(appliance!.id)} [data-testid="energy"]`);
    await poll(() => line.textContent()).toBe(`Energy: ${words}`);
    expect(await line.getAttribute('data-metric')).toBe('energy.dailyUsage');
    await page.locator(`${rowOf(appliance!.id)} td[data-label="Name"] a`).click();
    await poll(() => page.locator('[data-testid="detail-energy"]').textContent()).toBe(`${words} (Daily usage)`);
    expect(await page.locator('#detail-heading').textContent()).toBe(appliance!.name);
    await screenshot(page, 'device-detail-thinq-energy-laptop');
  });

  it('shows a value changed in a simulator within seconds, without reloading', async () => {
    devices = await apiDevices();
    const numeric = (d: ApiDevice): boolean => d.primaryMetric !== null && typeof d.lastValues[d.primaryMetric]?.value === 'number';
    const device = devices.find((d) => d.vendor === 'devicecloud' && numeric(d)) ?? devices.find(numeric);
    if (!device?.primaryMetric) throw new Error('no device with a numeric primary metric in the demo');
    const { page } = await open(app.url);
    const selector = `${rowOf(device.id)} li[data-metric="${device.primaryMetric}"] .value`;
    await page.locator(selector).waitFor();
    // The simulators keep generating values, so the marker may be replaced again quickly:
    // record every text the cell shows.
    await page.evaluate((sel) => {
      const seen: string[] = [];
      (window as unknown as { seenValues: string[] }).seenValues = seen;
      new MutationObserver(() => {
        const text = document.querySelector(sel)?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.getElementById('device-rows')!, { subtree: true, childList: true, characterData: true });
    }, selector);
    const marker = 4242.5;
    const started = Date.now();
    await demo().setValue(device.id, device.primaryMetric, marker);
    // The number as set (with the unit the reading carries, if any).
    await poll(async () => (await page.evaluate(() => (window as unknown as { seenValues: string[] }).seenValues)).some((text) => text.split(' ')[0] === String(marker)), {
        timeout: 5000,
        interval: 100,
      })
      .toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    // It was a live update: the page was not reloaded.
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
  });

  it('draws the chart of a device and its averages', async () => {
    const device = devices.find((d) => d.vendor === 'comap' && d.primaryMetric !== null);
    if (!device) throw new Error('no ComAp device with a primary metric in the demo');
    const { page } = await open(detailUrl(app.url, device.id));
    const chart = page.locator('[data-testid="chart"]');
    await poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await chart.locator('canvas').count()).toBe(1);
    // The canvas really has pixels drawn on it.
    const drawn = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const context = canvas.getContext('2d');
      if (!context) return 0;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
      return painted;
    });
    expect(drawn).toBeGreaterThan(100);
    await poll(() => page.locator('[data-testid="averages"] tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await screenshot(page, 'device-detail-laptop');
    const phone = await open(detailUrl(app.url, device.id), viewports.phone);
    await poll(async () => Number(await phone.page.locator('[data-testid="chart"]').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    await screenshot(phone.page, 'device-detail-phone');
  });

  it('round-trips a genset command after confirmation and shows its effect', async () => {
    const genset = devices.find((d) => d.vendor === 'comap' && d.commands.some((c) => c.name === 'changeMode'));
    if (!genset) throw new Error('no ComAp genset with changeMode in the demo');
    const spec = genset.commands.find((c) => c.name === 'changeMode');
    const modes = (spec?.params[0]?.values ?? []).map(String);
    const modeMetric = Object.keys(genset.lastValues).find((m) => /mode/i.test(m));
    if (!modeMetric) throw new Error(`the genset reports no mode value (metrics: ${Object.keys(genset.lastValues).join(', ')})`);
    const current = String(genset.lastValues[modeMetric]?.value);
    const target = modes.find((m) => m.toLowerCase() !== current.toLowerCase() && m.toLowerCase() !== 'off') ?? modes.find((m) => m.toLowerCase() !== current.toLowerCase());
    if (!target) throw new Error(`no other mode to switch to (modes: ${modes.join(', ')}, current: ${current})`);

    const { page } = await open(detailUrl(app.url, genset.id));
    const form = page.locator('form[data-command="changeMode"]');
    await form.locator('select').selectOption(target);
    await form.getByRole('button').click();
    // Machinery: the page asks first.
    await poll(() => page.locator('#confirm-dialog').isVisible()).toBe(true);
    await screenshot(page, 'command-confirm-laptop', false);
    await page.locator('#confirm-ok').click();
    const result = page.locator('[data-testid="command-result"]');
    await poll(() => result.getAttribute('data-kind'), { timeout: 10_000 }).toBe('ok');
    // The effect: the genset reports the new mode, in the detail view and in the table.
    const lastValue = page.locator(`.last-values tr[data-metric="${modeMetric}"] [data-testid="last-value"]`);
    await poll(async () => (await lastValue.textContent())?.toLowerCase(), { timeout: 10_000 }).toBe(target.toLowerCase());
    expect(await page.locator('#detail-body .commands-table tbody tr').first().getAttribute('data-status')).toBe('ok');
    await screenshot(page, 'command-done-laptop');
  });

  it('controls an appliance from its profile and shows the new state', async () => {
    devices = await apiDevices();
    const appliance = devices.find((d) => d.vendor === 'thinq' && d.commands.some((c) => c.params[0]?.type === 'number' && !c.dangerous));
    const spec = appliance?.commands.find((c) => c.params[0]?.type === 'number' && !c.dangerous);
    if (!appliance || !spec) throw new Error('no ThinQ appliance with a numeric setting in the demo');
    const param = spec.params[0] as { min?: number; max?: number; step?: number };
    const current = Number(appliance.lastValues[spec.name]?.value);
    const target = current === param.max ? (param.min ?? current - 1) : (param.max ?? current + 1);
    const { page } = await open(detailUrl(app.url, appliance.id));
    const form = page.locator(`form[data-command="${spec.name}"]`);
    await form.locator('input').fill(String(target));
    await form.getByRole('button', { name: 'Set' }).click();
    await poll(() => page.locator('[data-testid="command-result"]').getAttribute('data-kind'), { timeout: 10_000 }).toBe('ok');
    // Not machinery: sent without asking.
    expect(await page.locator('#confirm-dialog').isVisible()).toBe(false);
    const lastValue = page.locator(`.last-values tr[data-metric="${spec.name}"] [data-testid="last-value"]`);
    await poll(async () => (await lastValue.textContent())?.split(' ')[0], { timeout: 10_000 }).toBe(String(target));
    // The recent commands name it in words (the raw property path is its title).
    const sent = page.locator('#detail-body .commands-table tbody tr').first().locator('td[data-label="Command"]');
    expect(await sent.locator('.cell').textContent()).toBe(`${spec.label} (value=${target})`);
    expect(await sent.getAttribute('title')).toBe(spec.name);
    await screenshot(page, 'appliance-command-laptop');
    expect(await unnamedControls(page)).toEqual([]);
  });

  it('shows commands the SEPL platform sends through the bridge, with their results', async () => {
    const genset = devices.find((d) => d.vendor === 'comap' && d.commands.some((c) => c.name === 'start'));
    if (!genset) throw new Error('no ComAp genset with start in the demo');
    const { page } = await open(app.url);
    await page.locator('[data-testid="bridge-commands"]').waitFor();
    const before = Number(await page.locator('[data-testid="bridge-commands"]').textContent());
    const record = await demo().seplCommand(genset.id, 'start', {});
    await poll(async () => Number(await page.locator('[data-testid="bridge-commands"]').textContent()), { timeout: 5000 }).toBe(before + 1);
    const row = page.locator(`#bridge-body tr[data-command-id="${record.id}"]`);
    await poll(() => row.getAttribute('data-status'), { timeout: 5000 }).toBe(record.status);
    expect(await row.locator('td[data-label="Device"]').textContent()).toBe(genset.name);
    await screenshot(page, 'bridge-command-laptop');
    const phone = await open(app.url, viewports.phone);
    await phone.page.locator(`#bridge-body tr[data-command-id="${record.id}"]`).scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'bridge-command-phone', false);
  });

  it('shows a vendor taken offline as such, with the reason, and its recovery', { timeout: 90_000 }, async () => {
    const { page } = await open(app.url);
    const vendor = page.locator('.vendor[data-vendor="devicecloud"]');
    await poll(() => vendor.getAttribute('data-state')).toBe('connected');
    await demo().fault('devicecloud', 'outage');
    try {
      await poll(() => vendor.getAttribute('data-state'), { timeout: 15_000 }).toBe('degraded');
      expect(await vendor.locator('.badge').textContent()).toBe('Offline');
      expect(await vendor.locator('.vendor-detail').textContent()).toMatch(/^Offline since .+: .+\. Retrying automatically\.$/);
      const gateway = devices.find((d) => d.vendor === 'devicecloud');
      if (gateway) expect(await page.locator(`${rowOf(gateway.id)} .problem`).textContent()).toBe('Vendor offline');
      // The others keep working.
      expect(await page.locator('.vendor[data-vendor="comap"]').getAttribute('data-state')).toBe('connected');
      expect(await page.locator('.vendor[data-vendor="thinq"]').getAttribute('data-state')).toBe('connected');
      await screenshot(page, 'vendor-offline-laptop');
      const phone = await open(app.url, viewports.phone);
      await phone.page.locator('.vendor[data-vendor="devicecloud"][data-state="degraded"]').waitFor();
      await screenshot(phone.page, 'vendor-offline-phone');
    } finally {
      await demo().fault('devicecloud', 'none');
    }
    await poll(() => vendor.getAttribute('data-state'), { timeout: 30_000 }).toBe('connected');
  });

  it('shows a vendor that rejects the credentials as unauthorised, with the reason', { timeout: 90_000 }, async () => {
    const { page } = await open(app.url);
    const vendor = page.locator('.vendor[data-vendor="thinq"]');
    await poll(() => vendor.getAttribute('data-state')).toBe('connected');
    await demo().fault('thinq', 'unauthorised');
    try {
      await poll(() => vendor.getAttribute('data-state'), { timeout: 30_000 }).toBe('unauthorised');
      expect(await vendor.locator('.badge').textContent()).toBe('Unauthorised');
      expect(await vendor.locator('.vendor-detail').textContent()).toMatch(/^The vendor rejected the credentials: .+\. Check the account in fleet\.config\.json\.$/);
      await screenshot(page, 'vendor-unauthorised-laptop');
    } finally {
      await demo().fault('thinq', 'none');
    }
    await poll(() => vendor.getAttribute('data-state'), { timeout: 60_000 }).toBe('connected');
  });

  it('shows why a command failed when the vendor is down', { timeout: 90_000 }, async () => {
    const genset = devices.find((d) => d.vendor === 'comap' && d.commands.some((c) => c.name === 'faultReset'));
    if (!genset) throw new Error('no ComAp genset with faultReset in the demo');
    const { page } = await open(detailUrl(app.url, genset.id));
    await page.locator('button[data-command="faultReset"]').waitFor();
    await demo().fault('comap', 'outage');
    try {
      await poll(() => fetch(`${app.url}/api/status`).then(async (r) => ((await r.json()) as { vendors: { comap: { state: string } } }).vendors.comap.state), { timeout: 30_000 }).toBe('degraded');
      await poll(() => page.locator('[data-testid="detail-problem"]').count(), { timeout: 5000 }).toBe(1);
      expect(await page.locator('[data-testid="detail-online"]').textContent()).toBe('Unknown');
      await page.locator('button[data-command="faultReset"]').click();
      await page.locator('#confirm-ok').click();
      const result = page.locator('[data-testid="command-result"][data-kind="error"]');
      await poll(() => result.textContent(), { timeout: 15_000 }).toMatch(/^“Fault reset” failed: .+/);
      expect(await result.getAttribute('role')).toBe('alert');
      await screenshot(page, 'command-failed-laptop');
    } finally {
      await demo().fault('comap', 'none');
    }
    await poll(() => page.locator('[data-testid="detail-problem"]').count(), { timeout: 60_000 }).toBe(0);
  });
});
