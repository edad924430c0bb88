// Rendered flame graphs opened in chromium as a user opens them, and what a user reads off them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright';
import type { FoldedStacks } from '../../core/stacks/folded.ts';

/** Symbol names that try to become markup or script, and a 5,000-character C++ template. */
export const HOSTILE_NAMES = [
  '<img src=x onerror=window.__pwned=1>',
  '"><svg onload=window.__pwned=2>',
  `it's "quoted" & <b>bold</b>`,
  ']]><script>window.__pwned=3</script>',
  '</script><script>window.__pwned=4</script><!--',
  `std::map<${'std::vector<std::pair<int, long>>, '.repeat(150)}int>::find`.slice(0, 5000),
];

/** Each hostile name under one parent, wide enough to be labelled. */
export function hostileStacks(): FoldedStacks {
  return new Map(HOSTILE_NAMES.map((name, i) => [`app;${name}`, 100 + i]));
}

/** The SVG written to a file and opened from it, as a downloaded flame graph is. */
export async function openSvgFile(t: TestContext, page: Page, svg: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-svg-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'flamegraph.svg');
  await writeFile(path, svg);
  await page.goto(pathToFileURL(path).href); // resolves after `load`, when the script has started
}

/**
 * What hostile names could have left in the page: the marker their scripts set, how many scripts there
 * are, how many elements match `foreign` (markup a name must never become), and any on* attribute.
 */
export function injectedMarkup(page: Page, foreign: string) {
  return page.evaluate(
    (selector) => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      scripts: document.querySelectorAll('script').length,
      foreign: document.querySelectorAll(selector).length,
      handlers: Array.from(document.querySelectorAll('*')).some((e) =>
        Array.from(e.attributes).some((a) => a.name.startsWith('on')),
      ),
    }),
    foreign,
  );
}

export interface PageWatch {
  /** Script errors and console errors. */
  errors: string[];
  /** Messages of dialogs the page opened unasked (dismissed). */
  dialogs: string[];
  /** Answers the next prompt with `text`: a user typing a search term. */
  answerPrompt(text: string): void;
}

/** What happens in a page that a user would not see: script errors, and dialogs nobody expected. */
export function watchPage(page: Page): PageWatch {
  const answers: string[] = [];
  const seen: PageWatch = { errors: [], dialogs: [], answerPrompt: (text) => answers.push(text) };
  page.on('pageerror', (error) => seen.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  page.on('dialog', (dialog) => {
    const answer = dialog.type() === 'prompt' ? answers.shift() : undefined;
    if (answer !== undefined) return void dialog.accept(answer);
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return seen;
}

/**
 * "Matched: P%" as a user would work it out from the folded input: the samples whose stack has at
 * least one frame matching the pattern, over all samples, to one decimal.
 */
export function matchedFromFolded(stacks: FoldedStacks, pattern: RegExp): string {
  let matched = 0;
  let total = 0;
  for (const [stack, count] of stacks) {
    total += count;
    if (stack.split(';').some((name) => pattern.test(name))) matched += count;
  }
  return `Matched: ${((100 * matched) / total).toFixed(1)}%`;
}
