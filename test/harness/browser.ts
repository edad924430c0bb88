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

/** How many times a page's goto loads a page that chromium aborted because the network changed (below). */
const NETWORK_CHANGE_ATTEMPTS = 5;
/** How long a reload waits for chromium to show the error page of the load it aborted. */
const ERROR_PAGE_WAIT_MS = 5_000;

/**
 * Chromium aborts a navigation with net::ERR_NETWORK_CHANGED when the machine's network interfaces change,
 * which the node tier's pods do as they come and go (a veth each) while other files drive a browser. A user
 * would load the page again, and the page's goto does so for that error only, up to NETWORK_CHANGE_ATTEMPTS
 * times. Chromium commits its error page (chrome-error://chromewebdata/) for the aborted load a moment after
 * Playwright has reported the abort: a reload sent at once was itself "interrupted by another navigation to
 * chrome-error://chromewebdata/" (a README walk failed so in CI), and its own request's ERR_ABORTED hid the
 * first error. So a reload first waits for that error page, and the error is judged from all three places it
 * shows: the thrown error, the failed request's error text and the error page's code.
 */
function reloadOnNetworkChange(page: Page): void {
  const goto = page.goto.bind(page);
  let failure = '';
  page.on('requestfailed', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame())
      failure = request.failure()?.errorText ?? '';
  });
  page.goto = async (url, options) => {
    for (let attempt = 1; ; attempt++) {
      failure = '';
      try {
        return await goto(url, options);
      } catch (error) {
        const why = `${String(error)} ${failure} ${await errorPageCode(page)}`;
        if (attempt < NETWORK_CHANGE_ATTEMPTS && why.includes('ERR_NETWORK_CHANGED')) {
          process.stderr.write(`browser: ${url} failed with ERR_NETWORK_CHANGED; loading it again\n`);
          await page
            .waitForURL((shown) => shown.protocol === 'chrome-error:', { timeout: ERROR_PAGE_WAIT_MS })
            .catch(() => undefined);
          continue;
        }
        if (failure === '' || String(error).includes(failure)) throw error;
        throw new Error(`${String(error)}\n(the request failed with ${failure})`, { cause: error });
      }
    }
  };
}

/** The error code chromium's error page shows (ERR_…), or '' when the page is not its error page. */
async function errorPageCode(page: Page): Promise<string> {
  if (!page.url().startsWith('chrome-error:')) return '';
  return page.evaluate(() => document.querySelector('.error-code')?.textContent ?? '').catch(() => '');
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
    } finally {
      // A test's route handler still running when the browser closes (a poll the page sent as the test
      // ended) would fail reading its response ("Response has been disposed") after the test passed.
      await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => undefined);
    }
  } finally {
    await browser.close();
  }
}
