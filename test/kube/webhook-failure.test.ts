// The webhook never blocks pod creation, and a certificate rotated on disk is used without a restart.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { generateDevCertificates, watchTlsFiles } from '../../server/webhook/tls.ts';
import {
  fingerprintOf,
  servedFingerprint,
  writeAtomically,
  writeCertificateFiles,
} from '../harness/certificate-files.ts';
import { deleteRunObjects } from '../harness/cluster.ts';
import { getControlPlane } from '../harness/control-plane.ts';
import { eventually } from '../harness/eventually.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { hasSidecar, testPod, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import { startKubeWebhook } from './webhook-fixture.ts';

let kc: KubeConfig;
let core: CoreV1Api;

before(async () => {
  kc = (await getControlPlane()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
});

after(async () => {
  await deleteRunObjects(kc);
});

describe('webhook failure modes', () => {
  it('lets pods be created, without the sidecar, when the webhook server is stopped', async () => {
    const certs = await generateDevCertificates();
    const webhook = await startKubeWebhook(kc, {
      https: { key: certs.keyPem, cert: certs.certPem },
      caPem: certs.caPem,
    });
    try {
      const namespace = await webhook.namespace(true);
      await waitUntilInjecting(kc, namespace);
      await webhook.close();
      const created = await core.createNamespacedPod({
        namespace,
        body: testPod('while-down', { labels: { furnace: 'enabled' } }),
      });
      assert.equal(hasSidecar(created), false);
      const stored = await core.readNamespacedPod({ namespace, name: 'while-down' });
      assert.equal(stored.metadata?.uid, created.metadata?.uid);
    } finally {
      await webhook.removeConfiguration();
    }
  });

  it('lets pods be created after the webhook timeout when the server accepts and never answers', async (t) => {
    const certs = await generateDevCertificates();
    const webhook = await startKubeWebhook(kc, {
      https: { key: certs.keyPem, cert: certs.certPem },
      caPem: certs.caPem,
    });
    const sockets = new Set<Socket>();
    const hung: Server = createServer((socket) => sockets.add(socket));
    t.after(async () => {
      for (const s of sockets) s.destroy();
      if (hung.listening) await new Promise((resolve) => hung.close(resolve));
      await webhook.removeConfiguration();
    });
    const namespace = await webhook.namespace(true);
    await waitUntilInjecting(kc, namespace);
    // Same address, but nothing ever answers: the API server gives up after timeoutSeconds (5).
    await webhook.close();
    await new Promise<void>((resolve) => hung.listen(webhook.port, '127.0.0.1', resolve));
    const created = await core.createNamespacedPod({
      namespace,
      body: testPod('while-hung', { labels: { furnace: 'enabled' } }),
    });
    assert.equal(hasSidecar(created), false);
    assert.ok(sockets.size > 0, 'the API server did call the hung webhook');
  });

  it('uses a certificate rotated on disk for the next admission, without a restart', async (t) => {
    const first = await generateDevCertificates();
    const { certFile, keyFile } = await writeCertificateFiles(await tempDir(t, 'furnace-kube-tls-'), first);
    const source = await watchTlsFiles({ certFile, keyFile });
    const webhook = await startKubeWebhook(kc, { https: source, caPem: first.caPem });
    t.after(async () => {
      await webhook.removeConfiguration();
      await webhook.close();
      source.close();
    });
    const namespace = await webhook.namespace(true);
    await waitUntilInjecting(kc, namespace, 'injection with the first certificate');

    // A certificate from another CA: once the API server trusts only that CA, an injected pod proves
    // that the running listener served the new certificate.
    const second = await generateDevCertificates();
    await writeAtomically(keyFile, second.keyPem);
    await writeAtomically(certFile, second.certPem);
    const expected = fingerprintOf(second.certPem);
    await eventually(
      async () => ((await servedFingerprint(webhook.port, second.caPem)) === expected ? true : undefined),
      10_000,
      'the listener to serve the rotated certificate',
    );
    // Keep-alive connections from before the rotation keep their handshake (and the old certificate,
    // which would still be valid in a real rotation); drop them so that every admission from here on
    // needs a new handshake with whatever the listener serves now.
    webhook.app.server.closeIdleConnections();
    await webhook.setCaBundle(second.caPem);
    await waitUntilInjecting(kc, namespace, 'injection with the rotated certificate');
    const created = await core.createNamespacedPod({
      namespace,
      body: testPod('after-rotation', { labels: { furnace: 'yes' } }),
    });
    assert.ok(hasSidecar(created));
  });
});
