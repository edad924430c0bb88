// Certificate renewal by the operator against a real API server: with lifetimes of a minute
// (FURNACE_OPERATOR_CA_LIFETIME_SECONDS) the CA and the serving certificate come due within the test, and
// the webhook's caBundle and the sidecars' CA ConfigMap follow the rotation.
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import type { V1MutatingWebhookConfiguration, V1Secret } from '@kubernetes/client-node';
import { splitPemBundle } from '../../operator/furnace/certificates.ts';
import { createNamespace } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import {
  applyFurnace,
  conditionOf,
  createScopedNamespace,
  getJson,
  scoped,
  secretText,
  startOperator,
  useOperatorCluster,
  waitForServerCa,
  waitForWebhookReady,
} from './operator-fixture.ts';

const { cp, kc } = await useOperatorCluster();

/** The caBundle of the one webhook configuration (a fixed name: one Furnace per cluster). */
async function caBundleOf(): Promise<string> {
  const webhook = await getJson<V1MutatingWebhookConfiguration>(cp, [
    'mutatingwebhookconfiguration',
    'furnace',
  ]);
  return Buffer.from(webhook?.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
}

describe('Furnace certificates (operator process, real API server)', () => {
  it('renews a CA near its expiry: the new CA signs a new serving certificate, and the caBundle and the sidecar CA ConfigMap trust old and new', async (t) => {
    const scope = randomBytes(4).toString('hex');
    const namespace = await createNamespace(kc, { prefix: 'op' });
    const app = await createScopedNamespace(kc, scope, 'app');
    startOperator(t, cp, namespace, {
      FURNACE_OPERATOR_CA_LIFETIME_SECONDS: '60',
      FURNACE_OPERATOR_CERT_RENEW_FRACTION: '0.5',
    });
    await applyFurnace(cp, namespace, scoped(scope));
    await waitForWebhookReady(cp, namespace, 'reconciled');
    const firstBundle = await caBundleOf();
    const [firstCa] = splitPemBundle(firstBundle);
    assert.ok(firstCa);

    // Due after half of the minute; the operator's own timer brings it, nothing in the cluster changes.
    const rotated = await eventually(
      async () => {
        const bundle = await caBundleOf();
        return splitPemBundle(bundle).length === 2 ? bundle : undefined;
      },
      75_000,
      'a caBundle with the new and the old CA',
      1000,
    );
    const [newCa, oldCa] = splitPemBundle(rotated);
    assert.equal(oldCa, firstCa, 'the old CA is still trusted');
    assert.notEqual(newCa, firstCa);
    const tls = await getJson<V1Secret>(cp, ['secret', 'furnace-tls', '-n', namespace]);
    const serving = new X509Certificate(secretText(tls, 'tls.crt'));
    const ca = new X509Certificate(newCa ?? '');
    assert.ok(
      serving.checkIssued(ca) && serving.verify(ca.publicKey),
      'the new CA signs the served certificate',
    );
    assert.equal(secretText(tls, 'ca.crt'), rotated);
    await waitForServerCa(cp, app, rotated, 'the sidecar CA ConfigMap with the rotated bundle');
    const furnace = await waitForWebhookReady(cp, namespace, 'the webhook still ready');
    assert.equal(conditionOf(furnace, 'CertificateReady')?.status, 'True');
  });
});
