// What the user sees, not only what the page's script did: the UI marks `furnace-flame-drawn` when its
// script has drawn the flame graph on the canvas, but the graph reaches the screen only with the next
// frame, after the browser's style, layout, paint and commit (longer when the draw changed the page's
// layout). `markFramesShown` makes the page also mark `furnace-flame-shown` when that frame is done: a
// message posted from the frame's animation callback runs after it. The UI carries no benchmark code;
// the benchmarks in chromium (bench:ui, bench:continuous-ui, bench:stop-to-graph) inject this.
import type { Page } from 'playwright';

export const DRAWN = 'furnace-flame-drawn';
export const SHOWN = 'furnace-flame-shown';

/** Before the page loads: after each DRAWN mark, a SHOWN mark once the frame that shows it is done. */
export async function markFramesShown(page: Page): Promise<void> {
  await page.addInitScript(
    ({ drawn, shown }) => {
      const mark = performance.mark.bind(performance);
      performance.mark = (name, options) => {
        const entry = mark(name, options);
        if (name === drawn)
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => mark(shown);
            channel.port2.postMessage(null);
          });
        return entry;
      };
    },
    { drawn: DRAWN, shown: SHOWN },
  );
}

/** Time from the page's navigation start to the latest `mark` (DRAWN or SHOWN), in ms. */
export function latestMark(page: Page, mark: string): Promise<number> {
  return page.evaluate((name) => {
    const marks = performance.getEntriesByName(name);
    return marks[marks.length - 1]?.startTime ?? NaN;
  }, mark);
}
