// Playwright (the playwright package) driving Debian's chromium, headless. Always closed; a failing test leaves
// a screenshot under test-results/.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium } from 'playwright';
import type { Browser, Page } from 'playwright';

export const CHROMIUM_PATH = process.env.FURNACE_CHROMIUM ?? '/usr/bin/chromium';
const RESULTS_DIR = resolve(import.meta.dirname, '../../test-results');

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

function screenshotName(t: TestContext): string {
  return `${t.name.replace(/[^a-zA-Z0-9-]+/g, '-').slice(0, 100)}.png`;
}

export interface PageOptions {
  /**
   * Accept the server's self-signed test certificate (a cluster-mode server on loopback with the
   * harness's throwaway CA, which chromium does not know).
   */
  acceptTestCertificate?: boolean;
}

/**
 * Chromium aborts a navigation with net::ERR_NETWORK_CHANGED when the machine's network interfaces change,
 * which the node tier's pods do as they come and go (a veth each) while other files drive a browser. A user
 * would load the page again; the page's goto does so, up to three times, for that error only.
 */
function reloadOnNetworkChange(page: Page): void {
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await goto(url, options);
      } catch (error) {
        if (attempt >= 3 || !String(error).includes('net::ERR_NETWORK_CHANGED')) throw error;
      }
    }
  };
}

/** Opens a page, runs fn, and always closes the browser; on failure saves a screenshot first. */
export async function withPage(
  t: TestContext,
  fn: (page: Page) => Promise<void>,
  options: PageOptions = {},
): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ ignoreHTTPSErrors: options.acceptTestCertificate === true });
    reloadOnNetworkChange(page);
    try {
      await fn(page);
    } catch (error) {
      await mkdir(RESULTS_DIR, { recursive: true });
      const path = join(RESULTS_DIR, screenshotName(t));
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      throw error;
    }
  } finally {
    await browser.close();
  }
}
