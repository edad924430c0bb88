// Tokens the API server has vouched for, remembered (by the cache's key, a hash) past the review cache's
// short TTL: when such a token is reviewed again it does not wait for the budget of failed reviews
// (review-budget.ts), so junk from other clients, however much, never refuses a user whose token worked
// before. Junk cannot get in: a token is remembered only after a review that authenticated it, and is
// forgotten at its first refusal (so a revoked token costs at most one unbudgeted review). Bounded: past
// `maxEntries` the oldest is forgotten, and that token only waits for the budget again.

/** How long a token without `exp` is remembered after its last successful review. */
export const KNOWN_TOKEN_MS = 24 * 3600 * 1000;

export interface KnownTokens {
  /** Whether the token (by key) authenticated before and may still be valid. */
  has(key: string, now: number): boolean;
  /** A review authenticated it; `expiry`: the token's own `exp` in ms, if it has one. */
  remember(key: string, now: number, expiry: number | undefined): void;
  forget(key: string): void;
}

export function createKnownTokens(maxEntries: number): KnownTokens {
  const until = new Map<string, number>();
  return {
    has(key, now) {
      const end = until.get(key);
      if (end === undefined) return false;
      if (end > now) return true;
      until.delete(key);
      return false;
    },
    remember(key, now, expiry) {
      const end = Math.min(expiry ?? Number.POSITIVE_INFINITY, now + KNOWN_TOKEN_MS);
      until.delete(key);
      if (end <= now) return;
      while (until.size >= maxEntries) {
        const oldest = until.keys().next().value;
        if (oldest === undefined) break;
        until.delete(oldest);
      }
      until.set(key, end);
    },
    forget(key) {
      until.delete(key);
    },
  };
}
