import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createClientGateway } from '../../../server/kube/client-gateway.ts';
import { freePort } from '../../harness/ports.ts';
import { bearer, getSidecars, postRegistration } from '../../harness/server-calls.ts';
import { buildFixture } from './server-fixture.ts';

describe('server with an unreachable Kubernetes API server', () => {
  it('answers registrations and users with 503 so that they retry', async (t) => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'gone', server: `https://127.0.0.1:${await freePort()}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
      currentContext: 'c',
    });
    const f = await buildFixture(t, { kube: createClientGateway(kc), authMode: 'kubernetes' });
    const registration = await postRegistration(f.recorder, bearer('some-token'), {});
    assert.equal(registration.statusCode, 503);
    assert.match(registration.json<{ message: string }>().message, /could not review a token/);
    const user = await getSidecars(f.app, bearer('some-token'));
    assert.equal(user.statusCode, 503);
  });
});
