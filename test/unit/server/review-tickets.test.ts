import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deriveToken, sharedKeysOf, type SharedKeys } from '../../../core/shared-key.ts';
import type { TokenReviewResult } from '../../../server/kube/kube-gateway.ts';
import { openReviewTicket, sealReviewTicket, TICKET_PATTERN } from '../../../server/kube/review-tickets.ts';
import { createTokenCache, hashToken } from '../../../server/kube/token-cache.ts';

const POD = 'authentication.kubernetes.io/pod-name';
const UID = 'authentication.kubernetes.io/pod-uid';
const review: TokenReviewResult = {
  authenticated: true,
  username: 'system:serviceaccount:team-a:default',
  groups: ['system:serviceaccounts'],
  audiences: ['furnace'],
  extra: { [POD]: ['web-1'], [UID]: ['uid-1'] },
};
const NOW = 1_800_000_000_000;
const TTL = 60_000;
const subject = { scope: 'furnace', tokenHash: hashToken('token-1') };

describe('review tickets', () => {
  const old = randomBytes(32);
  const keys = sharedKeysOf([randomBytes(32), old]);
  const vouched = { result: review, reviewedAt: NOW, until: NOW + TTL };

  it('opens what it sealed, with the fields registration reads', () => {
    const ticket = sealReviewTicket(keys.current, subject, vouched) ?? '';
    assert.match(ticket, new RegExp(TICKET_PATTERN));
    const opened = openReviewTicket(keys, ticket, subject, { now: NOW + 1000, maxAgeMs: TTL });
    assert.deepEqual(opened, {
      result: {
        authenticated: true,
        username: review.username,
        audiences: ['furnace'],
        extra: { [POD]: ['web-1'], [UID]: ['uid-1'] },
      },
      reviewedAt: NOW,
      until: NOW + TTL,
    });
  });

  it('opens a ticket signed with an older key still accepted (a rotation in progress)', () => {
    const before = sharedKeysOf([old]);
    const ticket = sealReviewTicket(before.current, subject, vouched) ?? '';
    assert.ok(openReviewTicket(keys, ticket, subject, { now: NOW, maxAgeMs: TTL }));
  });

  it('refuses other tokens, scopes, keys, ended or over-long reviews and reviews from the future', () => {
    const ticket = sealReviewTicket(keys.current, subject, vouched) ?? '';
    const stranger = sharedKeysOf([randomBytes(32)]);
    const long = sealReviewTicket(keys.current, subject, { ...vouched, until: NOW + TTL + 1 }) ?? '';
    const ahead = sealReviewTicket(keys.current, subject, { ...vouched, reviewedAt: NOW + 6000 }) ?? '';
    const refused: [string, ReturnType<typeof openReviewTicket>][] = [
      [
        'another token',
        openReviewTicket(
          keys,
          ticket,
          { ...subject, tokenHash: hashToken('x') },
          { now: NOW, maxAgeMs: TTL },
        ),
      ],
      [
        'another scope',
        openReviewTicket(keys, ticket, { ...subject, scope: '' }, { now: NOW, maxAgeMs: TTL }),
      ],
      ['a key not held', openReviewTicket(stranger, ticket, subject, { now: NOW, maxAgeMs: TTL })],
      ['ended', openReviewTicket(keys, ticket, subject, { now: NOW + TTL, maxAgeMs: TTL })],
      ['longer than the TTL', openReviewTicket(keys, long, subject, { now: NOW, maxAgeMs: TTL })],
      [
        'reviewed 6 s ahead of this clock',
        openReviewTicket(keys, ahead, subject, { now: NOW, maxAgeMs: TTL }),
      ],
      ['not a ticket', openReviewTicket(keys, 'v1.a.b', subject, { now: NOW, maxAgeMs: TTL })],
      [
        'no JSON inside',
        openReviewTicket(keys, forge(keys, 'not json'), subject, { now: NOW, maxAgeMs: TTL }),
      ],
    ];
    for (const [label, opened] of refused) assert.equal(opened, undefined, label);
  });

  it('seals only a successful review of a token bound to a pod', () => {
    const { extra: _extra, ...unbound } = review;
    assert.equal(sealReviewTicket(keys.current, subject, { ...vouched, result: unbound }), undefined);
    const refused = { ...vouched, result: { authenticated: false } };
    assert.equal(sealReviewTicket(keys.current, subject, refused), undefined);
  });
});

