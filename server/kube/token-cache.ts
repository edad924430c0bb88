// Caches TokenReview answers by a hash of the token, so sidecars renewing every few seconds and users
// clicking through the UI cost the API server about one review per token a minute, while a revoked token
// (its pod or secret deleted) stops working within that minute:
// - a successful review is reused for at most `ttlSeconds`, never past the token's own `exp`, and is
//   dropped at once when the pod the token is bound to goes away (the pod watch calls dropPod); for a
//   while after that, a review that still vouches for that pod UID is not believed: the API server keeps
//   its own cache of successful authentications (10 s by default) and would say yes again;
// - a successful review is asked again in the background once a random 60–90 % of `ttlSeconds` has
//   passed, while the cached answer still serves: thousands of sidecars that registered in the same few
//   seconds would otherwise all be reviewed again in the same second every minute, and every renewal of
//   that second would wait behind that burst of TokenReviews. The refresh is asked by the next use after
//   that time, so the spread (18 s of a 60 s TTL) is wider than a sidecar's renewal period (15 s): with
//   70–90 % (12 s) three in four of the sidecars that registered in one 15 s round were asked again in the
//   same later round (bench:registry's rounds 4 and 8);
// - background refreshes go to the API server a few at once (`backgroundAtOnce`), so a review a caller
//   waits for (a new token, or one whose cached answer expired) never queues behind a burst of them;
//   past `backgroundWaiting` queued, a refresh is not asked now and the next use asks again;
// - a refusal is reused for `failureTtlSeconds`, and a JWT whose `exp` has passed is refused unasked;
// - a token that cannot be one the API server issues (token-shape.ts) is refused unasked and uncharged;
// - reviews of unknown tokens are rate-limited per client and in total, counting only the ones that did
//   not authenticate, so a flood of junk tokens costs a bounded number of reviews and then answers 429;
//   the user listener and the recorder listener have budgets of their own, so junk on one door never
//   locks out the other; an IPv6 client's budget is its /64 (budget-client.ts); a token the API server
//   vouched for before is reviewed again without waiting for the budget (known-tokens.ts), so junk never
//   refuses a user whose token worked;
// - concurrent reviews of one token share one TokenReview;
// - with N replicas a recorder shows back a review another replica made (review-tickets.ts, opened by the
//   caller): a vouched review that ends later than the cached one takes its place, as if this replica had
//   asked, and is refused the same way if its pod was deleted; `current` hands out what is cached, for the
//   next ticket. Such callers refresh sooner (`refresh`), so that a refreshed review reaches the recorder
//   before the one it shows ends, whichever replica it comes to.
import { createHash } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { TokenReviewResult } from './kube-gateway.ts';
import { boundPodOf } from './pod-identity.ts';
import { budgetClient } from './budget-client.ts';
import { createKnownTokens, type KnownTokens } from './known-tokens.ts';
import { createReviewBudget, type ReviewBudget } from './review-budget.ts';
import type { VouchedReview } from './review-tickets.ts';
import { MAX_TOKEN_LENGTH, malformedToken } from './token-shape.ts';

export interface TokenCacheSettings {
  /** Longest reuse of a successful review, seconds. */
  ttlSeconds: number;
  /** How long a refused token is answered from the cache, seconds. */
  failureTtlSeconds: number;
  /** Reviews that did not authenticate, per client and minute, before that client gets 429. */
  clientFailuresPerMinute: number;
  /** The same for all clients together. */
  failuresPerMinute: number;
}

export const DEFAULT_TOKEN_CACHE_SETTINGS: Readonly<TokenCacheSettings> = Object.freeze({
  ttlSeconds: 60,
  failureTtlSeconds: 10,
  clientFailuresPerMinute: 30,
  failuresPerMinute: 600,
});

export interface TokenCacheOptions extends Partial<TokenCacheSettings> {
  now: () => number;
  maxEntries?: number;
  /** A number in [0, 1) that places a review's background refresh within REFRESH_FROM + REFRESH_SPREAD; Math.random. */
  random?: () => number;
  /**
   * Background refreshes at the API server at once (16, half of the review turns): a caller's review waits
   * behind at most these; fewer (4) refreshed too few of 5,000 tokens in time when the API server was slow
   * (a load of 9–16), so their entries expired and renewals waited for reviews instead.
   */
  backgroundAtOnce?: number;
  /** Background refreshes waiting for a turn; past it a refresh is left to the token's next use (1,000). */
  backgroundWaiting?: number;
}

