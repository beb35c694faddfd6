// Headless Chromium for the dashboard's end-to-end tests: Debian's `chromium` package driven by
// playwright-core (no downloaded browser), with a fresh profile and every background network
// feature off, since the test machines have no network.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Where Debian installs Chromium (`scripts/ci-system-deps.sh`); CHROMIUM_PATH overrides it. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Screenshots land here (gitignored `artifacts/`; CI keeps them as artifacts). */
export const screenshotDir = join(appRoot, 'artifacts', 'screenshots');

/** The built dashboard (`tsup --config tsup.web.config.ts`, part of the app's build). */
export const webDistDir = join(appRoot, 'dist', 'web');

export const viewports = {
  laptop: { width: 1366, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

export interface Browser {
  readonly context: BrowserContext;
  /** A new page that records what it requested and what went wrong in it. */
  newPage(viewport?: { width: number; height: number }): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  readonly page: Page;
  /** Every URL the page requested. */
  readonly requests: string[];
  /** Uncaught exceptions and console errors (not the browser's own note about an HTTP error answer). */
  readonly errors: string[];
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}; install the Debian package (scripts/ci-system-deps.sh)`);
  const profile = await mkdtemp(join(tmpdir(), 'fleet-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
    viewport: viewports.laptop,
    // Same answers whatever the machine's settings, so screenshots are comparable.
    locale: 'en-GB',
    timezoneId: 'UTC',
    colorScheme: 'light',
  });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      // Fail an action with its own message well before the test's timeout.
      page.setDefaultTimeout(20_000);
      if (viewport) await page.setViewportSize(viewport);
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        // Chromium logs every 4xx/5xx answer and dropped stream; the tests provoke those on purpose.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
      });
      return { page, requests, errors };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot (the full page unless `fullPage` is false) as `<name>.png` in the screenshot folder; returns its path. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** True when every URL is on the given origin (or an inline data: URL): no network at runtime. */
export function allOnOrigin(urls: readonly string[], origin: string): boolean {
  return urls.every((url) => url.startsWith('data:') || new URL(url).origin === origin);
}

/** Polls `check` until it returns true (for hooks, where expect.poll is not available). */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutInMs: number, intervalInMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutInMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalInMs));
  }
}

/**
 * Controls and links with no accessible name (no label, aria-label/-labelledby or text), as
 * short HTML previews; [] when every one of them is named.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (el: Element): boolean => {
      if (el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby')) return true;
      if ((el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) && el.labels && el.labels.length > 0) {
        return [...el.labels].some((label) => (label.textContent ?? '').trim() !== '');
      }
      return (el.textContent ?? '').trim() !== '';
    };
    const visible = (el: Element): boolean => !(el as HTMLElement).closest('[hidden]') && (el as HTMLElement).getClientRects().length > 0;
    return [...document.querySelectorAll('input, select, textarea, button, a[href]')].filter((el) => visible(el) && !named(el)).map((el) => el.outerHTML.slice(0, 120));
  });
}

/** expect.poll with room for loaded CI machines (vitest's default gives up after 1 s). */
export function poll<T>(check: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}): ReturnType<typeof expect.poll<T>> {
  return expect.poll(check, { timeout: 10_000, interval: 100, ...options });
}
