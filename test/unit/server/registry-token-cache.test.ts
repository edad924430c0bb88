import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../../core/contract/errors.ts';
import type { TokenReviewResult } from '../../../server/kube/kube-gateway.ts';
import {
  createTokenCache,
  hashToken,
  readTokenExpiry,
  type TokenCacheOptions,
} from '../../../server/kube/token-cache.ts';

function jwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.signature`;
}

/** A cache on a hand-moved clock with a reviewer that counts and answers from a mutable table. */
function setup(options: Partial<TokenCacheOptions> = {}) {
  let time = 1_000_000_000;
  const valid = new Map<string, TokenReviewResult>();
  const asked: string[] = [];
  // random 0: every review lives its whole TTL, unless a test spreads them.
  const cache = createTokenCache({ now: () => time, random: () => 0, ...options });
  const reviewer = (token: string): Promise<TokenReviewResult> => {
    asked.push(token);
    return Promise.resolve(valid.get(token) ?? { authenticated: false, error: 'unknown token' });
  };
  return {
    cache,
    valid,
    asked,
    review: (token: string, client = '10.0.0.1') => cache.review(token, reviewer, { client }),
    advance: (seconds: number) => (time += seconds * 1000),
    nowSeconds: () => Math.floor(time / 1000),
  };
}

async function rateLimited(promise: Promise<unknown>): Promise<FurnaceError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof FurnaceError && error.code === 'ERR_RATE_LIMITED') return error;
    throw error;
  }
}

describe('token review cache', () => {
  it('reads the expiry of a JWT and none from an opaque token', () => {
    assert.equal(readTokenExpiry(jwt({ exp: 2000 })), 2_000_000);
    assert.equal(readTokenExpiry('opaque'), undefined);
  });

  it('reuses a review of a year-long token for the short TTL only, so a revoked token stops working', async () => {
    const s = setup({ ttlSeconds: 60 });
    const token = jwt({ exp: s.nowSeconds() + 365 * 86_400 });
    s.valid.set(token, { authenticated: true, username: 'alice' });
    assert.equal((await s.review(token)).authenticated, true);
    s.advance(35);
    assert.equal((await s.review(token)).authenticated, true);
    assert.equal(s.asked.length, 1, 'reused within the TTL');
    s.valid.delete(token);
    s.advance(26);
    assert.equal((await s.review(token)).authenticated, false, 'asked again after the TTL: revoked');
    assert.equal(s.asked.length, 2);
  });

  it('asks again in the background from a random 60–90 % of the TTL, answering from the cache meanwhile', async () => {
    const s = setup({ ttlSeconds: 60, random: Math.random });
    const tokens = Array.from({ length: 1000 }, (_, i) =>
      jwt({ sub: `pod-${i}`, exp: s.nowSeconds() + 86_400 }),
    );
    for (const token of tokens) s.valid.set(token, { authenticated: true, username: 'sidecar' });
    for (const token of tokens) await s.review(token);
    // The API server answers only after every caller of the step has had its answer from the cache.
    const unanswered: (() => void)[] = [];
    const slowReviewer = (token: string) => {
      s.asked.push(token);
      return new Promise<TokenReviewResult>((resolve) =>
        unanswered.push(() => resolve({ authenticated: true, username: 'sidecar' })),
      );
    };
    const askedAgainBy = async (seconds: number) => {
      s.advance(seconds);
      for (const token of tokens)
        assert.equal(
          (await s.cache.review(token, slowReviewer)).authenticated,
          true,
          'served from the cache',
        );
      // The refreshes take their turns a few at a time: answer until none is left.
      for (;;) {
        await new Promise((r) => setImmediate(r));
        if (unanswered.length === 0) break;
        for (const answer of unanswered.splice(0)) answer();
      }
      return s.asked.length - tokens.length;
    };
    assert.equal(await askedAgainBy(35.9), 0, 'none before 60 % of the TTL');
    const half = await askedAgainBy(9.1);
    assert.ok(half > 300 && half < 700, `about half by 75 % of the TTL, not all at once: ${half}`);
    assert.equal(await askedAgainBy(9.1), 1000, 'every one by 90 %, each once');
    assert.equal(await askedAgainBy(5.8), 1000, 'the new answers live a new TTL: none asked again yet');
  });

  it('sends background refreshes a few at once, and a caller that must wait for a review never queues behind them', async () => {
    const s = setup({ ttlSeconds: 60, backgroundAtOnce: 2, backgroundWaiting: 5 });
    const tokens = Array.from({ length: 10 }, (_, i) =>
      jwt({ sub: `pod-${i}`, exp: s.nowSeconds() + 86_400 }),
    );
    for (const token of tokens) s.valid.set(token, { authenticated: true, username: 'sidecar' });
    for (const token of tokens) await s.review(token);
    const held: string[] = [];
    const holding = (token: string) => {
      held.push(token);
      return new Promise<TokenReviewResult>(() => undefined);
    };
    s.advance(59);
    for (const token of tokens) assert.equal((await s.cache.review(token, holding)).authenticated, true);
    await new Promise((r) => setImmediate(r));
    assert.equal(held.length, 2, 'two refreshes at the API server, five waiting, three left to the next use');
    const fresh = jwt({ sub: 'pod-new', exp: s.nowSeconds() + 86_400 });
    s.valid.set(fresh, { authenticated: true, username: 'sidecar' });
    assert.equal((await s.review(fresh)).authenticated, true, 'a new token is asked at once');
    s.advance(2);
    const expired = tokens[9] ?? '';
    assert.equal((await s.review(expired)).authenticated, true, 'an expired entry is asked at once');
    assert.deepEqual(s.asked.slice(-2), [fresh, expired]);
  });

  it('refuses a malformed token unasked, and takes the caller’s hash of a token for its key', async () => {
    const s = setup();
    assert.match(String((await s.review('not a token')).error), /malformed token/);
    assert.match(String((await s.review(`${'a'.repeat(9000)}`)).error), /at most 8192/);
    const token = jwt({ sub: 'pod', exp: s.nowSeconds() + 3600 });
    s.valid.set(token, { authenticated: true, username: 'sidecar' });
    const reviewer = (t: string) => Promise.resolve(s.valid.get(t) ?? { authenticated: false as const });
    await s.cache.review(token, reviewer, { tokenHash: hashToken(token) });
    assert.equal(s.asked.length, 0, 'the reviewer given was asked, not the setup’s');
    assert.equal((await s.review(token)).authenticated, true, 'the same key without the hash given: a hit');
    assert.equal(s.asked.length, 0);
  });

  it('never reuses a review past the token expiry, and refuses an expired JWT without asking', async () => {
    const s = setup({ ttlSeconds: 600 });
    const token = jwt({ exp: s.nowSeconds() + 30 });
    s.valid.set(token, { authenticated: true, username: 'alice' });
    await s.review(token);
    s.advance(31);
    const expired = await s.review(token);
    assert.equal(expired.authenticated, false);
    assert.equal(s.asked.length, 1, 'the expired token was not sent for review');
  });

  it('keeps refusals for the short failure time', async () => {
    const s = setup({ failureTtlSeconds: 10 });
    await s.review('junk');
    await s.review('junk');
    assert.equal(s.asked.length, 1);
    s.advance(11);
    await s.review('junk');
    assert.equal(s.asked.length, 2);
  });

  it('forgets the reviews of tokens bound to a pod when the pod goes away, and disbelieves stale yeses', async () => {
    const s = setup({ ttlSeconds: 60 });
    const bound = (pod: string): TokenReviewResult => ({
      authenticated: true,
      username: 'system:serviceaccount:shop:default',
      extra: {
        'authentication.kubernetes.io/pod-name': [pod],
        'authentication.kubernetes.io/pod-uid': [`uid-${pod}`],
      },
    });
    s.valid.set('token-web', bound('web'));
    s.valid.set('token-db', bound('db'));
    await s.review('token-web');
    await s.review('token-db');
    assert.equal(s.cache.dropPod('shop', 'web', 'uid-web'), 1);
    // The API server's own authentication cache still vouches for the token for a few seconds.
    const stale = await s.review('token-web');
    assert.equal(s.asked.filter((t) => t === 'token-web').length, 2, 'asked again');
    assert.equal(stale.authenticated, false, 'but a yes for the deleted pod UID is not believed');
    assert.match(stale.error ?? '', /pod the token is bound to has been deleted/);
    await s.review('token-db');
    assert.equal(s.asked.filter((t) => t === 'token-db').length, 1, 'other pods keep their reviews');
  });

  it('asks once for many parallel reviews of one token', async () => {
    const s = setup();
    s.valid.set('shared', { authenticated: true, username: 'alice' });
    await Promise.all(Array.from({ length: 20 }, () => s.review('shared')));
    assert.equal(s.asked.length, 1);
  });

  it('rate-limits reviews that fail per client and in total, never an honest client', async () => {
    const s = setup({ clientFailuresPerMinute: 5, failuresPerMinute: 8 });
    const outcomes = [];
    for (let i = 0; i < 20; i++) outcomes.push(await rateLimited(s.review(`junk-${i}`, 'attacker')));
    assert.equal(s.asked.length, 5, 'five reviews, then the attacker is refused unasked');
    const refused = outcomes.filter((e) => e !== undefined);
    assert.equal(refused.length, 15);
    assert.match(refused[0]?.message ?? '', /from attacker: at most 5 a minute; retry in \d+ s/);
    assert.equal(refused[0]?.status, 429);
    for (let i = 0; i < 10; i++) s.valid.set(`good-${i}`, { authenticated: true, username: `u${i}` });
    for (let i = 0; i < 10; i++) assert.equal((await s.review(`good-${i}`, 'honest')).authenticated, true);
    for (let i = 0; i < 3; i++) await s.review(`other-junk-${i}`, 'second');
    const total = await rateLimited(s.review('other-junk-3', 'second'));
    assert.match(total?.message ?? '', /from all clients: at most 8 a minute/);
    s.advance(61);
    assert.equal(
      await rateLimited(s.review('junk-late', 'attacker')),
      undefined,
      'a new minute, a new budget',
    );
  });

  it('asks at most the total at once for a parallel burst, and charges only what was refused', async () => {
    const s = setup({ clientFailuresPerMinute: 100, failuresPerMinute: 8 });
    const burst = Array.from({ length: 20 }, (_, i) => rateLimited(s.review(`junk-${i}`, `client-${i}`)));
    const outcomes = await Promise.all(burst);
    assert.equal(s.asked.length, 8, 'reviews in flight count against the total');
    assert.equal(outcomes.filter((e) => e !== undefined).length, 12);
  });
});
