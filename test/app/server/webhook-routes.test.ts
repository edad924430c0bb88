// The webhook listener serves the mutation of pods and its health, nothing else. It once served
// POST /validate-recording, which believed the posted AdmissionReview's user and asked Kubernetes about
// them (an authorization oracle for whoever reaches port 8443); who may create a continuous Recording is
// now checked by the API server itself (core/crd/recording-admission.ts; the kube tier shows the attack:
// test/kube/webhook-access-oracle.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { parseInjectionConfig } from '../../../core/injection/injection-config.ts';
import { buildWebhook } from '../../../server/cluster-mode.ts';
import type { TlsMaterial, TlsSource } from '../../../server/webhook/tls.ts';
import { devCertificates } from './webhook-support.ts';

const forged = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'forged-1',
    kind: { group: 'furnace.hyperfoil.io', version: 'v1alpha1', kind: 'Recording' },
    operation: 'CREATE',
    namespace: 'kube-system',
    userInfo: { username: 'mallory', groups: ['system:masters'] },
    object: { spec: { target: { selector: {} }, continuous: {} } },
  },
};

/** A key pair that never rotates. */
function fixedTls(material: TlsMaterial): TlsSource {
  return { current: () => material, subscribe: () => () => undefined, close: () => undefined };
}

describe('webhook listener routes', () => {
  it('has no /validate-recording: a forged review of a continuous Recording is a 404, with no verdict', async (t) => {
    const certs = await devCertificates();
    const app = buildWebhook({
      injection: parseInjectionConfig({}),
      tls: fixedTls({ key: certs.keyPem, cert: certs.certPem }),
      log: pino({ enabled: false }),
      metricsRegistry: new Registry(),
    });
    t.after(() => app.close());
    const answer = await app.inject({ method: 'POST', url: '/validate-recording', payload: forged });
    assert.equal(answer.statusCode, 404, answer.body);
    assert.doesNotMatch(answer.body, /allowed/);
    const routes = app.printRoutes({ commonPrefix: false });
    assert.match(routes, /mutate \(POST\)/);
    assert.match(routes, /healthz \(GET, HEAD\)/);
    assert.doesNotMatch(routes, /validate/);
  });
});
