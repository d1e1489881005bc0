import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** The system Chromium (Debian package `chromium`); the tests install nothing at run time. */
export const CHROMIUM = process.env.CASEFILE_CHROMIUM ?? '/usr/bin/chromium';

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions the page raised. */
  errors: string[];
  /** Every request for something other than a file: or data: URL (each was refused). */
  networkRequests: string[];
  close(): Promise<void>;
}

/**
 * Opens a local file in headless Chromium with a fresh profile, refusing every request that
 * would leave the machine, and recording console errors: a self-contained page has neither.
 */
export async function openInChromium(file: string): Promise<OpenedPage> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CASEFILE_CHROMIUM to a Chromium binary.`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'casefile-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  const errors: string[] = [];
  const networkRequests: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    networkRequests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, errors, networkRequests, close: () => context.close() };
}
