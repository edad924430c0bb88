// Item 6 of issue 9: TokenReview answers are reused briefly, and junk tokens cost a bounded number of
// reviews. The kube gateway is a fake at the boundary that counts the reviews the server asks for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TokenReviewResult } from '../../../server/kube/kube-gateway.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { buildFixture } from './server-fixture.ts';

function jwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.signature`;
}

function reviewsAsked(calls: string[]): number {
  return calls.filter((call) => call.startsWith('review ')).length;
}

describe('server token reviews with a counting fake kube gateway', () => {
  it('answers a flood of junk tokens with a bounded number of TokenReviews, then 429 with Retry-After', async (t) => {
    const kube = fakeKubeGateway();
    const f = await buildFixture(t, {
      kube,
      authMode: 'kubernetes',
      tokenReview: { clientFailuresPerMinute: 20 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const url = i % 2 === 0 ? '/api/v1/sidecars' : '/api/v1/recordings';
      const method = i % 4 === 0 ? 'POST' : 'GET';
      // Registrations go to the recorder listener, user calls to the user listener: a budget each.
      const response = await (method === 'POST' ? f.recorder : f.app).inject({
        method,
        url,
        headers: { authorization: `Bearer junk-${i}` },
        payload: method === 'POST' ? {} : undefined,
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) assert.match(String(response.headers['retry-after']), /^\d+$/);
    }
    assert.equal(reviewsAsked(kube.calls), 40, 'twenty reviews per listener, not one per junk token');
    assert.equal(statuses.filter((s) => s === 401).length, 40);
    assert.equal(statuses.filter((s) => s === 429).length, 60);
  });

  it('asks again after the TTL, so a revoked long-lived token stops working within it', async (t) => {
    const token = jwt({ exp: Math.floor(Date.parse('2027-03-01T00:00:00Z') / 1000) });
    const reviews: Record<string, TokenReviewResult> = {
      [token]: { authenticated: true, username: 'alice', groups: [] },
    };
    const kube = fakeKubeGateway({ reviews });
    const f = await buildFixture(t, { kube, authMode: 'kubernetes', tokenReview: { ttlSeconds: 60 } });
    const list = () =>
      f.app.inject({ method: 'GET', url: '/api/v1/sidecars', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await list()).statusCode, 200);
    delete reviews[token];
    f.advance(30);
    assert.equal((await list()).statusCode, 200, 'within the TTL the cached review still answers');
    f.advance(31);
    assert.equal((await list()).statusCode, 401, 'the token valid for another year is refused after 60 s');
    assert.equal(reviewsAsked(kube.calls), 2);
  });
});