/** A correctly signed ticket over any payload: what only a holder of the shared key could make. */
function forge(keys: SharedKeys, text: string): string {
  const payload = Buffer.from(text).toString('base64url');
  return `v1.${keys.current.id}.${payload}.${deriveToken(keys.current, 'review-ticket', [payload])}`;
}

describe('token cache with vouched reviews', () => {
  function setup() {
    let time = NOW;
    const asked: string[] = [];
    const cache = createTokenCache({ now: () => time, random: () => 0 });
    const answers = new Map<string, TokenReviewResult>([['token-1', review]]);
    const reviewer = (token: string) => {
      asked.push(token);
      return Promise.resolve(answers.get(token) ?? { authenticated: false });
    };
    const options = (vouched?: { result: TokenReviewResult; reviewedAt: number; until: number }) => ({
      scope: 'furnace',
      tokenHash: subject.tokenHash,
      vouched,
      refresh: { from: 0.3, spread: 0.15 },
    });
    return {
      cache,
      asked,
      answers,
      ask: (vouched?: Parameters<typeof options>[0]) => cache.review('token-1', reviewer, options(vouched)),
      advance: (ms: number) => (time += ms),
      now: () => time,
    };
  }

  it('takes a vouched review instead of asking, and hands it out again', async () => {
    const s = setup();
    const vouched = { result: review, reviewedAt: NOW - 10_000, until: NOW + 50_000 };
    assert.equal((await s.ask(vouched)).authenticated, true);
    assert.deepEqual(s.asked, []);
    assert.deepEqual(s.cache.current(subject.tokenHash, 'furnace'), vouched);
  });

  it('asks again in the background from 30 % of the TTL after the vouched review, not after taking it', async () => {
    const s = setup();
    const vouched = { result: review, reviewedAt: NOW - 20_000, until: NOW + 40_000 };
    await s.ask(vouched); // 20 s old: past 18 s (30 % of 60), so this use refreshes it
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(s.asked, ['token-1']);
    assert.equal(
      s.cache.current(subject.tokenHash, 'furnace')?.reviewedAt,
      NOW,
      'the new review replaced it',
    );
  });

  it('keeps a refusal made after the vouched review: a revoked token is not brought back by a ticket', async () => {
    const s = setup();
    const vouched = { result: review, reviewedAt: NOW - 5_000, until: NOW + 55_000 };
    s.answers.delete('token-1');
    assert.equal((await s.ask()).authenticated, false);
    assert.equal((await s.ask(vouched)).authenticated, false);
    assert.equal(s.cache.current(subject.tokenHash, 'furnace'), undefined);
  });

  it('refuses a vouched review of a pod this replica saw deleted', async () => {
    const s = setup();
    s.cache.dropPod('team-a', 'web-1', 'uid-1');
    s.answers.delete('token-1');
    const vouched = { result: review, reviewedAt: NOW - 5_000, until: NOW + 55_000 };
    assert.equal((await s.ask(vouched)).authenticated, false);
    assert.deepEqual(s.asked, ['token-1'], 'asked, and the answer refused');
  });

  it('ignores a vouched review that ends sooner than the cached one', async () => {
    const s = setup();
    await s.ask();
    const older = { result: review, reviewedAt: NOW - 30_000, until: NOW + 30_000 };
    await s.ask(older);
    assert.equal(s.cache.current(subject.tokenHash, 'furnace')?.until, NOW + TTL);
  });
});