/** A successful review is asked again in the background from this share of `ttlSeconds` on… */
export const REFRESH_FROM = 0.6;
/** …plus a random share up to this one, so reviews made together are not all asked again together. */
export const REFRESH_SPREAD = 0.3;

export interface ReviewOptions {
  /** The caller's address; reviews are budgeted per client. */
  client?: string | undefined;
  /** Tells apart reviews of one token with different audiences (registration asks for `furnace`). */
  scope?: string;
  /** Whose review budget: users' (the default) or sidecars' and agents' (registration). */
  listener?: 'user' | 'recorder';
  /** hashToken(token), when the caller has it already (registration keeps it too). */
  tokenHash?: string;
  /** A review of this token that another replica made (an opened review ticket). */
  vouched?: VouchedReview | undefined;
  /** When a successful review is asked again, as shares of `ttlSeconds`; REFRESH_FROM and REFRESH_SPREAD. */
  refresh?: RefreshWindow;
}

export interface RefreshWindow {
  from: number;
  spread: number;
}

export type Reviewer = (token: string) => Promise<TokenReviewResult>;

export interface TokenCache {
  /** The review of token, from the cache or from reviewer; throws ERR_RATE_LIMITED (429) over budget. */
  review(token: string, reviewer: Reviewer, options?: ReviewOptions): Promise<TokenReviewResult>;
  /**
   * Forgets every review of a token bound to this pod; returns how many. With the deleted pod's UID,
   * refuses tokens bound to it for `ttlSeconds` whatever a review says.
   */
  dropPod(namespace: string, pod: string, podUid?: string): number;
  /** The successful review cached for a token (by hashToken and scope), while it may be reused. */
  current(tokenHash: string, scope?: string): VouchedReview | undefined;
  /** The longest reuse of a review, ms (what a vouched review may claim). */
  readonly ttlMs: number;
  size(): number;
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

interface Entry {
  result: TokenReviewResult;
  /** When the API server answered (a vouched review: when the replica that asked had its answer). */
  reviewedAt: number;
  until: number;
  /** When a successful review starts being asked again in the background (never for a refusal). */
  refreshAt: number;
  pod: string | undefined;
}

function malformedResult(token: string): TokenReviewResult {
  return { authenticated: false, error: `malformed token: ${malformedToken(token) ?? ''}` };
}

const EXPIRED: TokenReviewResult = { authenticated: false, error: 'the token has expired' };
const POD_GONE: TokenReviewResult = {
  authenticated: false,
  error: 'the pod the token is bound to has been deleted',
};

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  return new ReviewCache(options);
}

class ReviewCache implements TokenCache {
  readonly #now: () => number;
  readonly #settings: TokenCacheSettings;
  readonly #maxEntries: number;
  readonly #random: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #byPod = new Map<string, Set<string>>();
  readonly #inflight = new Map<string, Promise<TokenReviewResult>>();
  /** Keys with a background refresh queued or running. */
  readonly #refreshing = new Set<string>();
  readonly #background: LimitFunction;
  readonly #backgroundWaiting: number;
  /** UIDs of pods deleted lately, until when their tokens are refused. */
  readonly #deletedPods = new Map<string, number>();
  readonly #budgets: Record<'user' | 'recorder', ReviewBudget>;
  readonly #known: KnownTokens;

  constructor(options: TokenCacheOptions) {
    this.#now = options.now;
    this.#settings = { ...DEFAULT_TOKEN_CACHE_SETTINGS, ...options };
    this.#maxEntries = options.maxEntries ?? 50_000;
    this.#random = options.random ?? Math.random;
    this.#background = pLimit(options.backgroundAtOnce ?? 16);
    this.#backgroundWaiting = options.backgroundWaiting ?? 1_000;
    const budget = (): ReviewBudget =>
      createReviewBudget({
        now: options.now,
        perClient: this.#settings.clientFailuresPerMinute,
        total: this.#settings.failuresPerMinute,
      });
    this.#budgets = { user: budget(), recorder: budget() };
    this.#known = createKnownTokens(this.#maxEntries);
  }

