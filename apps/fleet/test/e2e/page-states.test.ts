// The dashboard's states in headless Chromium, on a fake of the fleet API (fake-fleet.ts) so each
// state can be produced exactly: loading, empty, vendor unauthorised with its reason, a command
// the vendor rejects with its reason, confirmation before machinery moves, keyboard use, and
// recovery of the live feed, the collectors panel (several collectors over PostgreSQL) and its
// absence with PGlite. The whole app on the real simulators: dashboard.test.ts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allOnOrigin, launchBrowser, poll, screenshot, unnamedControls, viewports, type Browser, type WatchedPage } from './browser.js';
import { seplStatus, startFakeFleet, vendorStatus, type FakeFleet } from './fake-fleet.js';
import { commandRecord, iso, sampleDevices } from './sample-fleet.js';
import { HOSTILE_NAME, sampleShardsStatus, shardRange } from '../../src/test-support/shards-status.js';
import { ensureWebBuilt } from './web-build.js';

// Generous timeouts: the CI machines are shared and Chromium is slow to start under load.
describe('dashboard page states (fake fleet API)', { timeout: 60_000 }, () => {
  let browser: Browser;
  let fake: FakeFleet;
  let watched: WatchedPage;

  beforeAll(async () => {
    await ensureWebBuilt();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    fake = await startFakeFleet();
  });
  afterEach(async () => {
    await watched?.page.close();
    await fake?.close();
    // The page only ever talked to the service it came from: no network at runtime.
    expect(allOnOrigin(watched.requests, fake.url)).toBe(true);
    expect(watched.errors).toEqual([]);
  });

  it('shows loading, then an empty fleet', async () => {
    fake.devicesDelayMs = 1500;
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(fake.url);
    await poll(() => page.locator('#devices-state').textContent()).toBe('Loading devices…');
    await poll(() => page.locator('#devices-state').textContent(), { timeout: 5000 }).toBe(
      'No devices yet. The enabled vendors have not reported any device; vendors that are offline are listed above.',
    );
    expect(await page.locator('#device-table').isHidden()).toBe(true);
    expect(await page.locator('#live-status').getAttribute('data-state')).toBe('live');
    // Not the demo: no demo badge.
    expect(await page.locator('#demo-badge').isHidden()).toBe(true);
    await screenshot(page, 'states-empty-laptop');
  });

  it('names an unauthorised vendor and its reason, and clears it when the vendor recovers', async () => {
    fake.devices = sampleDevices();
    fake.status.vendors.thinq = vendorStatus('thinq', 'unauthorised', 'HTTP 401 from ThinQ: personal access token rejected');
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(fake.url);
    const thinq = page.locator('.vendor[data-vendor="thinq"]');
    await poll(() => thinq.getAttribute('data-state')).toBe('unauthorised');
    expect(await thinq.locator('.badge').textContent()).toBe('Unauthorised');
    expect(await thinq.locator('.vendor-detail').textContent()).toBe(
      'The vendor rejected the credentials: HTTP 401 from ThinQ: personal access token rejected. Check the account in fleet.config.json.',
    );
    const row = page.locator('tr[data-device-id="thinq:ac-1"] [data-testid="online"] .problem');
    expect(await row.textContent()).toBe('Vendor unauthorised');
    // Other vendors are unaffected.
    expect(await page.locator('tr[data-device-id="comap:genset-1"] .problem').count()).toBe(0);
    await screenshot(page, 'states-unauthorised-laptop');
    // The device's own page says it too, with the reason, next to its commands.
    await page.locator('tr[data-device-id="thinq:ac-1"] a').click();
    await poll(() => page.locator('[data-testid="detail-problem"]').textContent())
      .toBe('LG ThinQ: Vendor unauthorised: HTTP 401 from ThinQ: personal access token rejected. Values below may be out of date.');
    await page.goBack();

    fake.push('vendor', vendorStatus('thinq', 'connected'));
    await poll(() => thinq.getAttribute('data-state')).toBe('connected');
    expect(await page.locator('tr[data-device-id="thinq:ac-1"] .problem').count()).toBe(0);

    // The SEPL bridge losing its platform is shown the same way.
    fake.push('sepl', seplStatus({ state: 'degraded', reason: 'websocket closed by the platform (reconnecting in 30 s)', devicesRegistered: 2 }));
    await poll(() => page.locator('[data-testid="bridge-problem"]').textContent())
      .toBe('Bridge offline: websocket closed by the platform (reconnecting in 30 s)');
    expect(await page.locator('[data-testid="bridge-state"] .badge').textContent()).toBe('Offline');
    expect(await page.locator('[data-testid="bridge-registered"]').textContent()).toBe('2 of 3');
    fake.push('sepl', seplStatus({ devicesRegistered: 3 }));
    await poll(() => page.locator('[data-testid="bridge-problem"]').count()).toBe(0);
    expect(await page.locator('[data-testid="bridge-state"] .badge').textContent()).toBe('Connected');
  });

  it('applies live events: a reading updates its row, a new device appears', async () => {
    fake.devices = sampleDevices();
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(fake.url);
    const speed = page.locator('tr[data-device-id="comap:genset-1"] li[data-metric="Engine speed"] .value');
    await poll(() => speed.textContent()).toBe('1500 RPM');
    fake.push('reading', { deviceId: 'comap:genset-1', metric: 'Engine speed', value: 1512.25, unit: 'RPM', ts: iso(Date.now() + 1000) });
    await poll(() => speed.textContent()).toBe('1512.3 RPM');
    // An older reading arriving late does not overwrite the table.
    fake.push('reading', { deviceId: 'comap:genset-1', metric: 'Engine speed', value: 1, unit: 'RPM', ts: iso(Date.now() - 60_000) });
    const added = { ...sampleDevices()[1], id: 'devicecloud:gw-2', vendorId: 'gw-2', name: 'Gateway Yard 2' };
    fake.push('device', added);
    await poll(() => page.locator('tr[data-device-id="devicecloud:gw-2"] a').textContent()).toBe('Gateway Yard 2');
    expect(await speed.textContent()).toBe('1512.3 RPM');
    expect(await page.locator('#device-rows tr').count()).toBe(4);
  });

  it('asks before moving machinery, and shows why the vendor refused a command', async () => {
    fake.devices = sampleDevices();
    fake.commandAnswer = (deviceId, body) => ({
      status: 502,
      body: {
        error: { code: 'vendor_error', message: 'ComAp refused the command: unit is in OFF mode' },
        command: commandRecord({ id: 'cmd-failed', deviceId, command: body.command, status: 'failed', result: null, error: 'ComAp refused the command: unit is in OFF mode' }),
      },
    });
    // An earlier command, from before the page was opened.
    fake.commands = [commandRecord({ id: 'cmd-earlier', command: 'stop', requestedAt: iso(Date.now() - 60_000) })];
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(`${fake.url}/#/device/${encodeURIComponent('comap:genset-1')}`);
    await poll(() => page.locator('#detail-heading').textContent()).toBe('Genset Westport');
    await poll(() => page.locator('#detail-body .commands-table tr[data-command-id="cmd-earlier"]').getAttribute('data-status')).toBe('ok');
    const start = page.locator('button[data-command="start"]');

    // Cancel: nothing is sent.
    await start.click();
    const dialog = page.locator('#confirm-dialog');
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await page.locator('#confirm-title').textContent()).toBe('Start: Genset Westport?');
    await page.keyboard.press('Escape');
    await poll(() => dialog.isVisible()).toBe(false);
    expect(await page.locator('[data-testid="command-result"]').textContent()).toBe('Cancelled: “Start” was not sent.');
    expect(fake.commandsPosted).toEqual([]);

    // Confirm: sent once, the failure and its reason are shown.
    await start.click();
    await screenshot(page, 'states-confirm-laptop', false);
    await page.locator('#confirm-ok').click();
    const result = page.locator('[data-testid="command-result"][data-kind="error"]');
    await poll(() => result.textContent()).toBe('“Start” failed: ComAp refused the command: unit is in OFF mode');
    expect(await result.getAttribute('role')).toBe('alert');
    expect(fake.commandsPosted).toEqual([{ deviceId: 'comap:genset-1', body: { command: 'start', params: {} } }]);
    const recent = page.locator('#detail-body .commands-table tbody tr');
    expect(await recent.evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-command-id')}:${r.getAttribute('data-status')}`))).toEqual(['cmd-failed:failed', 'cmd-earlier:ok']);
    await screenshot(page, 'states-command-failed-laptop');
  });

  it('charts a metric, extends the chart live, and lists averages by granularity', async () => {
    const now = Date.now();
    fake.devices = sampleDevices(now);
    fake.readings = [0, 1, 2, 3, 4].map((i) => ({ deviceId: 'comap:genset-1', metric: 'Engine speed', value: 1490 + i * 5, unit: 'RPM', ts: iso(now - (5 - i) * 60_000) }));
    fake.average = [
      { time_stamp: iso(Math.floor(now / 60_000) * 60_000 - 60_000), result: 1500, data_points: 3 },
      { time_stamp: iso(Math.floor(now / 60_000) * 60_000), result: 1507.5, data_points: 2 },
    ];
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(`${fake.url}/#/device/${encodeURIComponent('comap:genset-1')}`);
    const chart = page.locator('[data-testid="chart"]');
    await poll(() => chart.getAttribute('data-points')).toBe('5');
    expect(await chart.locator('canvas').count()).toBe(1);
    expect(await chart.getAttribute('aria-label')).toMatch(/^Chart of Engine speed: 5 readings, latest 1510 RPM at /);
    const averages = page.locator('[data-testid="averages"] tbody tr');
    await poll(() => averages.count()).toBe(2);
    // Newest bucket first.
    expect(await averages.first().locator('td').nth(1).textContent()).toBe('1507.5 RPM');
    expect(await averages.first().locator('td').nth(2).textContent()).toBe('2');
    fake.push('reading', { deviceId: 'comap:genset-1', metric: 'Engine speed', value: 1520, unit: 'RPM', ts: iso(Date.now()) });
    await poll(() => chart.getAttribute('data-points')).toBe('6');
    await screenshot(page, 'states-chart-laptop');
    // The chart follows the width of the screen.
    await page.setViewportSize(viewports.phone);
    await poll(() => chart.locator('canvas').evaluate((c) => c.getBoundingClientRect().width)).toBeLessThanOrEqual(viewports.phone.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    await screenshot(page, 'states-chart-phone');
  });

  it('never lets the time axis labels overlap, at phone and laptop widths and between', { timeout: 60_000 }, async () => {
    const now = Date.now();
    fake.devices = sampleDevices(now);
    // A reading a minute over the last hour, and one an hour over the last week.
    fake.readings = [
      ...Array.from({ length: 60 }, (_, i) => ({ deviceId: 'comap:genset-1', metric: 'Engine speed', value: 1490 + (i % 7), unit: 'RPM', ts: iso(now - (60 - i) * 60_000 + 30_000) })),
      ...Array.from({ length: 160 }, (_, i) => ({ deviceId: 'comap:genset-1', metric: 'Engine speed', value: 1400 + (i % 11), unit: 'RPM', ts: iso(now - 2 * 3_600_000 - i * 3_600_000) })),
    ];
    watched = await browser.newPage(viewports.phone);
    const { page } = watched;
    await page.goto(`${fake.url}/#/device/${encodeURIComponent('comap:genset-1')}`);
    const chart = page.locator('[data-testid="chart"]');
    await poll(() => chart.getAttribute('data-points')).toBe('60');
    const labelsAt = async (width: number): Promise<Array<[number, number, string]>> => {
      await page.setViewportSize({ width, height: 900 });
      // Redrawn at the new width: the canvas follows the chart box.
      await poll(() => chart.evaluate((el) => Math.abs(el.querySelector('canvas')!.getBoundingClientRect().width - el.clientWidth)), { timeout: 5000 }).toBeLessThan(2);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      return JSON.parse((await chart.getAttribute('data-x-labels')) ?? '[]') as Array<[number, number, string]>;
    };
    for (const period of ['3600000', String(7 * 86_400_000)]) {
      await page.locator('#detail-body select').nth(1).selectOption(period);
      if (period !== '3600000') await poll(() => chart.getAttribute('data-points')).toBe('220');
      for (const width of [320, viewports.phone.width, 600, 900, viewports.laptop.width, 1920]) {
        const boxes = await labelsAt(width);
        expect(boxes.length, `labels at ${width} px`).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < boxes.length; i++) {
          const [, previousRight, previousText] = boxes[i - 1] ?? [0, 0, ''];
          const [left, , text] = boxes[i] ?? [0, 0, ''];
          expect(left - previousRight, `"${previousText}" and "${text}" at ${width} px (period ${period} ms)`).toBeGreaterThanOrEqual(8);
        }
        if (width === viewports.phone.width && period !== '3600000') await screenshot(page, 'states-chart-week-phone');
      }
    }
  });

  it('gives a single reading a time axis of minutes, not years', async () => {
    const now = Date.now();
    fake.devices = sampleDevices(now);
    fake.readings = [{ deviceId: 'comap:genset-1', metric: 'Engine speed', value: 1500, unit: 'RPM', ts: iso(now - 30_000) }];
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(`${fake.url}/#/device/${encodeURIComponent('comap:genset-1')}`);
    const chart = page.locator('[data-testid="chart"]');
    await poll(() => chart.getAttribute('data-points')).toBe('1');
    const from = Date.parse((await chart.getAttribute('data-x-from')) ?? '');
    const to = Date.parse((await chart.getAttribute('data-x-to')) ?? '');
    // Five minutes before the reading to one after it.
    expect([from, to]).toEqual([now - 330_000, now + 30_000]);
  });

  it('starts charting when a device without readings reports its first one', async () => {
    const gateway = { ...sampleDevices()[1], id: 'devicecloud:00000000-00000000-00409DFF-FF0000AA', lastValues: {}, lastSeen: null };
    fake.devices = [gateway];
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(`${fake.url}/#/device/${encodeURIComponent(gateway.id)}`);
    const chart = page.locator('[data-testid="chart"]');
    await poll(() => chart.textContent()).toBe('This device has no numeric readings to chart yet.');
    expect(await page.locator('#detail-body').textContent()).toContain('Digi Device Cloud devices are read-only here');
    const reading = { deviceId: gateway.id, metric: 'temperature', value: 19.5, unit: 'C', ts: iso(Date.now()) };
    fake.readings = [reading];
    fake.push('reading', reading);
    await poll(() => chart.getAttribute('data-points')).toBe('1');
    expect(await page.locator('.last-values tr[data-metric="temperature"] [data-testid="last-value"]').textContent()).toBe('19.5 C');
  });

  it('sends an appliance setting without confirmation when it moves nothing, with typed params', async () => {
    fake.devices = sampleDevices();
    fake.commandAnswer = (deviceId, body) => ({ status: 200, body: commandRecord({ id: 'cmd-ok', deviceId, command: body.command, params: body.params, result: null }) });
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(`${fake.url}/#/device/${encodeURIComponent('thinq:ac-1')}`);
    const form = page.locator('form[data-command="temperature.targetTemperature"]');
    await form.waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await form.getByLabel('New value (C)').fill('22');
    await form.getByRole('button', { name: 'Set' }).click();
    await poll(() => page.locator('[data-testid="command-result"]').textContent()).toBe('“Target temperature → 22” was accepted by LG ThinQ.');
    expect(fake.commandsPosted).toEqual([{ deviceId: 'thinq:ac-1', body: { command: 'temperature.targetTemperature', params: { value: 22 } } }]);
    // Out of the profile's range: the browser refuses it before anything is sent.
    await form.getByLabel('New value (C)').fill('45');
    await form.getByRole('button', { name: 'Set' }).click();
    expect(fake.commandsPosted.length).toBe(1);
  });

  it('works from the keyboard: open a device, go back to the table', async () => {
    fake.devices = sampleDevices();
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(fake.url);
    await page.locator('tr[data-device-id="comap:genset-1"] a').waitFor();
    await page.locator('#device-filter').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Genset Westport');
    expect(await unnamedControls(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-heading');
    expect(await unnamedControls(page)).toEqual([]);
    expect(await page.locator('#devices').isHidden()).toBe(true);
    await page.goBack();
    await poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Genset Westport');
    // Filtering narrows the table and says so.
    await page.locator('#device-filter').fill('thinq');
    expect(await page.locator('#device-rows tr').count()).toBe(1);
    expect(await page.locator('#devices-state').textContent()).toBe('Showing 1 of 3 devices.');
  });

  it('recovers from a dropped live feed and reloads the fleet', async () => {
    fake.devices = sampleDevices();
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(fake.url);
    await poll(() => page.locator('#live-status').getAttribute('data-state')).toBe('live');
    fake.devices = [...sampleDevices(), { ...sampleDevices()[0], id: 'comap:genset-2', vendorId: 'genset-2', name: 'Genset Harbour' }];
    fake.status.sepl = seplStatus({ devicesRegistered: 3 });
    fake.dropLive();
    await poll(() => page.locator('tr[data-device-id="comap:genset-2"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('[data-testid="bridge-registered"]').textContent()).toBe('3 of 4');
    expect(await page.locator('#live-status').getAttribute('data-state')).toBe('live');
  });

  it('gives the live connection back while the tab is hidden, and resyncs when shown', async () => {
    fake.devices = sampleDevices();
    watched = await browser.newPage();
    const { page } = watched;
    await page.goto(fake.url);
    await poll(() => page.locator('#live-status').getAttribute('data-state')).toBe('live');
    expect(fake.liveConnections).toBe(1);
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await poll(() => fake.liveConnections, { timeout: 10_000 }).toBe(0);
    expect(await page.locator('#live-status').getAttribute('data-state')).toBe('paused');
    // Meanwhile a device appeared; showing the tab again brings it in.
    fake.devices = [...sampleDevices(), { ...sampleDevices()[2], id: 'thinq:ac-2', vendorId: 'ac-2', name: 'Server room AC' }];
    await setVisibility('visible');
    await poll(() => page.locator('tr[data-device-id="thinq:ac-2"]').count()).toBe(1);
    expect(await page.locator('#live-status').getAttribute('data-state')).toBe('live');
    expect(fake.liveConnections).toBe(1);
  });

  it('stays usable with 10,000 devices: loads them in pages, draws 100 rows at a time, filters and pages', { timeout: 60_000 }, async () => {
    const now = Date.now();
    const [template] = sampleDevices(now).filter((d) => d['vendor'] === 'devicecloud');
    const pad = (i: number): string => String(i).padStart(5, '0');
    fake.devices = Array.from({ length: 10_000 }, (_, i) => ({ ...template, id: `devicecloud:gw-${pad(i)}`, vendorId: `gw-${pad(i)}`, name: `Gateway ${pad(i)}` }));
    watched = await browser.newPage();
    const { page } = watched;
    const started = Date.now();
    await page.goto(fake.url);
    const position = page.locator('[data-testid="device-page"]');
    await poll(() => position.textContent(), { timeout: 20_000 }).toBe('1–100 of 10,000 (page 1 of 100)');
    const loadMs = Date.now() - started;
    expect(await page.locator('#device-rows tr').count()).toBe(100);
    expect(await page.locator('#device-rows tr').first().getAttribute('data-device-id')).toBe('devicecloud:gw-00000');
    // Ten pages of the API, not one answer of 10,000.
    expect(watched.requests.filter((r) => r.includes('/api/devices?')).length).toBe(10);
    await page.locator('#device-next').click();
    expect(await position.textContent()).toBe('101–200 of 10,000 (page 2 of 100)');
    expect(await page.locator('#device-rows tr').first().getAttribute('data-device-id')).toBe('devicecloud:gw-00100');
    // A reading of a device on another page changes nothing here; one on this page updates its row.
    fake.push('reading', { deviceId: 'devicecloud:gw-09999', metric: 'temperature', value: 30.5, unit: 'C', ts: iso(Date.now()) });
    fake.push('reading', { deviceId: 'devicecloud:gw-00150', metric: 'temperature', value: 31.5, unit: 'C', ts: iso(Date.now()) });
    await poll(() => page.locator('tr[data-device-id="devicecloud:gw-00150"] li[data-metric="temperature"] .value').textContent()).toBe('31.5 C');
    expect(await position.textContent()).toBe('101–200 of 10,000 (page 2 of 100)');
    // The filter searches every device and starts again at its first page.
    await page.locator('#device-filter').fill('Gateway 0999');
    await poll(() => page.locator('#device-rows tr').count()).toBe(10);
    expect(await page.locator('#device-pager').isHidden()).toBe(true);
    expect(await page.locator('#devices-state').textContent()).toBe('Showing 10 of 10,000 devices.');
    await page.locator('#device-filter').fill('');
    await poll(() => position.textContent()).toBe('1–100 of 10,000 (page 1 of 100)');
    expect(await page.locator('#device-prev').isDisabled()).toBe(true);
    await screenshot(page, 'states-10000-devices-laptop');
    // Usable: loaded and drawn within seconds even on a shared CI machine.
    expect(loadMs).toBeLessThan(15_000);
  });

  it('is readable at phone width', async () => {
    fake.devices = sampleDevices();
    fake.status.vendors.comap = vendorStatus('comap', 'degraded', 'HTTP 503 from the vendor (retrying in 4 s)');
    watched = await browser.newPage(viewports.phone);
    const { page } = watched;
    await page.goto(fake.url);
    await page.locator('tr[data-device-id="comap:genset-1"]').waitFor();
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewports.phone.width);
    await screenshot(page, 'states-overview-phone');
  });

  it('has no collectors panel with PGlite (one collector owns every shard) or for a service that does not report shards', async () => {
    fake.devices = sampleDevices();
    fake.status.shards = sampleShardsStatus({ mode: 'single', collectors: [{ id: 'id-b', name: '0/1', shards: shardRange(0, 63), expiresAt: null }], liveEvents: { state: 'local', reason: null } });
    const single = await browser.newPage();
    await single.page.goto(fake.url);
    await single.page.locator('tr[data-device-id="comap:genset-1"]').waitFor();
    expect(await single.page.locator('#shards').isHidden()).toBe(true);
    await single.page.close();
    expect(single.errors).toEqual([]);
    delete fake.status.shards;
    watched = await browser.newPage();
    await watched.page.goto(fake.url);
    await watched.page.locator('tr[data-device-id="comap:genset-1"]').waitFor();
    expect(await watched.page.locator('#shards').isHidden()).toBe(true);
  });

  it('lists the live collectors with their shards, marks this one, keeps names as text, and follows /api/status', async () => {
    fake.devices = sampleDevices();
    fake.status.storage = { kind: 'postgres' };
    fake.status.shards = sampleShardsStatus();
    watched = await browser.newPage();
    const { page } = watched;
    // On the browser context, so for every later page too: this is the last test of the file.
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
      [HOSTILE_NAME, '21 shards', false, null],
    ]);
    // The name with markup is text: no element was made from it, nothing ran.
    expect(await page.locator('#shards img').count()).toBe(0);
    expect(await page.title()).toBe('Fleet dashboard');
    expect(await page.locator('[data-testid="shards-unowned"]').textContent()).toBe('All 64 shards are collected.');
    expect(await page.locator('[data-testid="shards-live"]').textContent()).toBe('Live events of the other collectors arrive.');
    await screenshot(page, 'states-collectors-laptop');

    // edge-1 died: its shards are nobody's until taken, and the others' events stopped arriving.
    fake.status.shards = sampleShardsStatus({
      collectors: (sampleShardsStatus()['collectors'] as unknown[]).slice(1),
      unowned: shardRange(0, 21),
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
    fake.status.shards = sampleShardsStatus({ state: 'degraded', reason: 'shard leases not renewed: connect ECONNREFUSED 127.0.0.1:5432' });
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
});
