// Playwright (the playwright package) driving Debian's chromium, headless. One browser per test file, launched
// at its first page and closed when the file's tests are done; each page has a browser context of its own
// (its own cookies, storage and cache, as a fresh browser had), closed after its test. A failing test leaves
// a screenshot under test-results/.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright';
import { launchBrowser } from './browser-launch.ts';

const RESULTS_DIR = resolve(import.meta.dirname, '../../test-results');

/**
 * The test file's browser. A launch is about 2 CPU-seconds of chromium and a second of wall time, and a
 * browser tier file opens a page in up to six of its tests; a browser that died is launched again.
 */
let shared: Promise<Browser> | undefined;

async function fileBrowser(): Promise<Browser> {
  const browser = shared && (await shared.catch(() => undefined));
  if (browser?.isConnected()) return browser;
  shared = launchBrowser();
  return shared;
}

// A hook of the file's root (this module is imported at a file's top level): after its last test.
after(async () => {
  const browser = shared && (await shared.catch(() => undefined));
  shared = undefined;
  await browser?.close();
});

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

/** Opens a page in a context of its own, runs fn, and always closes the context; on failure saves a screenshot first. */
export async function withPage(
  t: TestContext,
  fn: (page: Page) => Promise<void>,
  options: PageOptions = {},
): Promise<void> {
  const browser = await fileBrowser();
  const context = await browser.newContext({ ignoreHTTPSErrors: options.acceptTestCertificate === true });
  try {
    const page = await context.newPage();
    reloadOnNetworkChange(page);
    try {
      await fn(page);
    } catch (error) {
      await mkdir(RESULTS_DIR, { recursive: true });
      const path = join(RESULTS_DIR, screenshotName(t));
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      // A test's route handler still running when the context closes (a poll the page sent as the test
      // ended) would fail reading its response ("Response has been disposed") after the test passed.
      await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => undefined);
    }
  } finally {
    await context.close();
  }
}