  async review(
    token: string,
    reviewer: Reviewer,
    reviewOptions: ReviewOptions = {},
  ): Promise<TokenReviewResult> {
    if (token.length > MAX_TOKEN_LENGTH) return malformedResult(token);
    const key = `${reviewOptions.scope ?? ''}:${reviewOptions.tokenHash ?? hashToken(token)}`;
    const now = this.#now();
    // A cached token passed the shape check when it was first asked: a renewal's hit skips it (and its parse).
    const cached = this.#adopt(key, this.#entries.get(key), reviewOptions, now);
    if (cached && cached.until > now) {
      if (cached.refreshAt <= now) this.#refresh(key, token, reviewer, reviewOptions);
      return cached.result;
    }
    if (cached) this.#forget(key);
    if (malformedToken(token) !== undefined) return malformedResult(token);
    const expiry = readTokenExpiry(token);
    if (expiry !== undefined && expiry <= now) return EXPIRED;
    const running = this.#inflight.get(key);
    if (running) return running;
    const budget = this.#budgets[reviewOptions.listener ?? 'user'];
    const pending = this.#ask(key, token, reviewer, { budget, reviewOptions });
    this.#inflight.set(key, pending);
    try {
      return await pending;
    } finally {
      this.#inflight.delete(key);
    }
  }

