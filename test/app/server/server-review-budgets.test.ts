// Issue 20 item 5: 30 junk tokens a minute locked every user out, and 600 locked out sidecar
// registrations. The failed-review budget was charged before honest reviews too, was shared by users
// and recorders, and every user behind the Route or Ingress had the router's address. Through the real
// listeners, with a fake API server that counts the reviews it is asked for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import type { TokenReviewResult } from '../../../server/kube/kube-gateway.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { bearer, postRegistration } from '../../harness/server-calls.ts';
import { buildFixture, PINNED_BODY, SIDECAR_INJECTION } from './server-fixture.ts';

/** A JWT-shaped token no API server issued. */
function junk(i: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ sub: `junk-${i}` })}.c2lnbmF0dXJl`;
}

const sidecarReview: TokenReviewResult = {
  authenticated: true,
  username: 'system:serviceaccount:team-a:default',
  audiences: ['furnace'],
  extra: {
    'authentication.kubernetes.io/pod-name': ['web-1'],
    'authentication.kubernetes.io/pod-uid': ['uid-1'],
  },
};

const sidecarPod: V1Pod = injectSidecar(
  {
    metadata: { name: 'web-1', namespace: 'team-a', uid: 'uid-1' },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    status: { podIP: '10.9.8.7' },
  },
  SIDECAR_INJECTION,
);

function gateway(delayMs = 0) {
  const fake = fakeKubeGateway({
    reviews: {
      'alice-token': { authenticated: true, username: 'alice', groups: [] },
      'bob-token': { authenticated: true, username: 'bob', groups: [] },
      'sidecar-token': sidecarReview,
    },
    pods: { 'team-a/web-1': sidecarPod },
    namespaces: { 'team-a': { furnace: 'enabled' } },
  });
  const review = fake.reviewToken.bind(fake);
  fake.reviewToken = async (token, audiences) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return review(token, audiences);
  };
  return fake;
}

const reviewsAsked = (calls: string[]) => calls.filter((call) => call.startsWith('review ')).length;

describe('token review budgets: refusals only, per listener, per real client', () => {
  it('behind the configured ingress, junk from one client does not lock out a user with another address', async (t) => {
    const kube = gateway();
    const f = await buildFixture(t, {
      kube,
      authMode: 'kubernetes',
      tokenReview: { clientFailuresPerMinute: 20 },
      trustedProxies: ['127.0.0.1'], // inject() connects from 127.0.0.1: the router, as the server sees it
    });
    const list = (token: string, client: string) =>
      f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings',
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client },
      });
    const attacker: number[] = [];
    for (let i = 0; i < 40; i++) attacker.push((await list(junk(i), '203.0.113.9')).statusCode);
    assert.equal(attacker.filter((s) => s === 429).length, 20, 'the attacker is limited');
    assert.equal((await list('alice-token', '198.51.100.7')).statusCode, 200, 'another user is not');
  });

  it('ignores X-Forwarded-For from anyone but the configured ingress, so junk cannot dodge its budget', async (t) => {
    const kube = gateway();
    const f = await buildFixture(t, {
      kube,
      authMode: 'kubernetes',
      tokenReview: { clientFailuresPerMinute: 20 },
    });
    for (let i = 0; i < 40; i++)
      await f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings',
        headers: { authorization: `Bearer ${junk(i)}`, 'x-forwarded-for': `203.0.113.${i}` },
      });
    assert.equal(reviewsAsked(kube.calls), 20);
  });

  it('keeps registrations working while junk exhausts the user listener’s budget, and the other way round', async (t) => {
    const kube = gateway();
    const f = await buildFixture(t, {
      kube,
      authMode: 'kubernetes',
      tokenReview: { clientFailuresPerMinute: 1000, failuresPerMinute: 30 },
    });
    for (let i = 0; i < 40; i++)
      await f.app.inject({ method: 'GET', url: '/api/v1/recordings', headers: bearer(junk(i)) });
    const registered = await postRegistration(f.recorder, bearer('sidecar-token'), PINNED_BODY);
    assert.equal(registered.statusCode, 200, registered.body);
    for (let i = 100; i < 140; i++) await postRegistration(f.recorder, bearer(junk(i)), PINNED_BODY);
    const user = await f.app.inject({
      method: 'GET',
      url: '/api/v1/recordings',
      headers: bearer('bob-token'),
    });
    assert.equal(user.statusCode, 429, 'the user listener’s own budget is still spent');
    const fresh = await buildFixture(t, {
      kube: gateway(),
      authMode: 'kubernetes',
      tokenReview: { clientFailuresPerMinute: 1000, failuresPerMinute: 30 },
    });
    for (let i = 0; i < 40; i++) await postRegistration(fresh.recorder, bearer(junk(i)), PINNED_BODY);
    const alice = await fresh.app.inject({
      method: 'GET',
      url: '/api/v1/recordings',
      headers: bearer('alice-token'),
    });
    assert.equal(alice.statusCode, 200, 'junk registrations do not lock users out');
  });

  it('never refuses an honest token for junk still under review beside it', async (t) => {
    const kube = gateway(30);
    const f = await buildFixture(t, {
      kube,
      authMode: 'kubernetes',
      tokenReview: { clientFailuresPerMinute: 3 },
    });
    const get = (token: string) =>
      f.app.inject({ method: 'GET', url: '/api/v1/recordings', headers: bearer(token) });
    const answers = await Promise.all([
      get(junk(1)),
      get(junk(2)),
      get(junk(3)),
      get('alice-token'),
      get('bob-token'),
    ]);
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [401, 401, 401, 200, 200],
    );
  });

  it('refuses malformed tokens without asking the API server or spending the budget', async (t) => {
    const kube = gateway();
    const f = await buildFixture(t, {
      kube,
      authMode: 'kubernetes',
      tokenReview: { clientFailuresPerMinute: 2 },
    });
    const malformed = ['a b', '<script>', 'x'.repeat(9000), 'tok"en', 'bm90IGpzb24.e30.c2ln', 'Ã¼ber'];
    for (const token of malformed) {
      const response = await f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, 401, token.slice(0, 20));
    }
    assert.equal(reviewsAsked(kube.calls), 0, 'none of them cost a TokenReview');
    const alice = await f.app.inject({
      method: 'GET',
      url: '/api/v1/recordings',
      headers: bearer('alice-token'),
    });
    assert.equal(alice.statusCode, 200);
  });

  // Issue "Edges and trust, round three", item 9: once the total was spent (600 junk tokens a minute
  // from 20 IPv6 addresses), every token whose review was not cached got 429, honest ones included.
  it('budgets an IPv6 client per /64: 600 junk tokens from 20 addresses of one /64 cost 30 reviews, and a new user still gets in', async (t) => {
    const kube = gateway();
    const f = await buildFixture(t, { kube, authMode: 'kubernetes', trustedProxies: ['127.0.0.1'] });
    const list = (token: string, client: string) =>
      f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings',
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 600; i++)
      statuses.push((await list(junk(i), `2001:db8:0:7::${(i % 20).toString(16)}:1`)).statusCode);
    assert.equal(reviewsAsked(kube.calls), 30, 'the /64 is one client: 30 refusals a minute');
    assert.equal(statuses.filter((s) => s === 429).length, 570);
    assert.equal((await list('bob-token', '2001:db8:9::1')).statusCode, 200, 'the total is not spent');
  });

  it('never refuses a token that worked before, however much junk spent the total', async (t) => {
    const kube = gateway();
    const f = await buildFixture(t, { kube, authMode: 'kubernetes', trustedProxies: ['127.0.0.1'] });
    const list = (token: string, client: string) =>
      f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings',
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client },
      });
    assert.equal((await list('alice-token', '198.51.100.7')).statusCode, 200);
    f.advance(120); // alice's cached review has expired: her next request is reviewed again
    for (let i = 0; i < 600; i++) await list(junk(i), `2001:db8:${(i % 20).toString(16)}::1`);
    assert.equal(reviewsAsked(kube.calls), 601, '20 /64s of 30 refusals each spend the total of 600');
    assert.equal((await list(junk(1000), '203.0.113.1')).statusCode, 429, 'the total is spent');
    assert.equal((await list('alice-token', '198.51.100.7')).statusCode, 200, 'alice is not refused');
    assert.equal((await list('alice-token', '198.51.100.7')).statusCode, 200);
  });
});
