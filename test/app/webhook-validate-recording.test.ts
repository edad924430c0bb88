// POST /validate-recording: the check of who creates a continuous Recording, on the webhook app with a
// fake SubjectAccessReview client (the kube tier runs the real one: operator-continuous-recording.test.ts).
// The fake records every check, so the tests see exactly whose access is asked, where.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { parseInjectionConfig } from '../../core/injection/injection-config.ts';
import type { AccessCheck } from '../../server/kube/kube-gateway.ts';
import { buildWebhookApp, WEBHOOK_BODY_LIMIT } from '../../server/webhook/build-webhook-app.ts';
import { MAX_CHECKS_IN_FLIGHT } from '../../server/webhook/validate-recording.ts';
import { devCertificates } from './webhook-support.ts';

interface Verdict {
  response: { uid: string; allowed: boolean; status?: { code: number; message: string } };
}

/** A fake access checker: answers `decide(check)` and keeps every check it was asked. */
function fakeChecker(decide: (check: AccessCheck) => Promise<boolean>) {
  const asked: AccessCheck[] = [];
  return {
    asked,
    checkAccess: (check: AccessCheck) => {
      asked.push(check);
      return decide(check);
    },
  };
}

async function webhookWith(t: TestContext, checker: ReturnType<typeof fakeChecker>) {
  const certs = await devCertificates();
  const app = buildWebhookApp({
    config: parseInjectionConfig({}),
    https: { key: certs.keyPem, cert: certs.certPem },
    access: checker,
  });
  t.after(() => app.close());
  return app;
}

const USER = {
  username: 'alice',
  uid: 'a1b2',
  groups: ['team-a', 'system:authenticated'],
  extra: { scopes: ['profile'] },
};

function review(spec: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'req-1',
      kind: { group: 'furnace.hyperfoil.io', version: 'v1alpha1', kind: 'Recording' },
      resource: { group: 'furnace.hyperfoil.io', version: 'v1alpha1', resource: 'recordings' },
      operation: 'CREATE',
      namespace: 'shop',
      userInfo: USER,
      object: {
        apiVersion: 'furnace.hyperfoil.io/v1alpha1',
        kind: 'Recording',
        // The object's namespace is the author's to write; the check takes the request's.
        metadata: { name: 'always', namespace: 'elsewhere' },
        spec,
      },
      ...overrides,
    },
  };
}

const CONTINUOUS = { target: { selector: { matchLabels: { app: 'web' } } }, continuous: {} };

