// A recording's delivery to one sink, as the catalog entry shows it (pending, delivered or failed, with
// the attempts and the last error in words), and the decisions about it: what a sink's answer means and
// when the next attempt is. Pure.
import { backoffDelay } from '../backoff.ts';
import type { SinkDeliverySettings } from './sink.ts';

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface SinkDelivery {
  sink: string;
  state: DeliveryState;
  /** Pushes tried so far. */
  attempts: number;
  /** Why the last attempt did not deliver, in words. */
  lastError?: string;
  /** When the state last changed (RFC 3339). */
  updatedAt: string;
  /** Pending: when the next attempt is due. */
  nextAttemptAt?: string;
}

/** How one push ended, as the HTTP client saw it. */
export type PushOutcome =
  { kind: 'answer'; status: number; detail?: string; location?: string } | { kind: 'error'; message: string };

export type Verdict = { delivered: true } | { delivered: false; retry: boolean; error: string };

/** Answers worth trying again: the sink is overloaded, restarting or timed out. */
const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** What an answer means: 2xx delivered; overload and server errors retried; anything else failed for good. */
export function judgePush(outcome: PushOutcome): Verdict {
  if (outcome.kind === 'error') return { delivered: false, retry: true, error: outcome.message };
  const { status } = outcome;
  const detail = outcome.detail ? `: ${outcome.detail}` : '';
  if (status >= 200 && status < 300) return { delivered: true };
  if (status >= 300 && status < 400)
    return {
      delivered: false,
      retry: false,
      error: `the sink answered ${status} with a redirect${outcome.location ? ` to ${outcome.location}` : ''}, which Furnace does not follow (configure the final URL)`,
    };
  return {
    delivered: false,
    retry: RETRY_STATUSES.has(status) || status >= 500,
    error: `the sink answered ${status}${detail}`,
  };
}

/**
 * After a failed attempt: pending again with the time of the next attempt (exponential backoff with
 * jitter), or failed for good when the error is final or the push is older than maxAgeSeconds.
 */
export function afterFailure(
  previous: Pick<SinkDelivery, 'sink' | 'attempts'>,
  verdict: Extract<Verdict, { delivered: false }>,
  context: { now: number; queuedAt: number; random: number; settings: SinkDeliverySettings },
): SinkDelivery {
  const { now, settings } = context;
  const attempts = previous.attempts;
  const base = {
    sink: previous.sink,
    attempts,
    lastError: verdict.error,
    updatedAt: new Date(now).toISOString(),
  };
  if (!verdict.retry) return { ...base, state: 'failed' };
  const delay = backoffDelay(
    attempts,
    context.random,
    settings.initialBackoffSeconds * 1000,
    settings.maxBackoffSeconds * 1000,
  );
  const next = now + delay;
  if (next - context.queuedAt > settings.maxAgeSeconds * 1000)
    return {
      ...base,
      state: 'failed',
      lastError: `${verdict.error}; given up after ${attempts} attempts over ${Math.round((now - context.queuedAt) / 1000)} s (sinkDelivery.maxAgeSeconds ${settings.maxAgeSeconds})`,
    };
  return { ...base, state: 'pending', nextAttemptAt: new Date(next).toISOString() };
}

/** Text from a sink made safe to show and store: printable characters only, at most `max` of them. */
export function sanitizeSinkText(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
