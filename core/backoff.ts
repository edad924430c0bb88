// Exponential backoff for every retry loop (registration, uploads, the pod informer's supervisor).

/**
 * The delay before retry number `attempt` (1 for the first): base·2^(attempt-1) capped at `maxMs`, of
 * which a `random` share (0..1) of the upper half is added, so that many clients do not retry in step.
 * `random = 1` gives the plain exponential ceiling.
 */
export function backoffDelay(attempt: number, random: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}
