// How many token reviews that did not authenticate each client, and all clients together, may cause per
// minute. A review is charged before it is asked (so a burst of parallel junk cannot overshoot) and
// refunded when the token authenticated, so honest callers never use the budget up. Pure: time is passed in.

export interface ReviewBudgetOptions {
  now: () => number;
  perClient: number;
  total: number;
}

export type Spent =
  { ok: true } | { ok: false; scope: 'client' | 'total'; limit: number; retryAfterSeconds: number };

export interface ReviewBudget {
  spend(client: string): Spent;
  refund(client: string): void;
}

const WINDOW_MS = 60_000;
/** Clients remembered at once; past it, windows that ended are forgotten. */
const MAX_CLIENTS = 100_000;

interface Window {
  start: number;
  used: number;
}

export function createReviewBudget(options: ReviewBudgetOptions): ReviewBudget {
  const clients = new Map<string, Window>();
  let total: Window = { start: options.now(), used: 0 };

  function current(window: Window | undefined, now: number): Window {
    return window && now - window.start < WINDOW_MS ? window : { start: now, used: 0 };
  }

  function retryAfter(window: Window, now: number): number {
    return Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000));
  }

  function prune(now: number): void {
    if (clients.size < MAX_CLIENTS) return;
    for (const [client, window] of clients) if (now - window.start >= WINDOW_MS) clients.delete(client);
    if (clients.size >= MAX_CLIENTS) clients.clear();
  }

  return {
    spend(client) {
      const now = options.now();
      total = current(total, now);
      const mine = current(clients.get(client), now);
      if (mine.used >= options.perClient)
        return {
          ok: false,
          scope: 'client',
          limit: options.perClient,
          retryAfterSeconds: retryAfter(mine, now),
        };
      if (total.used >= options.total)
        return { ok: false, scope: 'total', limit: options.total, retryAfterSeconds: retryAfter(total, now) };
      mine.used += 1;
      total.used += 1;
      prune(now);
      clients.set(client, mine);
      return { ok: true };
    },
    refund(client) {
      const mine = clients.get(client);
      if (mine && mine.used > 0) mine.used -= 1;
      if (total.used > 0) total.used -= 1;
    },
  };
}
