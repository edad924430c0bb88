// Debian's chromium, headless, through Playwright: launched by the browser tier's pages (browser.ts, one
// browser per test file) and by the UI benchmarks, which launch their own.
import { chromium } from 'playwright';
import type { Browser } from 'playwright';

export const CHROMIUM_PATH = process.env.FURNACE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
