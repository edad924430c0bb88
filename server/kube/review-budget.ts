// How many token reviews that did not authenticate each client, and all clients together, may cause per
// minute. Only refusals are charged, after the API server answered: an honest token is never charged, and
// never refused because of another client's reviews still running. Over budget, no new token is reviewed
// until the window ends (tokens already reviewed answer from the cache). Reviews in flight count against
// the total, so a parallel burst cannot ask more than the total at once. Pure: time is passed in.

export interface ReviewBudgetOptions {
  now: () => number;
  perClient: number;
  total: number;
}

export type Spent =
  { ok: true } | { ok: false; scope: 'client' | 'total'; limit: number; retryAfterSeconds: number };

export interface ReviewBudget {
  /** Whether a review for this client may be asked now; when it may, it is in flight until `end`. */
  begin(client: string): Spent;
  /** The review ended; `refused`: it did not authenticate, and is charged. */
  end(client: string, refused: boolean): void;
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
  let inFlight = 0;

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
    begin(client) {
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
      if (total.used + inFlight >= options.total)
        return { ok: false, scope: 'total', limit: options.total, retryAfterSeconds: retryAfter(total, now) };
      inFlight += 1;
      return { ok: true };
    },
    end(client, refused) {
      inFlight = Math.max(0, inFlight - 1);
      if (!refused) return;
      const now = options.now();
      total = current(total, now);
      const mine = current(clients.get(client), now);
      mine.used += 1;
      total.used += 1;
      prune(now);
      clients.set(client, mine);
    },
  };
}
