import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Debian's Chromium driven by playwright-core for the UI tests: headless, a fresh profile per
// test file, nothing reaching beyond loopback (no background networking, sync or updates).

// `npm test` finds or installs it first (scripts/test-prerequisites.mjs) and says where.
export const CHROMIUM = process.env.HOOKD_TEST_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; errors thrown by its scripts and CSP refusals are collected for the test to check. */
  newPage(): Promise<Page & { errors: string[] }>;
  close(): Promise<void>;
}

/**
 * Throws at once, saying what to do, when there is no Chromium to launch: a suite calls it before
 * starting anything else, rather than failing later with Playwright's launch error.
 */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: install it (Debian: apt-get install chromium; npm test does it when run as root) or set HOOKD_TEST_CHROMIUM to a Chromium binary.`,
    );
  }
}

export async function launchBrowser(): Promise<TestBrowser> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'hookd-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1360, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  // The first tab Chromium opens is not used: each test takes its own.
  for (const page of context.pages()) await page.close();
  return {
    context,
    async newPage() {
      const page = (await context.newPage()) as Page & { errors: string[] };
      page.errors = [];
      page.on('pageerror', (error) => page.errors.push(error.message));
      // Anything the Content-Security-Policy refused is a bug of the app (inline code, a foreign URL).
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) page.errors.push(message.text());
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in to the dashboard at `url` with `key` and waits for the first page. */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url + '/');
  await page.getByLabel('Admin key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
}
