import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenCache, readTokenExpiry } from '../../server/kube/token-cache.ts';
import { checkPod, podFromReview } from '../../server/kube/pod-identity.ts';

function jwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.signature`;
}

describe('registration token review cache', () => {
  it('reads the expiry of a JWT and none from an opaque token', () => {
    assert.equal(readTokenExpiry(jwt({ exp: 2000 })), 2_000_000);
    assert.equal(readTokenExpiry('opaque'), undefined);
  });

  it('reuses a review until the token expires, then asks again', async () => {
    let time = 1_000_000;
    let reviews = 0;
    const cache = createTokenCache({ now: () => time, fallbackSeconds: 10, maxEntries: 100 });
    const reviewer = () => {
      reviews += 1;
      return Promise.resolve({ authenticated: true, username: 'u' });
    };
    const token = jwt({ exp: 1600 });
    await cache.review(token, reviewer);
    time += 500_000;
    await cache.review(token, reviewer);
    assert.equal(reviews, 1);
    time += 200_000;
    await cache.review(token, reviewer);
    assert.equal(reviews, 2);
  });

  it('keeps refusals only for the short fallback time', async () => {
    let time = 0;
    let reviews = 0;
    const cache = createTokenCache({ now: () => time, fallbackSeconds: 10, maxEntries: 100 });
    const reviewer = () => {
      reviews += 1;
      return Promise.resolve({ authenticated: false });
    };
    const token = jwt({ exp: 100_000 });
    await cache.review(token, reviewer);
    time += 11_000;
    await cache.review(token, reviewer);
    assert.equal(reviews, 2);
  });
});

describe('registration pod identity', () => {
  const review = {
    authenticated: true,
    username: 'system:serviceaccount:team-a:default',
    audiences: ['furnace'],
    extra: {
      'authentication.kubernetes.io/pod-name': ['web-1'],
      'authentication.kubernetes.io/pod-uid': ['uid-1'],
    },
  };
  const pod = {
    metadata: { name: 'web-1', namespace: 'team-a', uid: 'uid-1' },
    spec: { containers: [{ name: 'app' }, { name: 'furnace' }] },
    status: { podIP: '10.1.2.3' },
  };

  it('takes the pod from a pod-bound service-account token', () => {
    assert.deepEqual(podFromReview(review), {
      ok: true,
      pod: { namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' },
    });
  });

  it('refuses another audience, an unauthenticated token and a token without a pod', () => {
    assert.equal(podFromReview({ ...review, audiences: ['https://kubernetes.default.svc'] }).ok, false);
    assert.equal(podFromReview({ authenticated: false }).ok, false);
    assert.equal(podFromReview({ ...review, extra: {} }).ok, false);
    assert.equal(podFromReview({ ...review, username: 'alice' }).ok, false);
  });

  it('accepts the token pod with the furnace container and takes its IP', () => {
    assert.deepEqual(checkPod({ namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' }, pod), {
      ok: true,
      podIp: '10.1.2.3',
    });
  });

  it('accepts a Job pod whose furnace sidecar is a native sidecar, but not an ephemeral container', () => {
    const expected = { namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' };
    const native = {
      ...pod,
      spec: {
        containers: [{ name: 'app' }],
        initContainers: [{ name: 'furnace', restartPolicy: 'Always' }],
      },
    };
    assert.equal(checkPod(expected, native).ok, true);
    const ephemeral = {
      ...pod,
      spec: { containers: [{ name: 'app' }], ephemeralContainers: [{ name: 'furnace' }] },
    };
    assert.equal(checkPod(expected, ephemeral).ok, false);
  });

  it('refuses a missing pod, another UID, no furnace container, or no IP yet', () => {
    const expected = { namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' };
    assert.equal(checkPod(expected, undefined).ok, false);
    assert.equal(checkPod(expected, { ...pod, metadata: { ...pod.metadata, uid: 'uid-2' } }).ok, false);
    assert.equal(checkPod(expected, { ...pod, spec: { containers: [{ name: 'app' }] } }).ok, false);
    const noIp = checkPod(expected, { ...pod, status: {} });
    assert.equal(noIp.ok === false && noIp.status, 503);
  });
});
