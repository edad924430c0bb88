// Caches TokenReview answers by a hash of the token, for as long as the token stays valid, so that
// thousands of sidecars renewing every few seconds cost the API server one review per token.
import { createHash } from 'node:crypto';
import type { TokenReviewResult } from './kube-gateway.ts';

export interface TokenCacheOptions {
  now: () => number;
  /** Cache time when the token carries no expiry, and for refusals. */
  fallbackSeconds: number;
  maxEntries: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The `exp` claim of a JWT in ms, read without verifying: it only bounds how long a review is reused. */
export function readTokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export interface TokenCache {
  review(token: string, reviewer: (token: string) => Promise<TokenReviewResult>): Promise<TokenReviewResult>;
  size(): number;
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const entries = new Map<string, { result: TokenReviewResult; until: number }>();

  function evict(now: number): void {
    for (const [key, entry] of entries) if (entry.until <= now) entries.delete(key);
    while (entries.size >= options.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  }

  return {
    async review(token, reviewer) {
      const key = hashToken(token);
      const now = options.now();
      const cached = entries.get(key);
      if (cached && cached.until > now) return cached.result;
      const result = await reviewer(token);
      const expiry = readTokenExpiry(token);
      const fallback = now + options.fallbackSeconds * 1000;
      const until =
        result.authenticated && expiry !== undefined ? expiry : Math.min(fallback, expiry ?? fallback);
      if (until > now) {
        if (entries.size >= options.maxEntries) evict(now);
        entries.set(key, { result, until });
      }
      return result;
    },
    size() {
      return entries.size;
    },
  };
}
