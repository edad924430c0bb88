import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { randomSharedKeys, type SharedKeys } from '../../../core/shared-key.ts';
import { boundPodReview, fakeKubeGateway, type FakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { bearer, postRegistration } from '../../harness/server-calls.ts';
import { buildFixture, PINNED_BODY, SIDECAR_INJECTION, type Fixture } from './server-fixture.ts';

function pod(name: string, uid: string, ip: string): V1Pod {
  return injectSidecar(
    {
      metadata: { name, namespace: 'team-a', uid },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
      status: { podIP: ip },
    },
    SIDECAR_INJECTION,
  );
}

const reviews = { 'token-1': boundPodReview('web-1', 'uid-1'), 'token-2': boundPodReview('web-2', 'uid-2') };
const pods = {
  'team-a/web-1': pod('web-1', 'uid-1', '10.0.0.1'),
  'team-a/web-2': pod('web-2', 'uid-2', '10.0.0.2'),
};

interface Replica {
  f: Fixture;
  kube: FakeKubeGateway;
  reviewsAsked: () => number;
}

/** A replica of N: its own API client (to count its TokenReviews) and memory, the keys every replica shares. */
async function replica(t: TestContext, keys: SharedKeys | undefined): Promise<Replica> {
  const kube = fakeKubeGateway({ reviews, pods, namespaces: { 'team-a': { furnace: 'enabled' } } });
  const f = await buildFixture(t, { kube, authMode: 'kubernetes', ...(keys ? { reviewTickets: keys } : {}) });
  return { f, kube, reviewsAsked: () => kube.calls.filter((c) => c.startsWith('review')).length };
}

async function renew(r: Replica, token: string, reviewTicket?: string) {
  const response = await postRegistration(r.f.recorder, bearer(token), {
    ...PINNED_BODY,
    ...(reviewTicket === undefined ? {} : { reviewTicket }),
  });
  return { status: response.statusCode, body: response.json<{ reviewTicket?: string; code?: string }>() };
}

/** The ticket with one character of its signed payload changed. */
function altered(ticket: string): string {
  const [version, keyId, payload = '', mac] = ticket.split('.');
  const middle = Math.floor(payload.length / 2);
  const swapped = payload[middle] === 'A' ? 'B' : 'A';
  return [version, keyId, payload.slice(0, middle) + swapped + payload.slice(middle + 1), mac].join('.');
}

describe('review tickets between replicas (fake kube gateway)', () => {
  it("renews through replica B on replica A's review, without a TokenReview of its own", async (t) => {
    const keys = randomSharedKeys();
    const a = await replica(t, keys);
    const b = await replica(t, keys);
    const first = await renew(a, 'token-1');
    assert.equal(first.status, 200);
    assert.ok(first.body.reviewTicket, 'the answer carries a ticket');
    assert.equal(a.reviewsAsked(), 1);
    b.f.advance(15);
    const second = await renew(b, 'token-1', first.body.reviewTicket);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(b.reviewsAsked(), 0, 'B took the review the ticket vouches for');
    assert.equal(second.body.reviewTicket, first.body.reviewTicket, 'the same review, the same ticket');
    assert.deepEqual(b.f.registry.get('team-a', 'web-1')?.address, { host: '10.0.0.1', port: 12380 });
  });

  it('refuses a bogus token shown with a good ticket (the ticket is bound to the token it was made for)', async (t) => {
    const keys = randomSharedKeys();
    const a = await replica(t, keys);
    const b = await replica(t, keys);
    const { reviewTicket } = (await renew(a, 'token-1')).body;
    const attack = await renew(b, 'stolen-ticket-no-token', reviewTicket);
    assert.equal(attack.status, 401);
    assert.equal(attack.body.code, 'ERR_UNAUTHENTICATED');
    assert.equal(b.f.registry.get('team-a', 'web-1'), undefined, 'nothing registered on the ticket alone');
    // Another pod's genuine token with web-1's ticket registers web-2, as its own review says.
    const other = await renew(b, 'token-2', reviewTicket);
    assert.equal(other.status, 200);
    assert.equal(b.reviewsAsked(), 2, 'both tokens were reviewed: the ticket vouched for neither');
    assert.equal(b.f.registry.get('team-a', 'web-1'), undefined);
    assert.ok(b.f.registry.get('team-a', 'web-2'));
  });

  it('asks the API server when the ticket is altered, signed with another key or past its time', async (t) => {
    const keys = randomSharedKeys();
    const a = await replica(t, keys);
    const stranger = await replica(t, randomSharedKeys());
    const { reviewTicket = '' } = (await renew(a, 'token-1')).body;
    const foreign = (await renew(stranger, 'token-1')).body.reviewTicket;
    const cases: [string, string | undefined, number][] = [
      ['altered payload', altered(reviewTicket), 0],
      ['another key', foreign, 0],
      ['past its time', reviewTicket, 61],
    ];
    for (const [label, ticket, later] of cases) {
      const b = await replica(t, keys);
      b.f.advance(later);
      const answer = await renew(b, 'token-1', ticket);
      assert.equal(answer.status, 200, label);
      assert.equal(b.reviewsAsked(), 1, `${label}: reviewed again`);
      assert.notEqual(answer.body.reviewTicket, ticket, `${label}: a ticket of its own review`);
    }
  });

  it('refuses a ticket over 2,048 characters with 400 naming the field', async (t) => {
    const a = await replica(t, randomSharedKeys());
    const answer = await renew(a, 'token-1', `v1.key.${'A'.repeat(2100)}.${'B'.repeat(43)}`);
    assert.equal(answer.status, 400);
    assert.match(JSON.stringify(answer.body), /reviewTicket/);
  });

  it('hands out no ticket with one replica', async (t) => {
    const single = await replica(t, undefined);
    const answer = await renew(single, 'token-1');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.reviewTicket, undefined);
  });
});