describe('POST /validate-recording', () => {
  it('asks for create on recordings/continuous as the request’s user, in the request’s namespace', async (t) => {
    const checker = fakeChecker(() => Promise.resolve(true));
    const app = await webhookWith(t, checker);
    const answer = await app.inject({
      method: 'POST',
      url: '/validate-recording',
      payload: review(CONTINUOUS),
    });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(answer.json<Verdict>().response, { uid: 'req-1', allowed: true });
    assert.deepEqual(checker.asked, [
      {
        user: 'alice',
        uid: 'a1b2',
        groups: ['team-a', 'system:authenticated'],
        extra: { scopes: ['profile'] },
        verb: 'create',
        namespace: 'shop',
        group: 'furnace.hyperfoil.io',
        resource: 'recordings',
        subresource: 'continuous',
      },
    ]);
  });

  it('refuses a user without the permission, naming recordings/continuous and furnace-continuous', async (t) => {
    const app = await webhookWith(
      t,
      fakeChecker(() => Promise.resolve(false)),
    );
    const answer = await app.inject({
      method: 'POST',
      url: '/validate-recording',
      payload: review(CONTINUOUS),
    });
    const { response } = answer.json<Verdict>();
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 403);
    assert.match(
      response.status?.message ?? '',
      /^alice may not create recordings\/continuous \(API group furnace\.hyperfoil\.io\) in namespace shop: .*ClusterRole furnace-continuous/,
    );
  });

  it('refuses when the API server cannot answer (the configuration fails closed too)', async (t) => {
    const app = await webhookWith(
      t,
      fakeChecker(() => Promise.reject(new Error('connection refused'))),
    );
    const answer = await app.inject({
      method: 'POST',
      url: '/validate-recording',
      payload: review(CONTINUOUS),
    });
    const { response } = answer.json<Verdict>();
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 503);
    assert.match(
      response.status?.message ?? '',
      /could not check whether alice may create recordings\/continuous/,
    );
  });

  it('allows, without asking, what is not the creation of a continuous Recording', async (t) => {
    const checker = fakeChecker(() => Promise.resolve(false));
    const app = await webhookWith(t, checker);
    const cases = [
      review({ target: { pod: 'web-1' }, durationSeconds: 5 }),
      review(CONTINUOUS, { operation: 'UPDATE' }),
      review(CONTINUOUS, { kind: { group: '', version: 'v1', kind: 'Pod' } }),
    ];
    for (const payload of cases) {
      const answer = await app.inject({ method: 'POST', url: '/validate-recording', payload });
      assert.equal(answer.json<Verdict>().response.allowed, true, answer.body);
    }
    assert.deepEqual(checker.asked, []);
  });

  it('refuses hostile bodies with a 400 naming the field, and a body over the limit with a 413', async (t) => {
    const checker = fakeChecker(() => Promise.resolve(true));
    const app = await webhookWith(t, checker);
    const bad: [Record<string, unknown>, RegExp][] = [
      [
        { userInfo: { ...USER, groups: 'system:masters' } },
        /request\.userInfo\.groups "system:masters" is invalid: must be array/,
      ],
      [{ userInfo: { groups: ['x'] } }, /request\.userInfo\.username is required/],
      [
        { userInfo: { ...USER, groups: Array.from({ length: 257 }, () => 'g') } },
        /request\.userInfo\.groups .*must NOT have more than 256 items/,
      ],
      [
        { namespace: '../kube-system' },
        /request\.namespace "\.\.\/kube-system" is invalid: must match pattern/,
      ],
      [{ namespace: undefined }, /request\.namespace is required/],
      [
        { userInfo: { ...USER, extra: { scopes: 'all' } } },
        /request\.userInfo\.extra\.scopes "all" is invalid: must be array/,
      ],
    ];
    for (const [overrides, message] of bad) {
      const answer = await app.inject({
        method: 'POST',
        url: '/validate-recording',
        payload: review(CONTINUOUS, overrides),
      });
      assert.equal(answer.statusCode, 400, answer.body);
      assert.match(answer.json<{ message: string }>().message, message);
    }
    const huge = review(CONTINUOUS, { padding: 'x'.repeat(WEBHOOK_BODY_LIMIT) });
    const tooLarge = await app.inject({ method: 'POST', url: '/validate-recording', payload: huge });
    assert.equal(tooLarge.statusCode, 413);
    assert.deepEqual(checker.asked, [], 'nothing hostile reached the API server');
  });

  it(`checks at most ${MAX_CHECKS_IN_FLIGHT} Recordings at once and refuses more, saying so`, async (t) => {
    let release: (allowed: boolean) => void = () => undefined;
    const held = new Promise<boolean>((resolve) => (release = resolve));
    const checker = fakeChecker(() => held);
    const app = await webhookWith(t, checker);
    const call = () =>
      app.inject({ method: 'POST', url: '/validate-recording', payload: review(CONTINUOUS) });
    const waiting = Array.from({ length: MAX_CHECKS_IN_FLIGHT }, call);
    while (checker.asked.length < MAX_CHECKS_IN_FLIGHT) await new Promise((resolve) => setImmediate(resolve));
    const over = (await call()).json<Verdict>().response;
    assert.equal(over.allowed, false);
    assert.equal(over.status?.code, 429);
    release(true);
    const answers = await Promise.all(waiting);
    assert.ok(answers.every((a) => a.json<Verdict>().response.allowed));
  });
});
