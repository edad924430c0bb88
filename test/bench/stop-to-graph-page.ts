// What the page itself says about a stop, for bench:stop-to-graph: the click on Stop, when the page learned
// the compact tree is there (its waiting read of the tree answered, or a status answer listed it, whichever
// came first), the first status answer that says done (the UI learned it), the catalog's answer,
// the compact tree fetched (the first fetch: the sidecar's through the proxy) and the first flame graph
// shown: the frame after the page script's first draw (frame-shown.ts), what the user waits for. Every
// time is epoch ms (timeOrigin + performance.now()), so that it lines up with the sidecar's log lines on
// this machine.
import type { Page } from 'playwright';
import { DRAWN, markFramesShown, SHOWN } from './frame-shown.ts';

export interface PageTimes {
  click: number;
  /** The sidecar's answer to the waiting read of the compact tree, or the first status answer listing it. */
  treeLearned: number;
  learned: number;
  catalog: number;
  treeFetched: number;
  /** The frame that shows the first flame graph is done. */
  firstDraw: number;
  /** The page script's first draw (the mark paint-flame.ts sets), a frame or so before firstDraw. */
  scriptDraw: number;
  /** Status answers (polls and the stop's own) between the click and the one that said done. */
  statusAnswers: number;
}

/**
 * Runs in the page before its own script (addInitScript): a capture listener for the click on Stop and
 * a wrapper of fetch that notes, after the click, when an answer arrived (not when its body was read).
 */
function instrumentPage(): void {
  const marks: Record<string, number> = { statusAnswers: 0 };
  (window as unknown as { __stopBench: Record<string, number> }).__stopBench = marks;
  const now = (): number => performance.timeOrigin + performance.now();
  document.addEventListener(
    'click',
    (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      if (button?.textContent?.trim() === 'Stop recording') marks.click ??= now();
    },
    true,
  );
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const response = await original(input, init);
    const at = now();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (marks.click === undefined) return response;
    if (response.ok && /\/api\/v1\/recordings\/[^/]+$/.test(url)) marks.catalog ??= at;
    if (marks.learned !== undefined) return response;
    if (/\/proxy\/.+\/recordings\/[^/]+(\/stop)?$/.test(url)) {
      marks.statusAnswers = (marks.statusAnswers ?? 0) + 1;
      response
        .clone()
        .json()
        .then(
          (body: { state?: string; artifacts?: string[] }) => {
            if (body.artifacts?.includes('flame-tree.bin.gz')) marks.treeLearned ??= at;
            if (body.state === 'done') marks.learned ??= at;
          },
          () => undefined,
        );
    }
    return response;
  };
}

export async function instrument(page: Page): Promise<void> {
  // tsx keeps function names through a helper, __name, that the page does not have.
  await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  await page.addInitScript(instrumentPage);
  await markFramesShown(page);
}

/** Waits for the first flame graph shown after the click, then reads every mark. */
export async function pageTimes(page: Page, timeoutMs: number): Promise<PageTimes> {
  await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, SHOWN, {
    timeout: timeoutMs,
    polling: 'raf',
  });
  const times = await page.evaluate(
    ({ drawnName, shownName }) => {
      const marks = (window as unknown as { __stopBench: Record<string, number> }).__stopBench;
      const origin = performance.timeOrigin;
      const drawn = performance.getEntriesByName(drawnName)[0];
      const shown = performance.getEntriesByName(shownName)[0];
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const tree = resources.find((r) => /\/artifacts\/flame-tree\.bin\.gz(\?.*)?$/.test(r.name));
      // The read that waits at the sidecar: the first byte of its answer is the page learning the tree is there.
      const learned = Math.min(marks.treeLearned ?? Infinity, tree ? origin + tree.responseStart : Infinity);
      return {
        click: marks.click ?? NaN,
        treeLearned: Number.isFinite(learned) ? learned : NaN,
        learned: marks.learned ?? NaN,
        catalog: marks.catalog ?? NaN,
        treeFetched: tree === undefined ? NaN : origin + tree.responseEnd,
        firstDraw: shown === undefined ? NaN : origin + shown.startTime,
        scriptDraw: drawn === undefined ? NaN : origin + drawn.startTime,
        statusAnswers: marks.statusAnswers ?? 0,
      };
    },
    { drawnName: DRAWN, shownName: SHOWN },
  );
  for (const [name, value] of Object.entries(times))
    if (!Number.isFinite(value)) throw new Error(`the page did not show ${name}`);
  return times;
}
