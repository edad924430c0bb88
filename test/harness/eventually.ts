// Polling until something a test waits for has happened, with a deadline and the last error in the message.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls fn every intervalMs until it returns a value other than undefined; fails after timeoutMs with
 * `what` and the last error fn threw (a throw counts as "not yet").
 */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await sleep(intervalMs);
  }
}