  /**
   * Asks again while the cached answer serves, when a background turn comes; a failure leaves the entry to
   * expire at its time. Queued, it is not in #inflight: a caller whose entry expired meanwhile asks at once.
   */
  #refresh(key: string, token: string, reviewer: Reviewer, reviewOptions: ReviewOptions): void {
    if (this.#refreshing.has(key) || this.#inflight.has(key)) return;
    if (this.#background.pendingCount >= this.#backgroundWaiting) return;
    this.#refreshing.add(key);
    const budget = this.#budgets[reviewOptions.listener ?? 'user'];
    const turn = async (): Promise<void> => {
      const entry = this.#entries.get(key);
      const now = this.#now();
      if (!entry || entry.until <= now || entry.refreshAt > now || this.#inflight.has(key)) return;
      const pending = this.#ask(key, token, reviewer, { budget, reviewOptions });
      this.#inflight.set(key, pending);
      try {
        await pending;
      } finally {
        if (this.#inflight.get(key) === pending) this.#inflight.delete(key);
      }
    };
    this.#background(turn)
      .catch(() => undefined)
      .finally(() => this.#refreshing.delete(key));
  }

  /**
   * The vouched review in place of the cached one when it ends later and its pod was not deleted; never in
   * place of a refusal this replica was given after that review (a revoked token stays refused).
   */
  #adopt(key: string, cached: Entry | undefined, options: ReviewOptions, now: number): Entry | undefined {
    const { vouched } = options;
    if (!vouched || vouched.until <= now) return cached;
    if (cached && (cached.until >= vouched.until || cached.reviewedAt >= vouched.reviewedAt)) return cached;
    if (this.#refuseDeletedPod(vouched.result, now) !== vouched.result) return cached;
    this.#remember(key, vouched.result, {
      until: vouched.until,
      now,
      reviewedAt: vouched.reviewedAt,
      refresh: options.refresh,
    });
    return this.#entries.get(key);
  }

  current(tokenHash: string, scope = ''): VouchedReview | undefined {
    const entry = this.#entries.get(`${scope}:${tokenHash}`);
    if (!entry?.result.authenticated || entry.until <= this.#now()) return undefined;
    return { result: entry.result, reviewedAt: entry.reviewedAt, until: entry.until };
  }

  get ttlMs(): number {
    return this.#settings.ttlSeconds * 1000;
  }

  dropPod(namespace: string, pod: string, podUid?: string): number {
    const keys = [...(this.#byPod.get(`${namespace}/${pod}`) ?? [])];
    for (const key of keys) this.#forget(key);
    if (podUid !== undefined) {
      const now = this.#now();
      const deletedPods = this.#deletedPods;
      if (deletedPods.size >= this.#maxEntries)
        for (const [uid, until] of deletedPods) if (until <= now) deletedPods.delete(uid);
      if (deletedPods.size < this.#maxEntries)
        deletedPods.set(podUid, now + this.#settings.ttlSeconds * 1000);
    }
    return keys.length;
  }

  size(): number {
    return this.#entries.size;
  }

  #forget(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    if (entry.pod === undefined) return;
    const keys = this.#byPod.get(entry.pod);
    keys?.delete(key);
    if (keys?.size === 0) this.#byPod.delete(entry.pod);
  }

  /** A successful review is asked again from `times.reviewedAt` plus a random share of the TTL in `times.refresh`. */
  #remember(
    key: string,
    result: TokenReviewResult,
    times: { until: number; now: number; reviewedAt: number; refresh?: RefreshWindow | undefined },
  ): void {
    const { until, now, reviewedAt, refresh } = times;
    if (until <= now) return;
    const window = refresh ?? { from: REFRESH_FROM, spread: REFRESH_SPREAD };
    const refreshAt = result.authenticated
      ? reviewedAt + this.#settings.ttlSeconds * 1000 * (window.from + window.spread * this.#random())
      : until;
    const entries = this.#entries;
    if (entries.size >= this.#maxEntries) {
      for (const [k, entry] of entries) if (entry.until <= now) this.#forget(k);
      while (entries.size >= this.#maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        this.#forget(oldest);
      }
    }
    const pod = result.authenticated ? boundPodOf(result)?.key : undefined;
    entries.set(key, { result, reviewedAt, until, refreshAt, pod });
    if (pod !== undefined) this.#byPod.set(pod, (this.#byPod.get(pod) ?? new Set()).add(key));
  }

  async #ask(
    key: string,
    token: string,
    reviewer: Reviewer,
    asked: { budget: ReviewBudget; reviewOptions: ReviewOptions },
  ): Promise<TokenReviewResult> {
    const { budget, reviewOptions } = asked;
    const client = budgetClient(reviewOptions.client ?? 'unknown');
    // A token that authenticated before skips the budget: others' junk never refuses it.
    const known = this.#known.has(key, this.#now());
    const spent = known ? ({ ok: true } as const) : budget.begin(client);
    if (!spent.ok) {
      throw new FurnaceError(
        'ERR_RATE_LIMITED',
        `too many tokens that failed review ${spent.scope === 'client' ? `from ${client}` : 'from all clients'}: at most ${spent.limit} a minute; retry in ${spent.retryAfterSeconds} s`,
        { limit: spent.limit, retryAfterSeconds: spent.retryAfterSeconds },
      );
    }
    let result: TokenReviewResult | undefined;
    try {
      result = this.#refuseDeletedPod(await reviewer(token), this.#now());
    } finally {
      // A review that failed to run (the API server unreachable) is no refusal of the token.
      if (!known) budget.end(client, result !== undefined && !result.authenticated);
    }
    const now = this.#now();
    if (result.authenticated) {
      const expiry = readTokenExpiry(token);
      const until = Math.min(now + this.#settings.ttlSeconds * 1000, expiry ?? Number.POSITIVE_INFINITY);
      this.#remember(key, result, { until, now, reviewedAt: now, refresh: reviewOptions.refresh });
      this.#known.remember(key, now, expiry);
    } else {
      this.#known.forget(key);
      this.#remember(key, result, {
        until: now + this.#settings.failureTtlSeconds * 1000,
        now,
        reviewedAt: now,
      });
    }
    return result;
  }

  #refuseDeletedPod(result: TokenReviewResult, now: number): TokenReviewResult {
    const uid = result.authenticated ? boundPodOf(result)?.uid : undefined;
    const until = uid === undefined ? undefined : this.#deletedPods.get(uid);
    if (until === undefined) return result;
    if (until > now) return POD_GONE;
    this.#deletedPods.delete(uid ?? '');
    return result;
  }
}
