// Steps a user takes in the web UI that several browser tests share.
import type { Page } from 'playwright';
import { eventually } from './eventually.ts';

/** The record form's pod, once the picker has filled in from the first list of pods. */
export function pickedPod(page: Page, timeoutMs = 15_000): Promise<string> {
  return eventually(
    async () => (await page.getByLabel('Pod').inputValue()) || undefined,
    timeoutMs,
    'the pod picker to fill in',
  );
}
