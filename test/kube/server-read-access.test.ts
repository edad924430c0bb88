// Issue 9 item 8 against a real API server: /metrics is read with a real SubjectAccessReview on the
// non-resource URL, and the API server's error texts (which name the server's service account and its
// missing permissions) never reach a caller.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNamespace, createServiceAccountToken, createUser, useCluster } from '../harness/cluster.ts';
import { bindMetricsReader } from '../harness/cluster-roles.ts';
import { buildKubeServer } from './server-kube-fixture.ts';
import { getSidecars } from '../harness/server-calls.ts';

const { kc } = await useCluster();

describe('server reads against a real API server', () => {
  it('serves /metrics to a service account allowed get on the non-resource URL /metrics, and to nobody else', async (t) => {
    const server = await buildKubeServer(t, kc);
    const namespace = await createNamespace(kc);
    const reader = await createUser(kc, { name: 'prometheus', namespace, rules: [] });
    await bindMetricsReader(t, kc, namespace, 'prometheus');
    const stranger = await createUser(kc, {
      name: 'stranger',
      namespace,
      rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['get', 'list'] }],
    });
    const metrics = (token?: string) =>
      server.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    assert.equal((await metrics()).statusCode, 401);
    const refused = await metrics(stranger.token);
    assert.equal(refused.statusCode, 403);
    assert.doesNotMatch(refused.body, /furnace_registered_sidecars/);
    const read = await metrics(reader.token);
    assert.equal(read.statusCode, 200, read.body);
    assert.match(read.body, /^furnace_registered_sidecars 0$/m);
  });

  it("answers a caller 503 without the API server's words when the server's own account may not review tokens", async (t) => {
    const namespace = await createNamespace(kc);
    const powerless = await createUser(kc, { name: 'furnace-server', namespace, rules: [] });
    const server = await buildKubeServer(t, powerless.kubeConfig);
    const someToken = await createServiceAccountToken(kc, { namespace, serviceAccount: 'default' });
    const answers = [
      await getSidecars(server.app, { authorization: `Bearer ${someToken}` }),
      await server.recorder.inject({
        method: 'POST',
        url: '/api/v1/sidecars',
        headers: { authorization: `Bearer ${someToken}` },
        payload: {},
      }),
    ];
    for (const answer of answers) {
      assert.equal(answer.statusCode, 503, answer.body);
      assert.match(answer.body, /the Kubernetes API server could not review a token/);
      assert.doesNotMatch(answer.body, /forbidden|serviceaccount|tokenreviews|furnace-server/i, answer.body);
    }
  });
});
